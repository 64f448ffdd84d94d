/**
 * `labs grade` when the engine refuses to remove one graded session's containers, against the real
 * engine: the engine is wrapped in a Proxy whose removals fail for the first session whose Redis it
 * is asked to remove. That is the grader's cleanup trouble, never the student's: the submission's
 * result stays graded with its score, the run exits 0, and the instructor is told how many sessions
 * left resources behind, the first error, and to run `labs prune`. The slot that session used is not
 * reused (the next submission's Redis would otherwise start beside the one left in its home).
 */
import { cp, mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { gradeCommand } from '../../runner/cli/commands/grade.js';
import { makeStyle, type Context } from '../../runner/cli/context.js';
import { LabsError } from '../../runner/errors.js';
import { findLab } from '../../runner/lab/registry.js';
import { DockerRuntime } from '../../runner/provision/docker.js';
import { closeLabNetwork } from '../../runner/provision/isolated.js';
import { Label, currentOwner } from '../../runner/provision/labels.js';
import type { ContainerRuntime } from '../../runner/provision/runtime.js';
import type { SubmissionResult } from '../../runner/rubric/submission.js';

const runtime = new DockerRuntime();
/** The session whose removals the engine refuses, once its Redis is asked to go. */
let doomed: string | undefined;
const labelsOf = new Map<string, Record<string, string>>();
/** The engine's answer to a removal of what the doomed session owns. */
const refused = (what: string, session: string | undefined): Error =>
  new LabsError('DOCKER_FAILED', `injected by the test: the engine refused to remove ${what} of session ${session}`);

const failing = new Proxy(runtime, {
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
        if (labels?.[Label.role] === 'redis' && labels[Label.owner] === currentOwner()) doomed ??= labels[Label.session];
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

afterAll(async () => {
  if (doomed !== undefined) await closeLabNetwork(runtime, { lab: 'exercise-1', session: doomed, mode: 'grade', owner: currentOwner() });
});

function context(cwd: string): Context & { out: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let text = '';
  stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  stderr.resume();
  return {
    stdin: new PassThrough(),
    stdout,
    stderr,
    env: process.env,
    cwd,
    exit: () => {
      throw new Error('exit');
    },
    runtime: () => Promise.resolve(failing),
    signal: new AbortController().signal,
    style: makeStyle(false),
    out: () => text,
  };
}

describe('labs grade when a graded session’s removal fails', () => {
  it('keeps every result graded, exits 0, and says how many sessions left resources behind, the first error and `labs prune`', async () => {
    const lab = await findLab('exercise-1');
    const root = await mkdtemp(join(tmpdir(), 'labs-left-behind-'));
    for (const student of ['ada', 'bob', 'cy']) {
      await mkdir(join(root, 'subs', student), { recursive: true });
      await cp(join(lab.templatesDir, 'solution'), join(root, 'subs', student), { recursive: true });
    }
    const ctx = context(root);
    const code = await gradeCommand(ctx, 'exercise-1', 'subs', { out: 'out', jobs: 1 });

    expect(doomed).toBeDefined();
    const results = (await readFile(join(root, 'out', 'results.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as SubmissionResult);
    // The three in the order graded, each once: the first one's removal failing took no points and
    // caused no regrade, and the next two got a slot of their own that grades as before.
    expect(results.map((r) => [r.student, r.status, r.attempts, r.report?.score === r.report?.maxScore])).toEqual([
      ['ada', 'graded', 1, true],
      ['bob', 'graded', 1, true],
      ['cy', 'graded', 1, true],
    ]);
    expect(code).toBe(0);
    const out = ctx.out();
    expect(out).toContain('graded 3 (0 unchanged since the last run), infra-error 0, timeout 0');
    expect(out).toMatch(
      new RegExp(
        `! 1 session left containers, networks or volumes behind \\(first error: injected by the test: the engine refused to remove \\S+ \\S+ of session ${doomed}\\); the grades are not affected: run \`labs prune\``,
      ),
    );
    // What it left is there for `labs prune` to find, labelled with its session.
    expect((await runtime.listContainers([`${Label.session}=${doomed}`])).length).toBeGreaterThan(0);
  }, 240_000);
});
