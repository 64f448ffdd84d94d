/**
 * One submission cannot change the next one's verdict nor read what it left, however the batch
 * slot's containers are reused (issue 15): `labs grade -j 1` over adversaries, each followed by a
 * detector. An adversary is the exercise-1 reference solution that also leaves behind background
 * processes holding Redis connections, files in /tmp, /dev/shm and /lab, SysV and POSIX IPC objects,
 * megabytes of output without a newline, keys in every db, changed CONFIG, a disabled default user,
 * a CLIENT PAUSE, a DEBUG SLEEP, or a SHUTDOWN NOSAVE (test/fixtures/reuse/adversary.py). A detector
 * is the reference solution that first looks for all of that and loses points for each find
 * (test/fixtures/reuse/detector.py). The controls plant each leftover by hand and show the detector
 * reports it: a detector that cannot find anything would make the batch pass for nothing.
 */
import { randomBytes } from 'node:crypto';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, labs, leftBy, nothing, repoRoot, sweep, tempDir } from '../helpers/labs.js';

const solution = join(repoRoot, 'templates', 'exercise-1', 'solution');
const fixtures = join(repoRoot, 'test', 'fixtures', 'reuse');

/** What each adversary's producer (after its puts) and consumer (in its last run) leave behind. */
const adversaries = {
  processes: { producer: ['daemons'], consumer: ['poppers'] },
  files: { producer: ['files', 'flood'], consumer: ['files', 'flood'] },
  redis: { producer: [], consumer: ['redis'] },
  shutdown: { producer: ['shutdown'], consumer: [] },
  'acl-off': { producer: ['acl-off'], consumer: [] },
} as const;

/**
 * Adversaries that take Redis from the grader as well, whose own grading may be an infra-error:
 * the grader cannot log in as the disabled default user. (A SHUTDOWN is graded: the wire names it.)
 */
const breakRedis = ['acl-off'];

/**
 * Submission names in grading order: discovery sorts ids by code unit (batch/discover.ts) and a slot
 * takes them in that order, so at -j 1 each detector is graded right after its adversary.
 */
const order = Object.keys(adversaries).flatMap((name, i) => [
  `${String(2 * i + 1).padStart(2, '0')}-adversary-${name}`,
  `${String(2 * i + 2).padStart(2, '0')}-detector`,
]);

const pythonCall = (name: string, args: readonly string[]): string => `\n${name}(${args.map((a) => `'${a}'`).join(', ')})\n`;

async function writeSubmissions(subs: string): Promise<void> {
  const [adversary, detector, producer] = await Promise.all([
    readFile(join(fixtures, 'adversary.py'), 'utf8'),
    readFile(join(fixtures, 'detector.py'), 'utf8'),
    readFile(join(solution, 'producer.py'), 'utf8'),
  ]);
  const consumer = await readFile(join(solution, 'consumer.py'), 'utf8');
  for (const [i, student] of order.entries()) {
    const dir = join(subs, student);
    await mkdir(dir, { recursive: true });
    await cp(solution, dir, { recursive: true });
    if (student.endsWith('-detector')) {
      await writeFile(join(dir, 'producer.py'), `${detector}${pythonCall('report_leftovers', ['producer'])}${producer}`);
      await writeFile(join(dir, 'consumer.py'), `${detector}${pythonCall('report_leftovers', ['consumer'])}${consumer}`);
    } else {
      const what = Object.values(adversaries)[i / 2]!;
      await writeFile(join(dir, 'producer.py'), `${adversary}${producer}${pythonCall('mischief', what.producer)}`);
      await writeFile(join(dir, 'consumer.py'), `${adversary}${pythonCall('consume_then', what.consumer)}`);
    }
  }
}

interface ResultLine {
  student: string;
  status: string;
  durationMs: number;
  error?: string;
  report?: { score: number; maxScore: number; checks: { id: string; passed: boolean; summary: string; details?: string[] }[] };
}

describe('labs grade -j 1: what a submission leaves cannot reach the next one', () => {
  let root: string;
  let pid: number | undefined;
  let run: Awaited<ReturnType<typeof labs>>;
  let results: ResultLine[];
  let started: Record<string, string>[];

  beforeAll(async () => {
    root = await tempDir('labs-reuse-');
    await writeSubmissions(join(root, 'subs'));
    const grading = labs(['grade', 'exercise-1', 'subs', '--out', 'out', '-j', '1'], { cwd: root, timeout: 300_000 });
    pid = grading.pid;
    // The engine's word on which containers the batch started: each session's own Redis, and the script containers.
    const host = (await execa('hostname')).stdout.trim();
    const events = execa(
      'docker',
      ['events', '--filter', `label=labs.owner=${host}:${pid}`, '--filter', 'event=start', '--format', '{{json .Actor.Attributes}}'],
      {
        reject: false,
      },
    );
    run = await grading;
    events.kill();
    started = String((await events).stdout)
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, string>);
    results = (await readFile(join(root, 'out', 'results.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as ResultLine);
  }, 300_000);

  afterAll(async () => sweep(root));

  it('grades them one after another, in name order, each adversary right before a detector', () => {
    expect(results.map((r) => r.student)).toEqual(order);
  });

  it('every detector finds nothing and scores full marks', async () => {
    // Each detector that did not: its checks' words, which name each find ("LEFTOVER:file /dev/shm/ leftover").
    const wrong: Record<string, string> = {};
    for (const student of order.filter((s) => s.endsWith('-detector'))) {
      const result = results.find((r) => r.student === student)!;
      if (result.status !== 'graded' || result.report?.score !== 10 || result.report.maxScore !== 10)
        wrong[student] = `${result.status} ${result.report?.score ?? ''}: ${JSON.stringify(result.report?.checks.filter((c) => !c.passed) ?? result.error)}`;
      // The adversaries' flood of output never shows in another submission's feedback.
      expect(await readFile(join(root, 'out', 'feedback', `${student}.md`), 'utf8')).not.toContain('ADVERSARY-OUTPUT-TAIL');
    }
    expect(wrong).toEqual({});
  });

  it('the adversaries are graded (a SHUTDOWN too, named from the wire), but for one that locks the grader out of Redis: an infra-error naming Redis, never a zero', () => {
    for (const student of order.filter((s) => s.includes('-adversary-'))) {
      const result = results.find((r) => r.student === student)!;
      if (breakRedis.some((name) => student.endsWith(`-adversary-${name}`)) && result.status !== 'graded')
        expect(result, student).toMatchObject({ status: 'infra-error', error: expect.stringMatching(/Redis/) });
      else expect(result, student).toMatchObject({ status: 'graded' });
    }
    expect(run.stdout).toMatch(/infra-error [01], timeout 0/);
    // The SHUTDOWN adversary's own checks fail, saying so from the wire.
    const shutdown = results.find((r) => r.student.endsWith('-adversary-shutdown'))!;
    expect(shutdown.report?.checks.some((c) => /was shut down by producer: the wire shows its SHUTDOWN/.test(c.summary))).toBe(true);
    // Its consumer's last run did its mischief: its own session waited its 10 s CLIENT PAUSE out.
    expect(results.find((r) => r.student.endsWith('-adversary-redis'))!.durationMs).toBeGreaterThan(10_000);
  });

  it('reuses the script containers from one submission to the next: fewer were started than sessions ran', () => {
    // Without reuse each session starts at least one (seen on the code before reuse: 14 for 14 sessions).
    const sessions = new Set(started.filter((a) => a['labs.role'] === 'redis').map((a) => a['labs.session']));
    const hosts = started.filter((a) => a['labs.role'] === 'script-host');
    expect(sessions.size).toBeGreaterThanOrEqual(order.length);
    expect(hosts.length).toBeLessThan(sessions.size);
  });

  it('leaves nothing behind', async () => {
    expect(await leftBy(pid)).toEqual(nothing);
  });
});

describe('the detector finds each leftover the adversaries leave, planted by hand (controls)', () => {
  // Without a network of its own (the engine's address ranges are few and shared): the detector's
  // containers join this Redis's network namespace and reach it at 127.0.0.1.
  const redis = `labs-test-reuse-redis-${randomBytes(4).toString('hex')}`;
  let root: string;

  beforeAll(async () => {
    root = await tempDir('labs-reuse-controls-');
    await cp(solution, join(root, 'lab'), { recursive: true });
    await docker(['run', '-d', '--name', redis, '--network', 'none', 'redis:7']);
    await execa('docker', ['exec', redis, 'sh', '-c', 'until redis-cli ping; do sleep 0.1; done'], { timeout: 30_000 });
  }, 60_000);

  afterAll(async () => {
    await execa('docker', ['rm', '-f', '-v', redis], { reject: false });
    await sweep(root);
  });

  /**
   * The detector's finds for `role` in a fresh python:3.10 container, as uid 1000, /lab the
   * reference solution (read-only), after `plant` (shell; `adversary NAME...` runs the adversary's
   * own mischief) ran in it as the same user. With `redis`, beside a redis:7 (REDIS_IP).
   */
  async function finds(role: string, plant: string, options: { redis?: boolean } = {}): Promise<string[]> {
    const detect = `exec(open('/detector.py').read()); import json; print('FINDS ' + json.dumps(leftovers('${role}', ${options.redis ? "'127.0.0.1'" : 'None'})))`;
    const { stdout, stderr, exitCode } = await execa(
      'docker',
      [
        'run',
        '--rm',
        '--user',
        '1000:1000',
        '--network',
        options.redis ? `container:${redis}` : 'none',
        '-e',
        'REDIS_IP=127.0.0.1',
        '-v',
        `${join(fixtures, 'detector.py')}:/detector.py:ro`,
        '-v',
        `${join(fixtures, 'adversary.py')}:/adversary.py:ro`,
        '-v',
        `${join(root, 'lab')}:/lab:ro`,
        'python:3.10',
        'sh',
        '-c',
        `adversary() { python3 -c "exec(open('/adversary.py').read()); mischief(*'$*'.split())"; }\n${plant}\nexec python3 -c "$0"`,
        detect,
      ],
      { reject: false, timeout: 60_000 },
    );
    const line = stdout.split('\n').find((l) => l.startsWith('FINDS '));
    if (!line) throw new Error(`the detector did not answer (exit ${exitCode}): ${stderr}`);
    return JSON.parse(line.slice('FINDS '.length)) as string[];
  }

  const redisCli = (...args: string[]): Promise<string> => docker(['exec', redis, 'redis-cli', ...args]);

  it('finds nothing in a clean container and a clean Redis', async () => {
    expect(await finds('producer', ':', { redis: true })).toEqual([]);
    expect(await finds('consumer', ':', { redis: true })).toEqual([]);
  });

  it('finds the adversary’s processes, its files in /tmp and /dev/shm, its SysV and POSIX IPC objects', async () => {
    // The background sleep is a forked shell until it has exec'd: the detector looks once it has (seen in CI: "sh -c …" found instead).
    const found = await finds(
      'consumer',
      "adversary daemons files\nsleep 1000 & until tr '\\0' ' ' < /proc/$!/cmdline | grep -q '^sleep 1000'; do sleep 0.05; done",
    );
    const processes = found.filter((f) => /^process \d+ \(\S*python3 -c import os, redis, time/.test(f));
    // Both ways out: a double fork and a new session.
    expect(processes, found.join('\n')).toHaveLength(2);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^process \d+ \(sleep 1000\)$/),
        'file /tmp/ .hidden-leftover',
        'file /tmp/ leftover',
        'file /dev/shm/ leftover',
        `sysv shm key ${0x4c414231}`,
        `sysv msg key ${0x4c414232}`,
        `sysv sem key ${0x4c414233}`,
        'mqueue /dev/mqueue/ leftover',
      ]),
    );
    expect(found).toHaveLength(10);
  });

  it('finds a file in /lab that is not the submission’s', async () => {
    await writeFile(join(root, 'lab', 'leftover.txt'), 'left by an earlier submission\n');
    try {
      expect(await finds('producer', ':')).toEqual(['file /lab/ leftover.txt']);
    } finally {
      await execa('rm', [join(root, 'lab', 'leftover.txt')]);
    }
  });

  it('finds the adversary’s keys in every db and its CONFIG SETs; the grader’s queue is the consumer’s only key', async () => {
    await redisCli('-n', '1', 'RPUSH', 'hotqueue:queue', 'x');
    expect(await finds('consumer', ':', { redis: true })).toEqual([]);
    expect(await finds('producer', ':', { redis: true })).toEqual(["redis key 'hotqueue:queue' in db 1"]);
    const found = await finds('consumer', `python3 -c "exec(open('/adversary.py').read()); redis_state(pause_ms=0)"`, { redis: true });
    expect(found).toEqual([
      ...Array.from({ length: 16 }, (_, db) => `redis key 'leftover' in db ${db}`),
      "redis config maxmemory='1048576'",
      "redis config notify-keyspace-events='AKE'",
    ]);
    await redisCli('FLUSHALL');
    await redisCli('CONFIG', 'SET', 'maxmemory', '0', 'notify-keyspace-events', '');
    // What the adversaries cannot leave without losing their own grade: shown here by hand.
    await redisCli('CONFIG', 'SET', 'timeout', '100', 'maxmemory-policy', 'allkeys-lru');
    expect(await finds('producer', ':', { redis: true })).toEqual(["redis config maxmemory-policy='allkeys-lru'", "redis config timeout='100'"]);
    await redisCli('CONFIG', 'SET', 'timeout', '0', 'maxmemory-policy', 'noeviction');
    await redisCli('ACL', 'SETUSER', 'extra', 'on', 'nopass');
    expect(await finds('producer', ':', { redis: true })).toEqual([expect.stringMatching(/^redis ACL /)]);
    await redisCli('ACL', 'DELUSER', 'extra');
  });

  it('finds the adversary’s popper as another Redis client', async () => {
    const found = await finds('producer', 'adversary poppers\nsleep 2', { redis: true });
    expect(
      found.filter((f) => /^redis client [\d.]+:\d+ \(blpop\)$/.test(f)),
      found.join('\n'),
    ).toHaveLength(2);
  });

  it('Redis 7 as the labs run it refuses DEBUG, so the DEBUG SLEEP adversary cannot stall anyone', async () => {
    const { stdout } = await execa('docker', ['exec', redis, 'redis-cli', 'DEBUG', 'SLEEP', '0']);
    expect(stdout).toMatch(/DEBUG command not allowed/);
  });

  it('finds a paused Redis', async () => {
    // Paused from the detector's container, right before it looks: a container's start can take
    // longer than a pause. A paused Redis delays even CLIENT UNPAUSE: this comes last.
    const pause = `python3 -c "import redis; redis.Redis(host='127.0.0.1').execute_command('CLIENT', 'PAUSE', '4000', 'ALL')"`;
    expect(await finds('producer', pause, { redis: true })).toEqual([expect.stringMatching(/^redis (answered PING in \d\.\d s|error TimeoutError)/)]);
  });
});
