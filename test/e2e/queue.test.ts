/**
 * Grading spread over machines with BullMQ, with a real Redis on this machine and two real
 * `labs worker` processes: every submission graded exactly once, and a worker killed mid-job leaves
 * its job to the other worker, graded once.
 */
import { cp, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bin, freePort, labs, leftBy, nothing, repoRoot, sweep, tempDir } from '../helpers/labs.js';
import { workerIdleSlotMs } from '../../runner/batch/worker.js';

const solution = join(repoRoot, 'templates', 'exercise-1', 'solution');

describe('labs grade --queue with two labs worker processes', () => {
  let root: string;
  let redis: ResultPromise;
  let url: string;
  const workers: { process: ResultPromise; log: string[] }[] = [];

  const startWorker = (): { process: ResultPromise; log: string[] } => {
    const process = execa('node', [bin, 'worker', '--queue', url, '-j', '1', '--lock-seconds', '4'], { cwd: root, reject: false, env: { NO_COLOR: '1' } });
    const worker = { process, log: [] as string[] };
    process.stderr!.on('data', (chunk: Buffer) => worker.log.push(...chunk.toString().split('\n').filter(Boolean)));
    workers.push(worker);
    return worker;
  };

  beforeAll(async () => {
    root = await tempDir('labs-queue-');
    const port = await freePort();
    url = `redis://127.0.0.1:${port}`;
    redis = execa('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { reject: false });
    await vi.waitFor(async () => expect((await execa('redis-cli', ['-p', String(port), 'ping'], { reject: false })).stdout).toBe('PONG'), {
      timeout: 5000,
      interval: 100,
    });
    for (const student of ['ann', 'ben', 'cat', 'dan']) {
      await mkdir(join(root, 'subs', student), { recursive: true });
      await cp(solution, join(root, 'subs', student), { recursive: true });
    }
  });

  afterAll(async () => {
    for (const w of workers) w.process.kill('SIGKILL');
    redis.kill();
    await labs(['prune'], { cwd: root });
    await sweep(root);
  });

  it('every submission is graded exactly once, even when a worker is killed mid-job', async () => {
    const doomed = startWorker();
    const survivor = startWorker();
    await expect
      .poll(() => workers.every((w) => w.log.some((l) => l.startsWith('labs worker: grading jobs from'))), { timeout: 20_000, interval: 100 })
      .toBe(true);

    const coordinator = labs(['grade', 'exercise-1', join(root, 'subs'), '--out', join(root, 'out'), '--queue', url], { cwd: root, timeout: 600_000 });
    // Kill the first worker as soon as it has taken a job.
    await expect.poll(() => doomed.log.some((l) => /^ {2}… exercise-1 /.test(l)), { timeout: 60_000, interval: 100 }).toBe(true);
    const taken = /… exercise-1 (\S+)/.exec(doomed.log.find((l) => /^ {2}… exercise-1 /.test(l))!)![1]!;
    doomed.process.kill('SIGKILL');
    await doomed.process;

    const result = await coordinator;
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const lines = (await readFile(join(root, 'out', 'results.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { student: string; status: string; report: { score: number } });
    expect(lines.map((l) => l.student).sort()).toEqual(['ann', 'ben', 'cat', 'dan']);
    expect(lines.every((l) => l.status === 'graded' && l.report.score === 10)).toBe(true);
    // The killed worker's job went to the survivor, which graded it.
    expect(survivor.log.some((l) => l.includes(`✓ exercise-1 ${taken}`))).toBe(true);
    expect(doomed.log.some((l) => l.includes('✓ exercise-1'))).toBe(false);
    expect((await readdir(join(root, 'out', 'feedback'))).filter((f) => f.endsWith('.md'))).toHaveLength(4);

    // What the killed worker left running is swept by the next prune; the survivor closes the
    // batch slots it kept once no job has asked for them for a while (workerIdleSlotMs).
    await labs(['prune'], { cwd: root });
    expect(await leftBy(doomed.process.pid)).toEqual(nothing);
    await expect.poll(() => leftBy(survivor.process.pid), { timeout: workerIdleSlotMs + 20_000, interval: 500 }).toEqual(nothing);
  });

  it('a worker stops on Ctrl-C after the job in hand', async () => {
    const worker = workers[1]!;
    worker.process.kill('SIGINT');
    const result = await worker.process;
    expect(result.exitCode).toBe(0);
    expect(worker.log.at(-1)).toBe('labs worker: stopped');
  });

  it('a submission a worker cannot grade (its image is not there) is tried again, then recorded as infra-error, not a zero', async () => {
    const worker = startWorker();
    await expect.poll(() => worker.log.some((l) => l.startsWith('labs worker: grading jobs from')), { timeout: 20_000, interval: 100 }).toBe(true);
    const sub = join(root, 'infra-subs', 'noimage');
    await mkdir(sub, { recursive: true });
    await cp(join(repoRoot, 'templates', 'exercise-2', 'solution'), sub, { recursive: true });
    const compose = join(sub, 'docker-compose.yml');
    await writeFile(compose, (await readFile(compose, 'utf8')).replace(/(python1:\s*\n\s*image:) python:3\.10/, '$1 python:3.10-no-such-tag'));

    const result = await labs(['grade', 'exercise-2', join(root, 'infra-subs'), '--out', join(root, 'infra-out'), '--queue', url], {
      cwd: root,
      timeout: 300_000,
    });
    expect(result.exitCode, String(result.stderr)).toBe(3);
    expect(result.stdout).toMatch(/graded 0 \(0 unchanged since the last run\), infra-error 1, timeout 0/);
    const [line] = (await readFile(join(root, 'infra-out', 'results.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { status: string; attempts: number; error: string });
    expect(line).toMatchObject({ status: 'infra-error', attempts: 3 });
    expect(line!.error).toMatch(/^every attempt failed on the workers: .*python:3\.10-no-such-tag/);
    expect((await readFile(join(root, 'infra-out', 'gradebook.csv'), 'utf8')).trimEnd().split('\n')[1]).toMatch(/^noimage,,\d+,(,)+infra-error$/);
    // The worker said so each time, and that the third was the last.
    const failures = worker.log.filter((l) => /! exercise-2 noimage: .*no-such-tag/.test(l));
    expect(failures).toHaveLength(3);
    expect(failures.slice(0, 2).every((l) => l.endsWith('(it will be retried)'))).toBe(true);
    expect(failures[2]).toMatch(/\(no attempt left: the coordinator records it as infra-error\)$/);
    worker.process.kill('SIGINT');
    expect((await worker.process).exitCode).toBe(0);
    expect(await leftBy(worker.process.pid)).toEqual(nothing);
  });

  it('an unreachable queue is an infrastructure error saying where (exit 3), after --connect-seconds', async () => {
    const port = await freePort();
    const result = await labs(['worker', '--queue', `redis://127.0.0.1:${port}`, '--connect-seconds', '1'], { cwd: root, timeout: 60_000 });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(new RegExp(`^labs: the queue's Redis at 127\\.0\\.0\\.1:${port} is not reachable: no answer within 1 s$`, 'm'));
  });

  it('a coordinator whose queue is unreachable says so too (exit 3)', async () => {
    const port = await freePort();
    const result = await labs(
      ['grade', 'exercise-1', join(root, 'subs'), '--out', join(root, 'unreachable-out'), '--queue', `redis://127.0.0.1:${port}`, '--connect-seconds', '1'],
      { cwd: root, timeout: 60_000 },
    );
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(new RegExp(`^labs: the queue's Redis at 127\\.0\\.0\\.1:${port} is not reachable: no answer within 1 s$`, 'm'));
  });
});
