/**
 * static: a construct is really used, judged by Python's own parser (ast) in the lab's image, not by
 * a regex: `@q.worker` must decorate a function that the module then calls.
 */
import type { z } from 'zod';
import { defineKind } from './kind.js';
import { staticSchema } from '../../lab/check-kinds.js';
import type { CheckContext } from '../context.js';
import { type CheckOutcome, outcome } from '../outcome.js';

export type StaticSpec = z.infer<typeof staticSchema>;

/**
 * Prints JSON: the functions decorated with <name>.worker, and the names called at module level; or
 * `{error}` when Python could not read the file. The source is parsed from its bytes, as `python
 * FILE` reads it (PEP 263): a UTF-8 byte order mark, a `coding:` declaration and any line ends are
 * honoured, where decoding the text first (as UTF-8) would fail on the first two.
 */
const workerDecoratorProbe = `
import ast, json, sys
path = sys.argv[1]
try:
    with open(path, "rb") as f:
        source = f.read()
    tree = ast.parse(source, path)
except SyntaxError as e:
    where = " (line %s)" % e.lineno if e.lineno else ""
    print(json.dumps({"error": "%s: %s%s" % (type(e).__name__, e.msg, where)})); sys.exit(0)
except (ValueError, RecursionError, MemoryError) as e:
    print(json.dumps({"error": "%s: %s" % (type(e).__name__, e)})); sys.exit(0)
except OSError as e:
    print(json.dumps({"error": "cannot read %s: %s" % (path, e.strerror)})); sys.exit(0)
def is_worker(d):
    d = d.func if isinstance(d, ast.Call) else d
    return isinstance(d, ast.Attribute) and d.attr == "worker"
decorated = [f.name for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(is_worker(d) for d in f.decorator_list)]
def top_level_calls(body):
    for node in body:
        if isinstance(node, ast.If):
            yield from top_level_calls(node.body)
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name):
                yield sub.func.id
called = sorted(set(top_level_calls(tree.body)))
print(json.dumps({"decorated": decorated, "called": called}))
`;

export async function staticCheck(ctx: CheckContext, spec: StaticSpec): Promise<CheckOutcome> {
  const file = spec.file ?? ctx.lab.files.find((f) => f.role === 'worker' || f.role === 'consumer')?.path ?? 'worker.py';
  const service = ctx.lab.scripts.consumer?.service ?? ctx.studentService;
  if (!service) throw new Error(`labs: ${ctx.lab.id} has no service to run the static check in`);
  const run = await ctx.startScript({ service, argv: ['python3', '-c', workerDecoratorProbe, file], name: 'static', timeoutMs: 15_000, signal: ctx.signal });
  ctx.runs.push(run);
  await run.exited;
  const text = run.lines
    .filter((l) => l.stream === 'stdout')
    .map((l) => l.text)
    .join('\n')
    .trim();
  let result: { decorated?: string[]; called?: string[]; error?: string };
  try {
    result = JSON.parse(text) as typeof result;
  } catch {
    throw new Error(
      `labs: the static check printed no result: ${run.lines
        .map((l) => l.text)
        .join(' ')
        .slice(0, 300)}`,
    );
  }
  if (result.error) {
    return outcome(false, `${file} could not be read by Python's parser: ${result.error}`, {
      diagnosis: [`fix ${file} so that Python can parse it: ${result.error}`],
    });
  }
  const decorated = result.decorated ?? [];
  const called = new Set(result.called ?? []);
  const used = decorated.filter((name) => called.has(name));
  const passed = used.length > 0;
  const summary = passed
    ? `@q.worker decorates ${used.join(', ')}(), which ${file} calls`
    : decorated.length
      ? `@q.worker decorates ${decorated.join(', ')}(), but ${file} never calls ${decorated.length > 1 ? 'them' : 'it'}`
      : `no function in ${file} is decorated with @q.worker`;
  const diagnosis = passed
    ? []
    : decorated.length
      ? [`call the decorated function (e.g. ${decorated[0]}()) at the end of ${file}: the decorator only turns it into a consumer; calling it starts consuming`]
      : [`put @q.worker on the line above def echo(item): and call echo() at the end: the decorator replaces the for loop`];
  return outcome(passed, summary, { diagnosis });
}

export const staticKind = defineKind({ kind: 'static', schema: staticSchema, judgedFromWire: false, hosts: () => ({ consumer: 1 }), run: staticCheck });
