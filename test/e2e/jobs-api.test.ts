/**
 * `labs check jobs-api` as a student runs it, against the real engine, a real Redis, a real Flask:
 * the reference solution scores full marks (graded in the lab's image, with a note saying the
 * student's Dockerfile is not built); a correct solution written another way (hash records,
 * capitalised statuses, a q.consume() loop) passes the same checks; a Flask app on 127.0.0.1 and a
 * worker that says "completed" fail with the hint that names the fix; nothing is left behind.
 */
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labs, leftBy, nothing, repoRoot, sweep, tempDir } from '../helpers/labs.js';

interface JsonReport {
  score: number;
  maxScore: number;
  checks: { id: string; kind: string; passed: boolean; summary: string; hint: string | null; details: string[] }[];
  warnings: string[];
}

const templates = join(repoRoot, 'templates', 'jobs-api');

/** The reference solution with `over` (a variant's or a fixture's files) copied on top. */
async function submission(over?: string): Promise<string> {
  const dir = await tempDir('labs-jobs-');
  await cp(join(templates, 'solution'), dir, { recursive: true });
  if (over) await cp(over, dir, { recursive: true });
  return dir;
}

async function check(dir: string, extra: string[] = []): Promise<{ exitCode: number | undefined; report: JsonReport; pid: number | undefined }> {
  const run = labs(['check', 'jobs-api', dir, '--json', '--seed', '11', ...extra], { cwd: dir });
  const result = await run;
  try {
    return { exitCode: result.exitCode, report: JSON.parse(String(result.stdout)) as JsonReport, pid: run.pid };
  } catch {
    throw new Error(`stdout was not JSON (exit ${result.exitCode}):\n${String(result.stdout)}\n${String(result.stderr)}`);
  }
}

describe('labs check jobs-api', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await sweep(d);
  });

  it('the reference solution scores full marks, graded in the lab image with a note that the Dockerfile is not built (exit 0)', async () => {
    const dir = await submission();
    dirs.push(dir);
    const { exitCode, report, pid } = await check(dir);
    expect(exitCode, JSON.stringify(report, null, 2)).toBe(0);
    expect(report.checks.map((c) => [c.id, c.kind, c.passed])).toEqual([
      ['api-creates-jobs', 'api-create', true],
      ['api-reads-jobs', 'api-read', true],
      ['job-lifecycle', 'job-lifecycle', true],
      ['workers-share-jobs', 'workers-share', true],
      ['queue-holds-jobs', 'queue-holds-without-worker', true],
      ['worker-keeps-running', 'worker-keeps-running', true],
      ['redis-from-env', 'redis-from-env', true],
      ['modules', 'modules', true],
    ]);
    expect(report.score).toBe(report.maxScore);
    expect(report.checks[2]!.summary).toMatch(/^3 jobs went submitted → in progress → complete \(GET and wire\), each popped once by the worker/);
    expect(report.warnings).toContain(
      "docker-compose.yml:12:5 services.api.build: warning: Dockerfile is not built when grading: the checks run api in the lab's image instead, python:3.10 with hotqueue, redis, flask (what the Dockerfile adds is not there)",
    );
    expect(await leftBy(pid)).toEqual(nothing);
  }, 180_000);

  it('a correct service written another way passes every check but modules: hash records in db 2, "In Progress"/"Complete", 200 on POST, a q.consume() loop', async () => {
    const dir = await submission(join(templates, 'variants', 'hash-records-consume-loop'));
    dirs.push(dir);
    const { exitCode, report } = await check(dir);
    expect(exitCode, JSON.stringify(report, null, 2)).toBe(1);
    expect(report.checks.filter((c) => !c.passed).map((c) => c.id)).toEqual(['modules']);
    expect(report.checks.find((c) => c.id === 'modules')!.details.join('\n')).toMatch(/@q\.worker/);
  }, 180_000);

  it("Flask on 127.0.0.1 fails with the hint to listen on 0.0.0.0, as the student's mistake (exit 1, not 3); the next check points at the first", async () => {
    const dir = await submission(join(templates, 'variants', 'flask-on-localhost'));
    dirs.push(dir);
    const { exitCode, report } = await check(dir, ['--only', 'api-creates-jobs,api-reads-jobs']);
    expect(exitCode).toBe(1);
    const [create, read] = report.checks;
    expect(create!.summary).toBe(
      'nothing answers on port 5000 of the api container from outside it: Flask listens on 127.0.0.1:5000, inside its container only',
    );
    expect(create!.hint).toContain('app.run(host="0.0.0.0", port=5000)');
    expect(read!.summary).toBe('not judged: the API is not reachable (Flask listens on 127.0.0.1:5000, inside its container only; see api-creates-jobs)');
    expect(read!.hint).toContain('app.run(host="0.0.0.0", port=5000)');
  }, 120_000);

  it('a worker that marks jobs "completed" fails job-lifecycle with a hint naming "complete"', async () => {
    const dir = await submission(join(templates, 'variants', 'status-completed'));
    dirs.push(dir);
    const { exitCode, report } = await check(dir, ['--only', 'job-lifecycle']);
    expect(exitCode).toBe(1);
    const [lifecycle] = report.checks;
    expect(lifecycle!.summary).toMatch(/^job \S+ ended as "completed", not "complete"$/);
    expect(lifecycle!.hint).toContain('the status must be the word "complete" (any case): "completed" is not it');
  }, 120_000);
});
