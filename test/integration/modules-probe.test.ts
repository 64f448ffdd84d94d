/**
 * The modules check's ast probe in the real python:3.10 image, against student-shaped code in
 * test/fixtures/modules/: the course's correct jobs/api/worker trio, the same written otherwise
 * (star import, module alias, a helper module, a byte order mark with CRLF and tabs, the decorated
 * function called from main(), a pytest file that makes its own client), and each bad
 * shape, which must fail for its own reason with the evidence and hint a student would read.
 * Each fixture folder holds what differs from correct/ (laid first); missing-worker drops worker.py.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ModuleRule, brokenModuleRules, modulesOutcome, modulesProbe, parseModulesProbe } from '../../runner/checks/kinds/modules.js';
import { currentOwner } from '../../runner/provision/labels.js';
import type { CheckOutcome } from '../../runner/checks/outcome.js';

const fixtures = join(import.meta.dirname, '../fixtures/modules');
const name = `labs-modules-probe-${process.pid}-${Date.now().toString(36)}`;
let root: string;

/** The fixtures laid out as students would hand them in: correct/ first, then the shape's own files. */
const shapes = [
  'correct',
  'star-import',
  'module-alias',
  'helper-module',
  'bom-crlf-tabs',
  'main-and-tests',
  'private-attribute',
  'private-import',
  'private-after-star',
  'private-dotted-path',
  'client-in-api',
  'client-in-worker',
  'redis-in-worker',
  'helper-client',
  'circular',
  'consume-loop',
  'worker-never-called',
  'syntax-error',
  'missing-worker',
  'name-not-imported',
  'import-typo',
  'copied-function',
  'worker-no-import',
];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'labs-modules-'));
  for (const shape of shapes) {
    await cp(join(fixtures, 'correct'), join(root, shape), { recursive: true });
    // missing-worker is the correct trio less worker.py: it has no folder of its own (git keeps no empty one).
    if (shape !== 'correct' && shape !== 'missing-worker') await cp(join(fixtures, shape), join(root, shape), { recursive: true });
  }
  await rm(join(root, 'missing-worker', 'src', 'worker.py'));
  // One container for every shape: read-only, no network, uid 1000, as a check runs student code.
  await execa('docker', [
    'run',
    '-d',
    '--name',
    name,
    '--label',
    `labs.owner=${currentOwner()}`,
    '--label',
    'labs.test=modules-probe',
    '--network',
    'none',
    '--user',
    '1000:1000',
    '--read-only',
    '-v',
    `${root}:/fixtures:ro`,
    'python:3.10',
    'sleep',
    'infinity',
  ]);
}, 60_000);

afterAll(async () => {
  await execa('docker', ['rm', '-f', '-v', name], { reject: false });
  if (root) await rm(root, { recursive: true, force: true });
});

/** The probe run in the image on one shape, and the check's outcome. */
async function judge(shape: string): Promise<{ outcome: CheckOutcome; rules: string[] }> {
  const { stdout, stderr } = await execa('docker', [
    'exec',
    '-w',
    `/fixtures/${shape}`,
    name,
    'python3',
    '-c',
    modulesProbe,
    'src/jobs.py',
    'src/api.py',
    'src/worker.py',
  ]);
  const facts = parseModulesProbe(stdout.split('\n'), [stdout, stderr]);
  return { outcome: modulesOutcome(facts), rules: [...new Set(brokenModuleRules(facts).map((b) => b.rule))] };
}

describe('the modules probe in python:3.10', () => {
  it.each(['correct', 'star-import', 'module-alias', 'helper-module', 'bom-crlf-tabs', 'main-and-tests'])('%s passes', async (shape) => {
    const { outcome } = await judge(shape);
    expect(outcome.details).toEqual([]);
    expect(outcome.passed).toBe(true);
    expect(outcome.summary).toMatch(/^src\/api\.py and src\/worker\.py import from jobs, the clients are made only in src\/jobs\.py/);
    expect(outcome.summary).toContain('@q.worker decorates execute_job(), which the worker calls');
  });

  it('says how many more modules it read', async () => {
    expect((await judge('helper-module')).outcome.summary).toContain('(1 more module read)');
  });

  const failing: [shape: string, rules: (ModuleRule | 'files')[], evidence: string, hint: RegExp][] = [
    [
      'private-attribute',
      ['private'],
      'src/api.py:11: uses jobs._generate_jid, a private name of jobs (leading underscore)',
      /call a public function of jobs instead \(add_job, /,
    ],
    [
      'private-import',
      ['private'],
      'src/api.py:3: imports _save_job from jobs, a private name of jobs (leading underscore)',
      /a leading underscore says a name is for src\/jobs\.py alone/,
    ],
    [
      'private-after-star',
      ['private'],
      'src/api.py:11: uses _generate_jid (which from jobs import * does not import), a private name of jobs (leading underscore)',
      /public function/,
    ],
    ['private-dotted-path', ['private'], 'src/worker.py:12: uses jobs._save_job, a private name of jobs (leading underscore)', /public function/],
    [
      'client-in-api',
      ['clients'],
      'src/api.py:10: redis.StrictRedis(…) makes a Redis client outside src/jobs.py',
      /make the Redis and HotQueue clients once, in src\/jobs\.py/,
    ],
    ['client-in-worker', ['clients'], 'src/worker.py:8: hotqueue.HotQueue(…) makes a HotQueue client outside src/jobs.py', /from jobs import q/],
    ['redis-in-worker', ['clients'], 'src/worker.py:9: redis.Redis(…) makes a Redis client outside src/jobs.py', /once, in src\/jobs\.py/],
    ['helper-client', ['clients'], 'src/db.py:7: redis.Redis(…) makes a Redis client outside src/jobs.py', /once, in src\/jobs\.py/],
    [
      'circular',
      ['circular'],
      'src/jobs.py:9 imports api, and src/api.py:3 imports jobs: a circular import',
      /src\/jobs\.py must not import the modules that import it/,
    ],
    [
      'consume-loop',
      ['worker'],
      'src/worker.py:6: takes the jobs with for … in q.consume(); no function is decorated with @q.worker',
      /instead of the for loop over q\.consume\(\)/,
    ],
    [
      'worker-never-called',
      ['worker'],
      'src/worker.py:8: @q.worker decorates execute_job(), but src/worker.py never calls it',
      /call execute_job\(\) \(with no argument\) at the end of src\/worker\.py/,
    ],
    ['syntax-error', ['files'], "src/api.py:20:16: SyntaxError: expected ':'", /fix the SyntaxError in src\/api\.py at line 20/],
    ['missing-worker', ['files'], 'src/worker.py is missing', /write src\/worker\.py/],
    [
      'name-not-imported',
      ['imports'],
      'src/api.py:26: uses get_job_by_id, which src/api.py never imports (NameError when that line runs)',
      /from jobs import get_job_by_id at the top of src\/api\.py/,
    ],
    [
      'import-typo',
      ['imports'],
      'src/api.py:3: imports get_jobs_ids from jobs, which src/jobs.py does not define (ImportError when it starts)',
      /use only what src\/jobs\.py defines \(.*\), spelled as there/,
    ],
    [
      'copied-function',
      ['imports'],
      'src/api.py:10: defines get_job_by_id again (src/jobs.py:38 defines it)',
      /delete the copy of get_job_by_id in src\/api\.py/,
    ],
    ['worker-no-import', ['imports'], 'src/worker.py imports nothing from jobs', /import what src\/worker\.py uses from jobs/],
  ];

  it.each(failing)('%s fails the %j rule, with its evidence and hint', async (shape, rules, evidence, hint) => {
    const { outcome, rules: broken } = await judge(shape);
    expect(outcome.passed).toBe(false);
    expect(broken).toEqual(rules);
    const seen = [outcome.summary, ...outcome.details];
    expect(seen, JSON.stringify(seen)).toContain(evidence);
    expect(outcome.diagnosis.some((h) => hint.test(h))).toBe(true);
  });

  it('a lone SyntaxError is the summary, said once', async () => {
    const { outcome } = await judge('syntax-error');
    expect(outcome.summary).toBe("src/api.py:20:16: SyntaxError: expected ':'");
    expect(outcome.details).toEqual([]);
  });
});
