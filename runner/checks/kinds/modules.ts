/**
 * modules: the jobs service is organised as the course teaches, judged by Python's own parser (ast)
 * in the lab's image from the files' bytes, never by a regex: api.py and worker.py import what they
 * use from jobs; the Redis and HotQueue clients are made in jobs.py and nowhere else; no other module
 * uses a private name of jobs (one with a leading underscore); no module imports another that
 * imports it back; the worker runs the function @q.worker decorates. Every .py file beside the three
 * counts as a helper module. The probe (Python) only reads facts; the rules are judged here.
 */
import type { z } from 'zod';
import { LabsError } from '../../errors.js';
import { plural } from '../../lab/problem.js';
import { defineKind } from './kind.js';
import { modulesSchema } from '../../lab/check-kinds.js';
import type { CheckContext } from '../context.js';
import { type CheckOutcome, outcome } from '../outcome.js';

export type ModulesSpec = z.infer<typeof modulesSchema>;

/**
 * Prints one JSON line, `{modules: ModuleFacts[]}`: for the three files given (jobs, api, worker)
 * and every other .py file in their folders, what `ast` reads in it. Each file is parsed from its
 * bytes as `python FILE` reads it (PEP 263: a byte order mark, a `coding:` line, any line ends);
 * a file that is not there is `missing`, one Python cannot parse has `error` with its line.
 * Imports of the folder's own modules are resolved whether written `import jobs`, `import jobs as
 * j`, `from jobs import *`, `from . import jobs` or `from src.jobs import x` (src the folder).
 */
export const modulesProbe = String.raw`
import ast, builtins, json, os, sys
paths = sys.argv[1:4]
roles = dict(zip(paths, ("jobs", "api", "worker")))
found = list(paths)
for folder in sorted({os.path.dirname(p) for p in paths}):
    try:
        names = sorted(os.listdir(folder or "."))
    except OSError:
        continue
    for n in names:
        p = os.path.join(folder, n) if folder else n
        # Tests (pytest's test_*.py, *_test.py, conftest.py) may make clients of their own.
        tests = n.startswith("test_") or n.endswith("_test.py") or n == "conftest.py"
        if n.endswith(".py") and not n.startswith(".") and not tests and p not in found and os.path.isfile(p):
            found.append(p)
stem = lambda p: os.path.splitext(os.path.basename(p))[0]
local = {stem(p) for p in found}
folders = {os.path.basename(os.path.dirname(os.path.abspath(p))) for p in found}
known = set(dir(builtins)) | {"__file__", "__name__", "__doc__", "__spec__", "__loader__", "__package__", "__builtins__", "__path__", "__annotations__", "__dict__"}

def norm(dotted):
    parts = dotted.split(".")
    if len(parts) > 1 and parts[0] in folders and parts[1] in local:
        parts = parts[1:]
    return ".".join(parts)

def parse(path):
    try:
        with open(path, "rb") as f:
            source = f.read()
    except FileNotFoundError:
        return None, {"missing": True}
    except OSError as e:
        return None, {"error": {"type": "OSError", "msg": e.strerror or str(e), "line": None, "col": None}}
    try:
        return ast.parse(source, path), {}
    except SyntaxError as e:
        return None, {"error": {"type": type(e).__name__, "msg": e.msg, "line": e.lineno, "col": e.offset}}
    except (ValueError, RecursionError, MemoryError) as e:
        return None, {"error": {"type": type(e).__name__, "msg": str(e), "line": None, "col": None}}

def top_level(body):
    # The statements run when the module is imported: not those in function or class bodies.
    for node in body:
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for field in ("body", "orelse", "finalbody", "handlers"):
            inner = getattr(node, field, None)
            if isinstance(inner, list):
                yield from top_level(inner)

def calls_in(node):
    return {sub.func.id for sub in ast.walk(node) if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name)}

def bindings(tree):
    """Every import's local name, resolved to what it names ("jobs", "jobs.add_job", "redis.Redis")."""
    bound = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    bound[a.asname] = norm(a.name)
                else:
                    bound[a.name.split(".")[0]] = a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            for a in node.names:
                if a.name != "*":
                    bound[a.asname or a.name] = norm(base + "." + a.name if base else a.name)
    return bound

trees = {}
facts = []
for path in found:
    tree, fact = parse(path)
    fact.update({"path": path, "name": stem(path), "role": roles.get(path, "helper")})
    facts.append(fact)
    if tree is not None:
        trees[path] = tree
exported = {stem(p): bindings(t) for p, t in trees.items()}

for fact in facts:
    tree = trees.get(fact["path"])
    if tree is None:
        continue
    bound = bindings(tree)

    def qualify(node):
        if isinstance(node, ast.Name):
            q = bound.get(node.id)
            if q is None:
                return None
            head, _, rest = q.partition(".")
            # A name another local module imported (from jobs import HotQueue): what it names there.
            if rest and head in exported and rest in exported[head]:
                return exported[head][rest]
            return q
        if isinstance(node, ast.Attribute):
            q = qualify(node.value)
            return norm(q + "." + node.attr) if q else None
        return None

    imports, refs, calls, stars = [], [], [], []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                target = norm(a.name).split(".")[0]
                if target in local:
                    imports.append({"module": target, "line": node.lineno, "name": None, "star": False})
        elif isinstance(node, ast.ImportFrom):
            base = norm(node.module or "")
            for a in node.names:
                if a.name == "*":
                    stars.append(base.split(".")[0] if node.level == 0 or base else ".")
                whole = norm((node.module + "." if node.module else "") + a.name)
                if a.name != "*" and whole.split(".")[0] in local and "." not in whole:
                    imports.append({"module": whole, "line": node.lineno, "name": None, "star": False})
                    continue
                target = base.split(".")[0]
                if target in local:
                    imports.append({"module": target, "line": node.lineno, "name": a.name, "star": a.name == "*"})
                    if a.name != "*":
                        refs.append({"module": target, "name": a.name, "line": node.lineno, "imported": True})
        elif isinstance(node, ast.Attribute):
            q = qualify(node.value)
            if q in local:
                refs.append({"module": q, "name": node.attr, "line": node.lineno, "imported": False})
        elif isinstance(node, ast.Call):
            q = qualify(node.func)
            if q and q.split(".")[0] in ("redis", "hotqueue"):
                calls.append({"name": q, "line": node.lineno})

    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.alias) and node.name != "*":
            names.add(node.asname or node.name.split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        for field in ("name", "rest"):
            if type(node).__name__ in ("MatchAs", "MatchStar", "MatchMapping") and getattr(node, field, None):
                names.add(getattr(node, field))
    unbound = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in names and node.id not in known:
            unbound[node.id] = min(unbound.get(node.id, node.lineno), node.lineno)

    toplevel = []
    exports = None
    for node in top_level(tree.body):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            toplevel.append({"name": node.name, "line": node.lineno, "def": True})
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for a in node.names:
                if a.name != "*":
                    toplevel.append({"name": a.asname or a.name.split(".")[0], "line": node.lineno, "def": False})
        else:
            targets = getattr(node, "targets", None) or [getattr(node, "target", None)]
            for t in targets:
                for sub in ast.walk(t) if t is not None else ():
                    if isinstance(sub, ast.Name):
                        toplevel.append({"name": sub.id, "line": node.lineno, "def": False})
                        if sub.id == "__all__" and isinstance(getattr(node, "value", None), (ast.List, ast.Tuple)):
                            exports = [e.value for e in node.value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]

    def is_worker(d):
        d = d.func if isinstance(d, ast.Call) else d
        return isinstance(d, ast.Attribute) and d.attr == "worker"
    decorated = [{"name": f.name, "line": f.lineno} for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(is_worker(d) for d in f.decorator_list)]
    # Called when the module runs: by its own statements, or by a module-level function they call
    # (def main(): execute_job() ... main()), however deep.
    called, functions = set(), {}
    for node in top_level(tree.body):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions[node.name] = node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for field in ("value", "test", "iter", "items"):
            inner = getattr(node, field, None)
            for piece in inner if isinstance(inner, list) else [inner]:
                if isinstance(piece, ast.AST):
                    called |= calls_in(piece)
    pending = [n for n in called if n in functions]
    while pending:
        for n in calls_in(functions.pop(pending.pop())) - called:
            called.add(n)
            if n in functions:
                pending.append(n)
    loops = [n.lineno for n in ast.walk(tree) if isinstance(n, (ast.For, ast.AsyncFor)) and isinstance(n.iter, ast.Call) and isinstance(n.iter.func, ast.Attribute) and n.iter.func.attr == "consume"]
    fact.update({
        # In reading order: ast.walk goes breadth first.
        "imports": sorted(imports, key=lambda i: i["line"]), "refs": sorted(refs, key=lambda r: r["line"]), "calls": sorted(calls, key=lambda c: c["line"]), "stars": stars,
        "unbound": [{"name": n, "line": l} for n, l in sorted(unbound.items(), key=lambda kv: kv[1])],
        "toplevel": toplevel, "all": exports, "decorated": decorated, "called": sorted(called), "consumeLoops": loops,
    })
print(json.dumps({"modules": facts}))
`;

/** A file's line where `ast` saw something; 1-based. */
interface Located {
  name: string;
  line: number;
}

/** What the probe read in one module (see modulesProbe). */
export interface ModuleFacts {
  /** As given to the probe, relative to the lab's working directory, e.g. "src/api.py". */
  path: string;
  /** The module's name: the file's name without ".py". */
  name: string;
  role: 'jobs' | 'api' | 'worker' | 'helper';
  missing?: boolean;
  /** Why Python could not parse it: a SyntaxError (or IndentationError, TabError) and where. */
  error?: { type: string; msg: string; line: number | null; col: number | null };
  /** Imports of the folder's own modules: `name` is the imported name of a `from … import`, null for `import m`. */
  imports?: { module: string; line: number; name: string | null; star: boolean }[];
  /** Names of the folder's modules used here: `from jobs import x` and `jobs.x` (through any alias). */
  refs?: (Located & { module: string; imported: boolean })[];
  /** Calls of redis-py or hotqueue, resolved through the imports ("redis.StrictRedis", "hotqueue.HotQueue"). */
  calls?: Located[];
  /** The modules it imports every public name of (`from m import *`), local or not. */
  stars?: string[];
  /** Names read that nothing in the module binds and that are not builtins, each at its first line. */
  unbound?: Located[];
  /** Names bound when the module is imported (`def` true for functions and classes). */
  toplevel?: (Located & { def: boolean })[];
  /** `__all__`, when it is a literal list or tuple. */
  all?: string[] | null;
  /** Functions decorated with `<something>.worker` or `<something>.worker(…)`. */
  decorated?: Located[];
  /** Names called by the module's own statements (not inside a function or class). */
  called?: string[];
  /** Lines of `for … in <something>.consume(…)` loops. */
  consumeLoops?: number[];
}

/** The five rules, in the order a student reads them. */
const moduleRules = ['imports', 'clients', 'private', 'circular', 'worker'] as const;
export type ModuleRule = (typeof moduleRules)[number];

/** One rule broken: where (file:line, the name) and what to do. */
export interface RuleBroken {
  rule: ModuleRule | 'files';
  evidence: string;
  hint: string;
}

const ruleTitles: Record<ModuleRule, string> = {
  imports: 'api.py and worker.py import what they use from jobs',
  clients: 'the Redis and HotQueue clients are made only in jobs.py',
  private: 'no other module uses a private name of jobs',
  circular: 'no circular import',
  worker: 'the worker runs the function @q.worker decorates',
};

/** A call that makes a client: HotQueue, or redis-py's Redis / StrictRedis (any path to it) or from_url. */
function clientMade(call: string): 'HotQueue' | 'Redis' | undefined {
  const parts = call.split('.');
  if (parts[0] === 'hotqueue' && parts.at(-1) === 'HotQueue') return 'HotQueue';
  if (parts[0] === 'redis' && (parts.some((p) => p === 'Redis' || p === 'StrictRedis') || parts.at(-1) === 'from_url')) return 'Redis';
  return undefined;
}

const isPrivate = (name: string): boolean => name.startsWith('_') && !(name.startsWith('__') && name.endsWith('__'));
const at = (path: string, line: number | null | undefined): string => (line ? `${path}:${line}` : path);

/** The files a check reads: the lab's options or the course's layout. */
export function modulesFiles(spec: Pick<ModulesSpec, 'jobs_file' | 'api_file' | 'worker_file'>): { jobs: string; api: string; worker: string } {
  return { jobs: spec.jobs_file ?? 'src/jobs.py', api: spec.api_file ?? 'src/api.py', worker: spec.worker_file ?? 'src/worker.py' };
}

/**
 * Every rule the modules break, from the probe's facts; pure. A module that is missing or does not
 * parse is reported (rule `files`) and judged no further; the others still are.
 */
export function brokenModuleRules(modules: readonly ModuleFacts[]): RuleBroken[] {
  const broken: RuleBroken[] = [];
  const jobs = modules.find((m) => m.role === 'jobs');
  for (const m of modules) {
    if (m.missing) {
      broken.push({
        rule: 'files',
        evidence: `${m.path} is missing`,
        hint: `write ${m.path}: the lab organises the service as jobs.py (the clients and every function on jobs), api.py and worker.py, which import from it`,
      });
    } else if (m.error) {
      const where = m.error.line ? `${m.path}:${m.error.line}${m.error.col ? `:${m.error.col}` : ''}` : m.path;
      broken.push({
        rule: 'files',
        evidence: `${where}: ${m.error.type}: ${m.error.msg}`,
        hint: `fix the ${m.error.type} in ${m.path}${m.error.line ? ` at line ${m.error.line}` : ''}: Python cannot import the module, so whatever runs it stops at once`,
      });
    }
  }
  const parsed = modules.filter((m) => !m.missing && !m.error);
  const others = parsed.filter((m) => m.role !== 'jobs');
  if (jobs && parsed.includes(jobs)) broken.push(...importRules(jobs, others), ...privateNames(jobs, others));
  broken.push(...clientRules(parsed, jobs), ...cycles(parsed));
  const worker = parsed.find((m) => m.role === 'worker');
  if (worker) broken.push(...workerRule(worker));
  return broken;
}

/** api.py and worker.py import jobs; no module uses a name of jobs it did not import, imports one jobs lacks, or copies a function of jobs. */
function importRules(jobs: ModuleFacts, others: ModuleFacts[]): RuleBroken[] {
  const broken: RuleBroken[] = [];
  const defined = new Map((jobs.toplevel ?? []).map((t) => [t.name, t]));
  const open = defined.has('__getattr__'); // a module-level __getattr__ answers any name
  const publicNames = new Set(jobs.all ?? [...defined.keys()].filter((n) => !n.startsWith('_')));
  const example =
    [...publicNames]
      .filter((n) => defined.get(n)?.def)
      .slice(0, 3)
      .join(', ') || 'add_job';
  for (const m of others) {
    const fromJobs = (m.imports ?? []).filter((i) => i.module === jobs.name);
    if (fromJobs.length === 0 && (m.role === 'api' || m.role === 'worker')) {
      broken.push({
        rule: 'imports',
        evidence: `${m.path} imports nothing from ${jobs.name}`,
        hint: `import what ${m.path} uses from ${jobs.name} (e.g. from ${jobs.name} import ${example}): ${jobs.path} holds the clients and every function on jobs, so ${m.name}.py needs no copy of its own`,
      });
    }
    const star = fromJobs.some((i) => i.star);
    for (const r of m.refs ?? []) {
      if (r.module !== jobs.name || open || defined.has(r.name)) continue;
      broken.push({
        rule: 'imports',
        evidence: r.imported
          ? `${at(m.path, r.line)}: imports ${r.name} from ${jobs.name}, which ${jobs.path} does not define (ImportError when it starts)`
          : `${at(m.path, r.line)}: uses ${jobs.name}.${r.name}, which ${jobs.path} does not define (AttributeError when that line runs)`,
        hint: `use only what ${jobs.path} defines (${example}, …), spelled as there, or define ${r.name} in ${jobs.path}`,
      });
    }
    for (const u of unboundNames(m, jobs)) {
      if (!defined.has(u.name) || (star && publicNames.has(u.name)) || isPrivate(u.name)) continue;
      broken.push({
        rule: 'imports',
        evidence: `${at(m.path, u.line)}: uses ${u.name}, which ${m.path} never imports (NameError when that line runs)`,
        hint: `add from ${jobs.name} import ${u.name} at the top of ${m.path}`,
      });
    }
    const referred = new Set((m.refs ?? []).filter((r) => r.module === jobs.name).map((r) => r.name));
    for (const t of m.toplevel ?? []) {
      const original = defined.get(t.name);
      if (!t.def || !original?.def || referred.has(t.name)) continue;
      broken.push({
        rule: 'imports',
        evidence: `${at(m.path, t.line)}: defines ${t.name} again (${at(jobs.path, original.line)} defines it)`,
        hint: `delete the copy of ${t.name} in ${m.path} and import it: from ${jobs.name} import ${t.name}`,
      });
    }
  }
  return broken;
}

/**
 * The names `m` reads and never binds; none when it also has `from other import *`, which may bind
 * any of them (`from flask import *`, a helper module's star), so that no NameError is claimed blind.
 */
function unboundNames(m: ModuleFacts, jobs: ModuleFacts): Located[] {
  return (m.stars ?? []).some((s) => s !== jobs.name) ? [] : (m.unbound ?? []);
}

/** No module but jobs uses a name of jobs with a leading underscore (dunders such as __version__ are public). */
function privateNames(jobs: ModuleFacts, others: ModuleFacts[]): RuleBroken[] {
  const broken: RuleBroken[] = [];
  const publicFunctions = (jobs.toplevel ?? []).filter((t) => t.def && !t.name.startsWith('_')).map((t) => t.name);
  const defined = new Set((jobs.toplevel ?? []).map((t) => t.name));
  for (const m of others) {
    const star = (m.imports ?? []).some((i) => i.module === jobs.name && i.star);
    const uses: (Located & { how: string })[] = (m.refs ?? [])
      .filter((r) => r.module === jobs.name && isPrivate(r.name))
      .map((r) => ({ name: r.name, line: r.line, how: r.imported ? `imports ${r.name} from ${jobs.name}` : `uses ${jobs.name}.${r.name}` }));
    // Used but never imported (`from jobs import *` leaves private names out): a NameError as well.
    const unimported = unboundNames(m, jobs).filter((u) => isPrivate(u.name) && defined.has(u.name));
    uses.push(...unimported.map((u) => ({ ...u, how: `uses ${u.name} (${star ? `which from ${jobs.name} import * does not import` : `never imported`})` })));
    for (const use of uses) {
      broken.push({
        rule: 'private',
        evidence: `${at(m.path, use.line)}: ${use.how}, a private name of ${jobs.name} (leading underscore)`,
        hint: `call a public function of ${jobs.name} instead${publicFunctions.length ? ` (${publicFunctions.slice(0, 4).join(', ')})` : ''}: a leading underscore says a name is for ${jobs.path} alone. If ${m.name}.py really needs what it does, give ${jobs.path} a public function that does it`,
      });
    }
  }
  return broken;
}

/** jobs.py makes a HotQueue and a Redis client; no other module makes either. */
function clientRules(parsed: ModuleFacts[], jobs: ModuleFacts | undefined): RuleBroken[] {
  const broken: RuleBroken[] = [];
  const jobsPath = jobs?.path ?? 'jobs.py';
  for (const m of parsed) {
    if (m === jobs) continue;
    for (const call of m.calls ?? []) {
      const client = clientMade(call.name);
      if (!client) continue;
      broken.push({
        rule: 'clients',
        evidence: `${at(m.path, call.line)}: ${call.name}(…) makes a ${client} client outside ${jobsPath}`,
        hint: `make the Redis and HotQueue clients once, in ${jobsPath}, and use them from ${m.path} through the functions of ${jobs?.name ?? 'jobs'} (or import them: from ${jobs?.name ?? 'jobs'} import q)`,
      });
    }
  }
  if (jobs && parsed.includes(jobs)) {
    const made = new Set((jobs.calls ?? []).map((c) => clientMade(c.name)));
    if (!made.has('HotQueue')) {
      broken.push({
        rule: 'clients',
        evidence: `${jobs.path} makes no HotQueue`,
        hint: `make the queue in ${jobs.path}: q = HotQueue("queue", host=os.environ.get("REDIS_IP"), port=6379, db=1)`,
      });
    }
    if (!made.has('Redis')) {
      broken.push({
        rule: 'clients',
        evidence: `${jobs.path} makes no Redis client for the job records`,
        hint: `make the records' client in ${jobs.path}: rd = redis.Redis(host=os.environ.get("REDIS_IP"), port=6379, db=0)`,
      });
    }
  }
  return broken;
}

/** Every import cycle among the folder's modules, each once, named by the imports that close it. */
function cycles(parsed: ModuleFacts[]): RuleBroken[] {
  const byName = new Map(parsed.map((m) => [m.name, m]));
  const edges = new Map(
    parsed.map((m) => {
      const first = new Map<string, number>();
      for (const i of m.imports ?? []) if (i.module !== m.name && byName.has(i.module) && !first.has(i.module)) first.set(i.module, i.line);
      return [m.name, first] as const;
    }),
  );
  const seen = new Set<string>();
  const broken: RuleBroken[] = [];
  const visit = (path: string[]): void => {
    const last = path.at(-1)!;
    for (const next of edges.get(last)?.keys() ?? []) {
      const loopAt = path.indexOf(next);
      if (loopAt >= 0) {
        const loop = path.slice(loopAt);
        const key = [...loop].sort().join(' ');
        if (seen.has(key)) continue;
        seen.add(key);
        const steps = loop.map((from, k) => {
          const to = loop[(k + 1) % loop.length]!;
          return `${at(byName.get(from)!.path, edges.get(from)!.get(to))} imports ${to}`;
        });
        const jobs = parsed.find((m) => m.role === 'jobs');
        broken.push({
          rule: 'circular',
          evidence: `${steps.join(', and ')}: a circular import`,
          hint:
            jobs && loop.includes(jobs.name)
              ? `${jobs.path} must not import the modules that import it: move what it takes from ${loop.filter((n) => n !== jobs.name).join(' and ')} into ${jobs.path}, so that imports go one way (api and worker → ${jobs.name})`
              : `break the cycle: imports go one way, so move what both modules need into one that neither imports back`,
        });
      } else if (path.length < byName.size) visit([...path, next]);
    }
  };
  for (const m of parsed) visit([m.name]);
  return broken;
}

/** A function decorated with @q.worker that the worker's own statements call. */
function workerRule(worker: ModuleFacts): RuleBroken[] {
  const decorated = worker.decorated ?? [];
  const called = new Set(worker.called ?? []);
  if (decorated.some((d) => called.has(d.name))) return [];
  const loops = worker.consumeLoops ?? [];
  if (decorated.length) {
    return [
      {
        rule: 'worker',
        evidence: `${at(worker.path, decorated[0]!.line)}: @q.worker decorates ${decorated.map((d) => `${d.name}()`).join(', ')}, but ${worker.path} never calls ${decorated.length > 1 ? 'them' : 'it'}`,
        hint: `call ${decorated[0]!.name}() (with no argument) at the end of ${worker.path}, outside the function: the decorator only makes it a consumer, calling it starts consuming`,
      },
    ];
  }
  return [
    {
      rule: 'worker',
      evidence: loops.length
        ? `${at(worker.path, loops[0])}: takes the jobs with for … in q.consume(); no function is decorated with @q.worker`
        : `no function in ${worker.path} is decorated with @q.worker`,
      hint: `put @q.worker on the line above the function that does one job (def execute_job(jid):) and call execute_job() at the end of ${worker.path}${loops.length ? ', instead of the for loop over q.consume()' : ''}: the course's worker uses the decorator`,
    },
  ];
}

/** The check's outcome from the probe's facts: every broken rule's evidence in the details, one hint per kind of mistake. */
export function modulesOutcome(modules: readonly ModuleFacts[]): CheckOutcome {
  const broken = brokenModuleRules(modules);
  const pathOf = (role: ModuleFacts['role']): string => modules.find((m) => m.role === role)?.path ?? role;
  if (broken.length === 0) {
    const worker = modules.find((m) => m.role === 'worker');
    const runs = worker?.decorated?.find((d) => worker.called?.includes(d.name))?.name;
    const helpers = modules.filter((m) => m.role === 'helper').length;
    return outcome(
      true,
      `${pathOf('api')} and ${pathOf('worker')} import from ${modules.find((m) => m.role === 'jobs')?.name ?? 'jobs'}, the clients are made only in ${pathOf('jobs')}, no private name is used elsewhere, no circular import${helpers ? ` (${helpers} more module${helpers > 1 ? 's' : ''} read)` : ''}; @q.worker decorates ${runs}(), which the worker calls`,
      { measurements: { modules: modules.length } },
    );
  }
  const files = broken.filter((b) => b.rule === 'files');
  const rules = moduleRules.filter((r) => broken.some((b) => b.rule === r));
  const summary = [
    ...(files.length ? [files.map((b) => b.evidence).join('; ')] : []),
    ...(rules.length ? [`${plural(rules.length, 'rule')} of ${moduleRules.length} broken: ${rules.map((r) => ruleTitles[r]).join('; ')}`] : []),
  ].join('. ');
  const hints = [...new Set(broken.map((b) => b.hint))];
  // A lone missing or unparsable file is the summary itself: no detail says it again.
  return outcome(false, summary, {
    details: rules.length === 0 && files.length === 1 ? [] : broken.map((b) => b.evidence),
    diagnosis: hints,
    measurements: { modules: modules.length, broken: broken.length },
  });
}

export async function modulesCheck(ctx: CheckContext, spec: ModulesSpec): Promise<CheckOutcome> {
  const files = modulesFiles(spec);
  const service = ctx.lab.scripts.consumer?.service ?? ctx.studentService;
  if (!service) throw new Error(`labs: ${ctx.lab.id} has no service to run the modules check in`);
  const run = await ctx.startScript({
    service,
    argv: ['python3', '-c', modulesProbe, files.jobs, files.api, files.worker],
    name: 'modules',
    timeoutMs: 15_000,
    signal: ctx.signal,
  });
  ctx.runs.push(run);
  await run.exited;
  return modulesOutcome(
    parseModulesProbe(
      run.lines.filter((l) => l.stream === 'stdout').map((l) => l.text),
      run.lines.map((l) => l.text),
    ),
  );
}

/**
 * The probe's facts from its output. A probe that printed no JSON (no python3 in the image, the
 * probe killed) is the grader's failure, never the student's: throws DOCKER_FAILED with what it printed.
 */
export function parseModulesProbe(stdout: readonly string[], everything: readonly string[]): ModuleFacts[] {
  try {
    const parsed = JSON.parse(stdout.join('\n').trim()) as { modules?: ModuleFacts[] };
    if (Array.isArray(parsed.modules)) return parsed.modules;
  } catch {
    // Reported below with what the probe printed.
  }
  throw new LabsError('DOCKER_FAILED', `the modules check's probe (python3 with ast) printed no result: ${everything.join(' ').slice(0, 300) || 'nothing'}`, {
    hint: "the lab's image must have python3: `labs doctor` shows what it holds",
  });
}

export const modules = defineKind({ kind: 'modules', schema: modulesSchema, judgedFromWire: false, hosts: () => ({ consumer: 1 }), run: modulesCheck });
