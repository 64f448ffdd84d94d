/**
 * `labs grade` and `labs worker` when the engine refuses to remove one graded session's containers,
 * against the real engine: the engine is wrapped in a Proxy whose removals fail for the first
 * session whose Redis it is asked to remove. That is the grader's cleanup trouble, never the
 * student's: the submission's result stays graded with its score, once, the run exits 0, and the
 * instructor is told how many sessions left resources behind, the first error, and to run `labs
 * prune`. The slot that session used is not reused (the next submission's Redis would otherwise
 * start beside the one left in its home). The queue's Redis is a redis-server on this machine, as
 * in test/e2e/queue.test.ts.
 */
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { execa } from 'execa';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { gradeCommand } from '../../runner/cli/commands/grade.js';
import { workerCommand } from '../../runner/cli/commands/worker.js';
import { makeStyle, type Context } from '../../runner/cli/context.js';
import { LabsError } from '../../runner/errors.js';
import { findLab } from '../../runner/lab/registry.js';
import { DockerRuntime } from '../../runner/provision/docker.js';
import { closeLabNetwork } from '../../runner/provision/isolated.js';
import { Label, currentOwner } from '../../runner/provision/labels.js';
import type { ContainerRuntime } from '../../runner/provision/runtime.js';
import type { SubmissionResult } from '../../runner/rubric/submission.js';
import { freePort } from '../helpers/labs.js';

const runtime = new DockerRuntime();
/** Each test's doomed session and folder, removed at the end whatever the test did. */
const doomedSessions: string[] = [];
const roots: string[] = [];

/** The engine's answer to a removal of what the doomed session owns. */
const refused = (what: string, session: string | undefined): Error =>
  new LabsError('DOCKER_FAILED', `injected by the test: the engine refused to remove ${what} of session ${session}`);

/**
 * The real engine, but every removal of what the doomed session owns fails: the doomed session is
 * the first of this process whose Redis the engine is asked to remove (labels are read from what
 * `listContainers` answered, which is how every removal finds its containers).
 */
function failingRuntime(): { runtime: ContainerRuntime; doomed: () => string | undefined } {
  let doomed: string | undefined;
  const labelsOf = new Map<string, Record<string, string>>();
  const proxy = new Proxy(runtime, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (key === 'listContainers')
        return async (...args: Parameters<ContainerRuntime['listContainers']>) => {
          const found = await target.listContainers(...args);
          for (const c of found) labelsOf.set(c.id, c.labels);
          return found;
        };
      if (key === 'removeContainer')
        return async (id: string, ...rest: unknown[]) => {
          const labels = labelsOf.get(id);
          if (doomed === undefined && labels?.[Label.role] === 'redis' && labels[Label.owner] === currentOwner()) {
            doomed = labels[Label.session]!;
            doomedSessions.push(doomed);
          }
          if (doomed !== undefined && labels?.[Label.session] === doomed) throw refused(`container ${id.slice(0, 12)}`, doomed);
          return (target.removeContainer as (...a: unknown[]) => Promise<void>)(id, ...rest);
        };
      if (key === 'removeVolume')
        return async (name: string) => {
          if (doomed !== undefined && name.includes(doomed)) throw refused(`volume ${name}`, doomed);
          return target.removeVolume(name);
        };
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { runtime: proxy, doomed: () => doomed };
}

afterAll(async () => {
  for (const session of doomedSessions) await closeLabNetwork(runtime, { lab: 'exercise-1', session, mode: 'grade', owner: currentOwner() });
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

/** `root`/subs/<student>: exercise-1's reference solution for each. */
async function submissions(students: string[]): Promise<string> {
  const lab = await findLab('exercise-1');
  const root = await mkdtemp(join(tmpdir(), 'labs-left-behind-'));
  roots.push(root);
  for (const student of students) {
    await mkdir(join(root, 'subs', student), { recursive: true });
    await cp(join(lab.templatesDir, 'solution'), join(root, 'subs', student), { recursive: true });
  }
  return root;
}

async function resultsIn(out: string): Promise<SubmissionResult[]> {
  return (await readFile(join(out, 'results.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as SubmissionResult);
}

/** What the instructor reads when one session left resources behind. */
const leftBehindMessage = (session: string | undefined): RegExp =>
  new RegExp(
    `! 1 session left containers, networks or volumes behind \\(first error: injected by the test: the engine refused to remove \\S+ \\S+ of session ${session}\\); the grades are not affected: run \`labs prune\``,
  );

/** A CLI context on `cwd` whose engine is `engine`; `out` and `err` say what it printed. */
function context(cwd: string, engine: ContainerRuntime, signal = new AbortController().signal): Context & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let text = '';
  let errors = '';
  stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  return {
    stdin: new PassThrough(),
    stdout,
    stderr,
    env: process.env,
    cwd,
    exit: () => {
      throw new Error('exit');
    },
    runtime: () => Promise.resolve(engine),
    signal,
    style: makeStyle(false),
    out: () => text,
    err: () => errors,
  };
}

describe('a graded session whose removal fails', () => {
  it('labs grade keeps every result graded, exits 0, and says how many sessions left resources behind, the first error and `labs prune`', async () => {
    const root = await submissions(['ada', 'bob', 'cy']);
    const engine = failingRuntime();
    const ctx = context(root, engine.runtime);
    const code = await gradeCommand(ctx, 'exercise-1', 'subs', { out: 'out', jobs: 1 });

    expect(engine.doomed()).toBeDefined();
    // The three in the order graded, each once: the first one's removal failing took no points and
    // caused no regrade, and the next two got a slot of their own that grades as before.
    expect((await resultsIn(join(root, 'out'))).map((r) => [r.student, r.status, r.attempts, r.report?.score === r.report?.maxScore])).toEqual([
      ['ada', 'graded', 1, true],
      ['bob', 'graded', 1, true],
      ['cy', 'graded', 1, true],
    ]);
    expect(code).toBe(0);
    expect(ctx.out()).toContain('graded 3 (0 unchanged since the last run), infra-error 0, timeout 0');
    expect(ctx.out()).toMatch(leftBehindMessage(engine.doomed()));
    // What it left is there for `labs prune` to find, labelled with its session.
    expect((await runtime.listContainers([`${Label.session}=${engine.doomed()}`])).length).toBeGreaterThan(0);
  }, 240_000);

  it('a labs worker hands its result on as graded, once, and says so as it happens and when it stops', async () => {
    const root = await submissions(['ann', 'ben']);
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const redis = execa('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { reject: false });
    const stop = new AbortController();
    const engine = failingRuntime();
    const workerCtx = context(root, engine.runtime, stop.signal);
    let worker: Promise<number> | undefined;
    try {
      await vi.waitFor(async () => expect((await execa('redis-cli', ['-p', String(port), 'ping'], { reject: false })).stdout).toBe('PONG'), {
        timeout: 5000,
        interval: 100,
      });
      worker = workerCommand(workerCtx, { queue: url, jobs: 1 });
      await expect.poll(() => workerCtx.err(), { timeout: 20_000, interval: 100 }).toContain('labs worker: grading jobs from');
      const ctx = context(root, runtime);
      const code = await gradeCommand(ctx, 'exercise-1', 'subs', { out: 'out', queue: url });
      expect(engine.doomed()).toBeDefined();
      // Before, the failed removal threw out of the job, which BullMQ graded again (attempt 2).
      expect((await resultsIn(join(root, 'out'))).map((r) => [r.student, r.status, r.attempts]).sort()).toEqual([
        ['ann', 'graded', 1],
        ['ben', 'graded', 1],
      ]);
      expect(code).toBe(0);
      stop.abort();
      expect(await worker).toBe(0);
      expect(workerCtx.err()).toMatch(/! a session's containers, networks or volumes could not all be removed: injected by the test: .* \(no result changes\)/);
      expect(workerCtx.err()).toMatch(leftBehindMessage(engine.doomed()));
    } finally {
      stop.abort();
      await worker?.catch(() => undefined);
      redis.kill();
    }
  }, 240_000);
});
