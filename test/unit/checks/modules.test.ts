/**
 * The modules check's rules on facts as its probe reports them, with no Docker. What the probe reads
 * from real files in the real image is test/integration/modules-probe.test.ts's.
 */
import { describe, expect, it } from 'vitest';
import { type ModuleFacts, brokenModuleRules, modulesFiles, modulesOutcome, parseModulesProbe } from '../../../runner/checks/kinds/modules.js';
import { isLabsError } from '../../../runner/errors.js';

/** A module as the probe reports one that parsed, with nothing in it unless given. */
function mod(role: ModuleFacts['role'], name: string, facts: Partial<ModuleFacts> = {}): ModuleFacts {
  return {
    path: `src/${name}.py`,
    name,
    role,
    imports: [],
    refs: [],
    calls: [],
    unbound: [],
    toplevel: [],
    all: null,
    decorated: [],
    called: [],
    consumeLoops: [],
    ...facts,
  };
}

const jobs = (facts: Partial<ModuleFacts> = {}): ModuleFacts =>
  mod('jobs', 'jobs', {
    calls: [
      { name: 'hotqueue.HotQueue', line: 5 },
      { name: 'redis.Redis', line: 6 },
    ],
    toplevel: [
      { name: 'q', line: 5, def: false },
      { name: 'rd', line: 6, def: false },
      { name: '_save_job', line: 8, def: true },
      { name: 'add_job', line: 12, def: true },
      { name: 'update_job_status', line: 20, def: true },
    ],
    ...facts,
  });
const importsJobs = (line = 1): ModuleFacts['imports'] => [{ module: 'jobs', line, name: null, star: false }];
const api = (facts: Partial<ModuleFacts> = {}): ModuleFacts => mod('api', 'api', { imports: importsJobs(), ...facts });
const worker = (facts: Partial<ModuleFacts> = {}): ModuleFacts =>
  mod('worker', 'worker', { imports: importsJobs(), decorated: [{ name: 'work', line: 4 }], called: ['work'], ...facts });
const rulesOf = (modules: ModuleFacts[]): string[] => brokenModuleRules(modules).map((b) => b.rule);

describe('the modules rules', () => {
  it('the course layout breaks none, and the summary says what holds', () => {
    const result = modulesOutcome([jobs(), api(), worker()]);
    expect(result.passed).toBe(true);
    expect(result.summary).toBe(
      'src/api.py and src/worker.py import from jobs, the clients are made only in src/jobs.py, no private name is used elsewhere, no circular import; @q.worker decorates work(), which the worker calls',
    );
  });

  it('every path to a redis-py client counts, and nothing else from redis does', () => {
    const calls = [
      'redis.client.StrictRedis',
      'redis.from_url',
      'redis.Redis.from_url',
      'redis.asyncio.Redis',
      'redis.ConnectionPool',
      'redis.exceptions.ConnectionError',
    ];
    const broken = brokenModuleRules([jobs(), api({ calls: calls.map((name, i) => ({ name, line: i + 1 })) }), worker()]);
    expect(broken.map((b) => b.evidence)).toEqual([
      'src/api.py:1: redis.client.StrictRedis(…) makes a Redis client outside src/jobs.py',
      'src/api.py:2: redis.from_url(…) makes a Redis client outside src/jobs.py',
      'src/api.py:3: redis.Redis.from_url(…) makes a Redis client outside src/jobs.py',
      'src/api.py:4: redis.asyncio.Redis(…) makes a Redis client outside src/jobs.py',
    ]);
  });

  it('jobs.py that makes no client breaks the clients rule, naming what it lacks', () => {
    const broken = brokenModuleRules([jobs({ calls: [{ name: 'redis.Redis', line: 3 }] }), api(), worker()]);
    expect(broken).toEqual([
      expect.objectContaining({ rule: 'clients', evidence: 'src/jobs.py makes no HotQueue', hint: expect.stringContaining('q = HotQueue("queue"') }),
    ]);
  });

  it('dunder names of jobs are public; underscored ones are private however they are reached', () => {
    const refs = [
      { module: 'jobs', name: '__version__', line: 2, imported: false },
      { module: 'jobs', name: '_save_job', line: 3, imported: false },
    ];
    const broken = brokenModuleRules([jobs({ toplevel: [...jobs().toplevel!, { name: '__version__', line: 1, def: false }] }), api({ refs }), worker()]);
    expect(broken.map((b) => [b.rule, b.evidence])).toEqual([['private', 'src/api.py:3: uses jobs._save_job, a private name of jobs (leading underscore)']]);
    expect(broken[0]!.hint).toBe(
      'call a public function of jobs instead (add_job, update_job_status): a leading underscore says a name is for src/jobs.py alone. If api.py really needs what it does, give src/jobs.py a public function that does it',
    );
  });

  it('a private name used without any import is private and a NameError', () => {
    const broken = brokenModuleRules([jobs(), api({ unbound: [{ name: '_save_job', line: 9 }] }), worker()]);
    expect(broken.map((b) => b.evidence)).toEqual(['src/api.py:9: uses _save_job (never imported), a private name of jobs (leading underscore)']);
  });

  it('with __all__, from jobs import * brings only the names listed', () => {
    const star = [{ module: 'jobs', line: 1, name: '*', star: true }];
    const unbound = [
      { name: 'add_job', line: 5 },
      { name: 'update_job_status', line: 6 },
    ];
    const broken = brokenModuleRules([jobs({ all: ['add_job'] }), api({ imports: star, unbound }), worker()]);
    expect(broken.map((b) => b.evidence)).toEqual(['src/api.py:6: uses update_job_status, which src/api.py never imports (NameError when that line runs)']);
  });

  it('a star import from another module may bind any name, so none is called unimported', () => {
    const unbound = [
      { name: 'add_job', line: 5 },
      { name: '_save_job', line: 6 },
    ];
    expect(rulesOf([jobs(), api({ stars: ['helpers'], unbound }), worker()])).toEqual([]);
    const starFromJobs = [{ module: 'jobs', line: 1, name: '*', star: true }];
    expect(rulesOf([jobs(), api({ imports: starFromJobs, stars: ['jobs'], unbound }), worker()])).toEqual(['private']);
  });

  it('a jobs module with a module-level __getattr__ answers any name', () => {
    const refs = [{ module: 'jobs', name: 'anything', line: 2, imported: true }];
    expect(rulesOf([jobs({ toplevel: [...jobs().toplevel!, { name: '__getattr__', line: 30, def: true }] }), api({ refs }), worker()])).toEqual([]);
    expect(brokenModuleRules([jobs(), api({ refs }), worker()]).map((b) => b.evidence)).toEqual([
      'src/api.py:2: imports anything from jobs, which src/jobs.py does not define (ImportError when it starts)',
    ]);
  });

  it('a cycle through a helper module is reported once, with every import that closes it', () => {
    const modules = [
      jobs({ imports: [{ module: 'audit', line: 4, name: 'log', star: false }] }),
      mod('helper', 'audit', { imports: [{ module: 'api', line: 2, name: 'app', star: false }] }),
      api(),
      worker(),
    ];
    const broken = brokenModuleRules(modules);
    expect(broken.map((b) => b.evidence)).toEqual([
      'src/jobs.py:4 imports audit, and src/audit.py:2 imports api, and src/api.py:1 imports jobs: a circular import',
    ]);
    expect(broken[0]!.hint).toMatch(/^src\/jobs\.py must not import the modules that import it: move what it takes from audit and api into src\/jobs\.py/);
  });

  it('a missing or unparsable module is named first; the rest is still judged', () => {
    const result = modulesOutcome([
      { path: 'src/jobs.py', name: 'jobs', role: 'jobs', missing: true },
      api({ calls: [{ name: 'hotqueue.HotQueue', line: 7 }] }),
      { path: 'src/worker.py', name: 'worker', role: 'worker', error: { type: 'IndentationError', msg: 'unexpected indent', line: 3, col: 4 } },
    ]);
    expect(result.passed).toBe(false);
    expect(result.summary).toBe(
      'src/jobs.py is missing; src/worker.py:3:4: IndentationError: unexpected indent. 1 rule of 5 broken: the Redis and HotQueue clients are made only in jobs.py',
    );
    expect(result.details).toEqual([
      'src/jobs.py is missing',
      'src/worker.py:3:4: IndentationError: unexpected indent',
      'src/api.py:7: hotqueue.HotQueue(…) makes a HotQueue client outside src/jobs.py',
    ]);
    expect(result.diagnosis[1]).toBe('fix the IndentationError in src/worker.py at line 3: Python cannot import the module, so whatever runs it stops at once');
  });

  it('the files default to the course layout', () => {
    expect(modulesFiles({})).toEqual({ jobs: 'src/jobs.py', api: 'src/api.py', worker: 'src/worker.py' });
    expect(modulesFiles({ jobs_file: 'jobs.py' }).jobs).toBe('jobs.py');
  });
});

describe("the probe's output", () => {
  it('no JSON is the grader failing (DOCKER_FAILED, with what it printed), not the student', () => {
    let error: unknown;
    try {
      parseModulesProbe([], ['python3: not found']);
    } catch (e) {
      error = e;
    }
    expect(isLabsError(error) && error.code === 'DOCKER_FAILED' && error.message).toBe(
      "the modules check's probe (python3 with ast) printed no result: python3: not found",
    );
  });
});
