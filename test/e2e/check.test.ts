/**
 * `labs check` as a student and a course CI use it, against the real engine: the reference solution
 * scores full marks; mistakes a student makes fail with what was seen and the likely mistake; JSON,
 * JUnit and Gradescope outputs; a seed replays a run; nothing is left behind.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xmlEscape } from '../../runner/report/junit.js';
import { labelled, labs, leftBy, nothing, repoRoot, sweep, tempDir } from '../helpers/labs.js';

interface JsonReport {
  lab: string;
  seed: number;
  score: number;
  maxScore: number;
  checks: { id: string; kind: string; passed: boolean; score: number; maxScore: number; summary: string; hint: string | null }[];
}

const solution = (lab: string) => join(repoRoot, 'templates', lab, 'solution');

async function copyOf(lab: string): Promise<string> {
  const dir = await tempDir('labs-check-');
  await cp(solution(lab), dir, { recursive: true });
  return dir;
}

/** `labs check exercise-1` of `dir`, only its producer and delivery checks, which must both fail; the report. */
async function producerAndConsumerFail(dir: string): Promise<JsonReport> {
  const { report } = await checkJson('exercise-1', dir, ['--only', 'producer-puts-arguments,delivery-one-consumer']);
  expect(report.checks.map((c) => [c.id, c.passed])).toEqual([
    ['producer-puts-arguments', false],
    ['delivery-one-consumer', false],
  ]);
  return report;
}

async function checkJson(lab: string, dir: string, extra: string[] = []): Promise<{ exitCode: number | undefined; report: JsonReport; stderr: string }> {
  const result = await labs(['check', lab, dir, '--json', ...extra], { cwd: dir });
  let report: JsonReport;
  try {
    report = JSON.parse(String(result.stdout)) as JsonReport;
  } catch {
    throw new Error(`stdout was not JSON (exit ${result.exitCode}):\n${String(result.stdout)}\n${String(result.stderr)}`);
  }
  return { exitCode: result.exitCode, report, stderr: String(result.stderr) };
}

const failed = (r: JsonReport) => r.checks.filter((c) => !c.passed).map((c) => c.kind);

describe('labs check exercise-1', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await sweep(d);
  });

  it('the reference solution scores full marks; the terminal report shows each check, points and the seed (exit 0)', async () => {
    const dir = await copyOf('exercise-1');
    dirs.push(dir);
    const run = labs(['check', 'exercise-1', dir, '--junit', 'junit.xml', '--gradescope', 'results.json'], { cwd: dir });
    const result = await run;
    expect(result.exitCode, String(result.stdout) + String(result.stderr)).toBe(0);
    expect(result.stdout).toMatch(/^✓ PASS {2}.*\[producer-puts-arguments\] {2}2\/2$/m);
    expect(result.stdout).toMatch(/all 50 delivered exactly once, in order/);
    expect(result.stdout).toMatch(/^All checks passed: 10\/10 points {2}\(seed \d+; `--seed \d+` replays this run\)$/m);
    expect(await readFile(join(dir, 'junit.xml'), 'utf8')).toMatch(/<testsuites tests="4" failures="0"/);
    expect(JSON.parse(await readFile(join(dir, 'results.json'), 'utf8'))).toMatchObject({ score: 10, max_score: 10 });
    // Nothing of this run is left.
    expect(await leftBy(run.pid)).toEqual(nothing);
  });

  it('a consumer that exits when the queue is empty fails delivery and latency, with what was seen (exit 1)', async () => {
    const dir = await copyOf('exercise-1');
    dirs.push(dir);
    await writeFile(
      join(dir, 'consumer.py'),
      'import os\nfrom hotqueue import HotQueue\nq = HotQueue("queue", host=os.environ["REDIS_IP"], port=6379, db=1)\nwhile True:\n    item = q.get()\n    if item is None:\n        break\n    print(item)\n',
    );
    const { exitCode, report } = await checkJson('exercise-1', dir);
    expect(exitCode).toBe(1);
    expect(failed(report)).toEqual(['delivery', 'latency', 'blocking']);
    const delivery = report.checks.find((c) => c.kind === 'delivery')!;
    expect(delivery.summary).toMatch(/^50 sent: 25 delivered exactly once, 25 lost/);
    expect(delivery.hint).toMatch(/ended by itself \(exit 0\) instead of waiting for more messages/);
    expect(report.score).toBe(2);
  });

  it('printing the messages it expects, without consuming, does not pass', async () => {
    const dir = await copyOf('exercise-1');
    dirs.push(dir);
    // A forger that prints every token shape it can guess and never touches Redis.
    await writeFile(join(dir, 'consumer.py'), 'import time\nfor i in range(100):\n    print("msg-%03d" % i, flush=True)\ntime.sleep(60)\n');
    const { report } = await checkJson('exercise-1', dir, ['--only', 'delivery-one-consumer']);
    expect(report.checks[0]).toMatchObject({ passed: false, score: 0 });
    expect(report.checks[0]!.hint).toMatch(/never reached redis-db/);
  });

  it('scripts with a hard-coded IP address fail at once, with the address they were trying', async () => {
    const dir = await copyOf('exercise-1');
    dirs.push(dir);
    // 172.17.0.2: on the engine's default bridge, which the lab's network has no way to.
    for (const file of ['producer.py', 'consumer.py']) {
      const source = await readFile(join(dir, file), 'utf8');
      await writeFile(join(dir, file), source.replace('host=os.environ.get("REDIS_IP", "redis-db")', 'host="172.17.0.2"'));
    }
    const report = await producerAndConsumerFail(dir);
    for (const [check, file] of [
      [report.checks[0]!, 'producer.py'],
      [report.checks[1]!, 'consumer.py'],
    ] as const) {
      if (process.getuid?.() === 0) {
        // The lab network refuses what leaves it (firewall.ts): the script crashes at once, instead
        // of waiting in connect() for the check's deadline (a regression: 37.7 s against 20 s for
        // exercise-2, the tail of every batch).
        expect(check.hint).toMatch(
          new RegExp(
            `^${file} could not connect to Redis \\(redis\\.exceptions\\.ConnectionError: Error 111 connecting to 172\\.17\\.0\\.2:6379\\. Connection refused\\.\\): connect to host REDIS_IP \\(redis-db\\), not a hard-coded IP address, at ${file} line`,
          ),
        );
      } else {
        // Not root, no rule: the engine drops in silence, and the grader names what the script waited on.
        expect(check.hint).toMatch(
          new RegExp(`^${file} never reached redis-db: it was trying to connect to 172\\.17\\.0\\.2:6379, where nothing answers, when it was stopped`),
        );
      }
    }
    if (process.getuid?.() === 0) expect(report.checks[0]!.summary).not.toMatch(/stopped by the grader/);
  });

  it('scripts that retry a hard-coded IP address, as redis-py 6 and later do, are named as refused, not waited out', async () => {
    const dir = await copyOf('exercise-1');
    dirs.push(dir);
    const retrying = (body: string): string =>
      [
        'import sys, time',
        'import redis',
        'from hotqueue import HotQueue',
        'q = HotQueue("queue", host="172.17.0.2", port=6379, db=1)',
        'while True:',
        '    try:',
        body,
        '    except redis.exceptions.ConnectionError:',
        '        time.sleep(0.3)',
      ].join('\n');
    await writeFile(join(dir, 'producer.py'), retrying('        for msg in sys.argv[1:]:\n            q.put(msg)\n        break'));
    await writeFile(join(dir, 'consumer.py'), retrying('        for item in q.consume():\n            print(item)'));
    const report = await producerAndConsumerFail(dir);
    for (const [check, file] of [
      [report.checks[0]!, 'producer.py'],
      [report.checks[1]!, 'consumer.py'],
    ] as const) {
      // As root the lab network refuses the request; the supervisor says so a second later (before,
      // the check waited its 5 s grace and said only that the script had no connection). Not root:
      // nothing answers, and the supervisor names the address after 3 s.
      expect(check.hint).toMatch(
        process.getuid?.() === 0
          ? new RegExp(`^${file} never reached redis-db: its connection requests were refused, and it had no connection when it was stopped`)
          : new RegExp(`^${file} never reached redis-db: it was trying to connect to 172\\.17\\.0\\.2:6379, where nothing answers`),
      );
    }
  });

  it('a consumer that connects and then sleeps does not pass blocking: quiet is not waiting (a regression)', async () => {
    const dir = await copyOf('exercise-1');
    dirs.push(dir);
    await writeFile(
      join(dir, 'consumer.py'),
      'import os, time\nimport redis\nredis.Redis(host=os.environ["REDIS_IP"], port=6379, db=1).ping()\ntime.sleep(3600)\n',
    );
    const { report } = await checkJson('exercise-1', dir, ['--only', 'blocking-when-idle']);
    expect(report.checks[0]).toMatchObject({ passed: false });
    expect(report.checks[0]!.summary).toMatch(/but was not waiting in a blocking pop$/);
    expect(report.checks[0]!.hint).toMatch(/connected but did not wait for messages in Redis/);
  });

  it('--seed replays a run: the same messages, so the same results', async () => {
    const dir = await copyOf('exercise-1');
    dirs.push(dir);
    await writeFile(
      join(dir, 'producer.py'),
      (await readFile(join(dir, 'producer.py'), 'utf8')).replace(/for msg in sys\.argv\[1:\]:\n\s+q\.put\(msg\)/, 'q.put(*reversed(sys.argv[1:]))'),
    );
    const first = await checkJson('exercise-1', dir, ['--only', 'producer-puts-arguments']);
    const again = await checkJson('exercise-1', dir, ['--only', 'producer-puts-arguments', '--seed', String(first.report.seed)]);
    expect(first.report.checks[0]!.passed).toBe(false);
    expect(first.report.checks[0]!.hint).toMatch(/reverse order/);
    expect(again.report.seed).toBe(first.report.seed);
    expect(again.report.checks[0]!.summary).toBe(first.report.checks[0]!.summary);
  });

  it('a missing file is a failed check, not an error', async () => {
    const dir = await tempDir('labs-check-');
    dirs.push(dir);
    const { exitCode, report } = await checkJson('exercise-1', dir);
    expect(exitCode).toBe(1);
    expect(report.score).toBe(0);
    expect(report.checks.find((c) => c.kind === 'producer')!.hint).toMatch(/producer\.py crashed .*No such file|can't open file/);
  });
});

describe('labs check reads source the way Python does: as editors save it', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await sweep(d);
  });

  /** The exercise-3 reference solution, with worker.py as `save` turns its text into bytes. */
  async function savedAs(save: (source: string) => Buffer): Promise<string> {
    const dir = await copyOf('exercise-3');
    dirs.push(dir);
    await writeFile(join(dir, 'worker.py'), save(await readFile(join(dir, 'worker.py'), 'utf8')));
    return dir;
  }

  const saves: [string, (source: string) => Buffer][] = [
    ['with a UTF-8 byte order mark (Windows Notepad)', (s) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(s, 'utf8')])],
    ['with CRLF line ends', (s) => Buffer.from(s.replace(/\n/g, '\r\n'), 'utf8')],
    [
      'in Latin-1, declared by a coding comment, with a non-ASCII comment',
      (s) => Buffer.from(`# -*- coding: latin-1 -*-\n# Écho: affiche chaque élément reçu (ça marche).\n${s}`, 'latin1'),
    ],
    ['indented with tabs', (s) => Buffer.from(s.replace(/^ {4}/gm, '\t'), 'utf8')],
  ];
  for (const [how, save] of saves) {
    it(`exercise-3's reference solution saved ${how} scores full marks`, async () => {
      const dir = await savedAs(save);
      const { exitCode, report } = await checkJson('exercise-3', dir);
      expect(report.checks.filter((c) => !c.passed).map((c) => `${c.id}: ${c.summary}`)).toEqual([]);
      expect(report.score).toBe(report.maxScore);
      expect(exitCode).toBe(0);
    });
  }
});

describe("labs check of a student's compose file that is not valid YAML", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await sweep(d);
  });

  /** exercise-2's reference solution with its redis-db line (line 5) indented with a tab, as an editor may. */
  async function tabbed(): Promise<string> {
    const dir = await copyOf('exercise-2');
    dirs.push(dir);
    const compose = join(dir, 'docker-compose.yml');
    await writeFile(compose, (await readFile(compose, 'utf8')).replace('\n  redis-db:\n', '\n\tredis-db:\n'));
    return dir;
  }
  const where = /docker-compose\.yml:5:1: Tabs are not allowed as indentation/;

  it('is student input in --json, --junit and --gradescope: every check failed with file:line:col and a hint (exit 1)', async () => {
    const dir = await tabbed();
    const { exitCode, report } = await checkJson('exercise-2', dir, ['--junit', 'junit.xml', '--gradescope', 'results.json']);
    expect(exitCode).toBe(1);
    expect(report.score).toBe(0);
    expect(report.checks.map((c) => c.id)).toEqual([
      'producer-puts-arguments',
      'delivery-one-consumer',
      'sharing-two-consumers',
      'delivery-two-consumers',
      'persistence-survives-redis-crash',
      'restart-consumer',
      'address-redis-by-name',
      'latency-new-message',
      'blocking-when-idle',
    ]);
    for (const check of report.checks) {
      expect(check).toMatchObject({ passed: false, score: 0 });
      expect(check.summary).toMatch(where);
      expect(check.hint).toMatch(/docker-compose\.yml/);
      expect(JSON.stringify(check)).not.toContain(dir);
    }
    const { summary, hint } = report.checks[0]!;
    const junit = await readFile(join(dir, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<testsuites tests="9" failures="9"/);
    expect(junit.split(`<failure message="${xmlEscape(summary)}"`)).toHaveLength(10);
    const gradescope = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as { score: number; tests: { status: string; output: string }[] };
    expect(gradescope.score).toBe(0);
    expect(gradescope.tests).toHaveLength(9);
    for (const test of gradescope.tests) {
      expect(test.status).toBe('failed');
      expect(test.output).toContain(summary);
      expect(test.output).toContain(hint!);
    }
  });

  it('is student input in the terminal too: the same words, exit 1', async () => {
    const dir = await tabbed();
    const result = await labs(['check', 'exercise-2', dir], { cwd: dir });
    expect(result.exitCode, String(result.stderr)).toBe(1);
    expect(String(result.stdout).match(/^✗ FAIL {2}/gm)).toHaveLength(9);
    expect(String(result.stdout).match(new RegExp(`^ {8}not run: ${where.source}`, 'gm'))).toHaveLength(9);
    expect(String(result.stdout).match(/^ {8}hint: fix docker-compose\.yml at the line:col given/gm)).toHaveLength(9);
    expect(result.stdout).not.toContain(dir);
    expect(result.stdout).toMatch(/^9 of 9 checks failed: 0\/10 points/m);
  });
});

describe('labs check in a workspace', () => {
  let root: string;
  beforeAll(async () => {
    root = await tempDir('labs-check-ws-');
  });
  afterAll(async () => sweep(join(root, 'exercise-3')));

  it('grades the workspace’s files without touching its running containers; the starter fails with hints', async () => {
    const start = await labs(['start', 'exercise-3'], { cwd: root });
    expect(start.exitCode, String(start.stderr)).toBe(0);
    const ws = join(root, 'exercise-3');
    const before = await labelled('container', `labs.workspace=${ws}`);
    const result = await labs(['check', '--json', '--only', 'worker-decorator-used'], { cwd: ws });
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(String(result.stdout)) as JsonReport;
    expect(report.checks[0]).toMatchObject({ id: 'worker-decorator-used', passed: false });
    expect(report.checks[0]!.summary).toBe('no function in worker.py is decorated with @q.worker');
    expect(await labelled('container', `labs.workspace=${ws}`)).toEqual(before);
    await cp(join(solution('exercise-3'), 'worker.py'), join(ws, 'worker.py'));
    const fixed = await labs(['check', '--only', 'worker-decorator-used,delivery-two-workers'], { cwd: ws });
    expect(fixed.exitCode, String(fixed.stdout)).toBe(0);
    expect(fixed.stdout).toMatch(/@q\.worker decorates echo\(\), which worker\.py calls/);
  });

  it('an unknown check id is a usage error naming the checks (exit 2)', async () => {
    const result = await labs(['check', '--only', 'nope'], { cwd: join(root, 'exercise-3') });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^labs: exercise-3 has no check "nope"$/m);
    expect(result.stderr).toMatch(/its checks: worker-decorator-used, /);
  });
});
