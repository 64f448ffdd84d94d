/**
 * Clients as students have them today, through `labs check` and `labs grade` as a user runs them.
 * A consumer that speaks RESP3 the way redis-py 8 does (HELLO 3, CLIENT SETINFO, SELECT, BLPOP) is
 * graded like any other; one whose bytes the recorder cannot read is an infrastructure error, in
 * check (exit 3) and in a batch (infra-error after its retries), never a failed check.
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labs, repoRoot, sweep, tempDir } from '../helpers/labs.js';

const fixtures = join(repoRoot, 'test', 'fixtures', 'clients');
const solution = join(repoRoot, 'templates', 'exercise-1', 'solution');
let root: string;

/** A student folder: the reference producer and a consumer.py taken from the fixtures. */
async function submission(name: string, consumer: string): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  await copyFile(join(solution, 'producer.py'), join(dir, 'producer.py'));
  await copyFile(join(fixtures, consumer), join(dir, 'consumer.py'));
  return dir;
}

beforeAll(async () => {
  root = await tempDir('labs-clients-');
});

afterAll(async () => {
  await sweep(root);
});

describe('clients as students have them today', () => {
  it('a RESP3 consumer (redis-py 8’s handshake) scores full marks in labs check (0 of 50 deliveries were seen before)', async () => {
    const dir = await submission('resp3', 'resp3_consumer.py');
    const result = await labs(['check', 'exercise-1', dir, '--json'], { cwd: root });
    const report = JSON.parse(String(result.stdout)) as { score: number; maxScore: number; checks: { id: string; passed: boolean; summary: string }[] };
    expect(report.checks.filter((c) => !c.passed)).toEqual([]);
    expect([report.score, report.maxScore, result.exitCode]).toEqual([10, 10, 0]);
  });

  it('a consumer whose own client cuts its idle blocking pop (a short socket_timeout, as redis-py 8 has) is told the cause and both fixes', async () => {
    const dir = join(root, 'socket-timeout');
    await mkdir(dir, { recursive: true });
    await copyFile(join(solution, 'producer.py'), join(dir, 'producer.py'));
    await copyFile(join(repoRoot, 'templates', 'exercise-1', 'variants', 'consumer-socket-timeout', 'consumer.py'), join(dir, 'consumer.py'));
    const result = await labs(['check', 'exercise-1', dir, '--json', '--only', 'latency-new-message,blocking-when-idle'], { cwd: root });
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(String(result.stdout)) as { checks: { id: string; passed: boolean; hint: string | null }[] };
    for (const check of report.checks) {
      expect(check.passed).toBe(false);
      expect(check.hint).toMatch(
        /^consumer\.py could not wait for messages on an empty queue: its own Redis client gave up on its blocking pop after 1\.\d s and asked again on a new connection \(\d+×\), then crashed with redis\.exceptions\.TimeoutError: Timeout reading from socket\./,
      );
      expect(check.hint).toContain(
        'pin redis-py below 8 (pip install "redis>=4.2,<8"; in requirements.txt: redis>=4.2,<8), or pass socket_timeout=None to HotQueue(...)',
      );
    }
  });

  it('a consumer in a protocol the recorder does not know is an infrastructure error saying what was not read, not a failed check', async () => {
    const dir = await submission('unknown', 'unknown_protocol_consumer.py');
    const result = await labs(['check', 'exercise-1', dir, '--json'], { cwd: root });
    expect(result.exitCode).toBe(3);
    expect(String(result.stdout)).toBe('');
    const said = String(result.stderr);
    expect(said).toContain('delivery-one-consumer: the grader could not see everything on the Redis wire, so it does not judge this check');
    expect(said).toMatch(
      /could not read the commands sent on consumer-1's connection from [\d.]+ \(RESP2\): a command that is not an array of bulk strings; the first bytes not understood: 2a320d0a3a310d0a3a320d0a/,
    );
  });

  it('a script that shuts Redis down fails the check, named from the wire; not an infrastructure error, nor an internal bug ("please report")', async () => {
    const dir = join(root, 'shutdown');
    await mkdir(dir, { recursive: true });
    await copyFile(join(solution, 'producer.py'), join(dir, 'producer.py'));
    await writeFile(
      join(dir, 'consumer.py'),
      'import os, time\nimport redis\nredis.Redis(host=os.environ["REDIS_IP"], port=6379, db=1).shutdown(nosave=True)\ntime.sleep(3600)\n',
    );
    const result = await labs(['check', 'exercise-1', dir, '--only', 'delivery-one-consumer', '--json'], { cwd: root });
    expect(result.exitCode, String(result.stderr)).toBe(1);
    const report = JSON.parse(String(result.stdout)) as { checks: { id: string; passed: boolean; summary: string; hint?: string }[] };
    expect(report.checks).toEqual([
      expect.objectContaining({
        id: 'delivery-one-consumer',
        passed: false,
        summary: 'redis-db was shut down by consumer-1: the wire shows its SHUTDOWN, which Redis obeyed, so this check could not run',
        hint: expect.stringContaining('a script must never stop Redis'),
      }),
    ]);
    expect(String(result.stderr)).not.toMatch(/internal error|please report/);
  });

  it('labs grade records such a submission as infra-error after its retries, and grades the RESP3 one', async () => {
    const batch = join(root, 'batch');
    await mkdir(batch);
    for (const [student, consumer] of [
      ['ada', 'resp3_consumer.py'],
      ['bob', 'unknown_protocol_consumer.py'],
    ] as const) {
      await mkdir(join(batch, student));
      await copyFile(join(solution, 'producer.py'), join(batch, student, 'producer.py'));
      await copyFile(join(fixtures, consumer), join(batch, student, 'consumer.py'));
    }
    const out = join(root, 'results');
    const result = await labs(['grade', 'exercise-1', batch, '--out', out, '-j', '2'], { cwd: root });
    // Not every submission could be graded: an infrastructure error (ARCHITECTURE.md, "Outputs").
    expect(result.exitCode).toBe(3);
    const rows = (await readFile(join(out, 'gradebook.csv'), 'utf8')).trim().split('\n');
    expect(rows.slice(1)).toEqual(['ada,10,10,2,4,2,2,graded', 'bob,,10,,,,,infra-error']);
    const results = (await readFile(join(out, 'results.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { student: string; attempts: number; error?: string });
    const bob = results.find((r) => r.student === 'bob')!;
    expect(bob.attempts).toBe(3);
    expect(bob.error).toContain('the grader could not see everything on the Redis wire');
  }, 600_000);
});
