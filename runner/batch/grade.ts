/**
 * Batch grading on one machine: a pool of N isolated sessions over the submissions, each result
 * appended to results.jsonl the moment it is known (a crash loses nothing), a rerun resumes, and
 * infrastructure trouble is retried and then recorded as such, never as a zero.
 */
import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { LabsError, isLabsError } from '../errors.js';
import { type ExportShape, readExportPart } from '../intake/export.js';
import { type SubmissionFiles, readSubmission } from '../intake/read.js';
import { readCanvasGradebook } from '../report/canvas-gradebook.js';
import { readRoster } from '../report/roster.js';
import type { Lab } from '../lab/types.js';
import type { ContainerRuntime } from '../provision/runtime.js';
import { removeHostRules } from '../provision/firewall.js';
import { newSessionId } from '../provision/labels.js';
import { prune, removeSession } from '../provision/teardown.js';
import { packageVersion } from '../paths.js';
import { runCheckSession } from '../session/check.js';
import { SlotPool } from '../session/slot.js';
import { LeftBehind, type LeftBehindSummary } from './left-behind.js';
import type { Submission } from './discover.js';
import { type PlatformOutputs, writeOutputs, writePlatformOutputs } from './outputs.js';
import { type DiscoveredBatch, discoverBatch } from './platforms/discover.js';
import { type GradeJob, type QueueConnection, openCoordinator } from './queue.js';
import type { SubmissionResult } from '../rubric/submission.js';

export interface GradeOptions {
  runtime: ContainerRuntime;
  lab: Lab;
  submissionsDir: string;
  outDir: string;
  concurrency: number;
  /** Regrade everything, even what is already graded. */
  force?: boolean;
  /** Per submission (ms, default 180 000), from its session's start to its teardown; with `queue`, each worker's own `--timeout` applies. */
  timeoutMs?: number;
  /** Attempts for a submission whose grading hits an infrastructure error. */
  attempts?: number;
  /** Spread the work over `labs worker` processes through BullMQ on this Redis instead of grading here. */
  queue?: QueueConnection;
  /** How long to wait for the queue's Redis to answer before giving up (default 10 s). */
  queueConnectTimeoutMs?: number;
  signal?: AbortSignal;
  onEvent?: (event: GradeEvent) => void;
  /** `--from`: read the submissions as this platform's export (or `folders`) instead of recognising it. */
  from?: ExportShape;
  /** `--canvas-gradebook`: the gradebook CSV Canvas exported (`input`), copied to `output` with the lab's column (`column`) filled. */
  canvasGradebook?: { input: string; output: string; column?: string };
  /** `--gradescope-csv`: where to write the scores to upload to Gradescope. */
  gradescopeCsv?: string;
  /** `--roster`: a class list (CSV) whose students without a submission are listed as missing. */
  roster?: string;
}

export type GradeEvent =
  | { type: 'plan'; total: number; toGrade: number; skipped: string[]; reused: number }
  | { type: 'start'; student: string }
  | { type: 'retry'; student: string; attempt: number; error: string }
  | { type: 'done'; result: SubmissionResult; done: number; total: number };

export interface GradeSummary {
  /** The batch's shape, its entries nobody could be given, and what was written for the platforms. */
  intake: Pick<DiscoveredBatch, 'shape' | 'unattributed'> & PlatformOutputs;
  results: SubmissionResult[];
  graded: number;
  reused: number;
  infraErrors: number;
  timeouts: number;
  interrupted: boolean;
  /**
   * Sessions of this run whose removal failed after their result was recorded (results unchanged),
   * and the first error's message; `labs prune` removes what they left. Local grading only: a
   * `labs worker` says its own.
   */
  leftBehind: LeftBehindSummary;
}

/** The sha256 (hex) of the lab's lab.yaml, recorded with each result: a result graded under another lab.yaml is not reused. */
export async function labHash(lab: Lab): Promise<string> {
  return createHash('sha256')
    .update(await readFile(lab.file))
    .digest('hex');
}

/**
 * The last result per student in a results.jsonl (later lines win: a resumed run appends); an empty
 * map when the file cannot be read. A line that is not JSON (cut short by a crash) is skipped.
 */
export async function readResults(file: string): Promise<Map<string, SubmissionResult>> {
  const latest = new Map<string, SubmissionResult>();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return latest;
  }
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const result = JSON.parse(line) as SubmissionResult;
      if (result.student) latest.set(result.student, result);
    } catch {
      // A line cut short by a crash mid-write: that submission is simply graded again.
    }
  }
  return latest;
}

/** Whether an earlier result stands: graded, from the same files, lab and tool version. */
export function isReusable(previous: SubmissionResult | undefined, contentHash: string, lab: string, version: string): boolean {
  return previous?.status === 'graded' && previous.contentHash === contentHash && previous.labHash === lab && previous.toolVersion === version;
}

/**
 * Grades every submission under `options.submissions` into `options.outDir` (gradebook.csv,
 * results.jsonl appended as each finishes, feedback/, report.html), `concurrency` at a time on this
 * engine or through `queue` on workers; resumes: a submission graded before with the same files, lab
 * and tool version is kept. Infrastructure errors are retried (`attempts`, default 3) and recorded as
 * infra-error, a submission over `timeoutMs` (default 180 000) as timeout; neither as a zero.
 * Throws USAGE (discovery: no such folder, no submission, unsafe or colliding ids) and DOCKER_*.
 */
export async function gradeSubmissions(options: GradeOptions): Promise<GradeSummary> {
  const { runtime, lab, outDir } = options;
  const discovered = await discoverBatch(options.submissionsDir, { from: options.from, labId: lab.id, labFiles: lab.files.map((f) => basename(f.path)) });
  const { submissions, skipped } = discovered;
  // A gradebook that cannot be filled is said before minutes of grading, not after.
  const gradebook =
    options.canvasGradebook === undefined
      ? undefined
      : readCanvasGradebook(await readInputFile(options.canvasGradebook.input, 'Canvas gradebook'), basename(options.canvasGradebook.input));
  const roster =
    options.roster === undefined
      ? undefined
      : { file: options.roster, students: readRoster(await readInputFile(options.roster, 'roster'), basename(options.roster)) };
  await runtime.ping();
  // What a killed earlier run left behind goes first.
  await prune(runtime, { all: false });
  await mkdir(outDir, { recursive: true });
  const resultsFile = join(outDir, 'results.jsonl');
  const previous = await readResults(resultsFile);
  const version = packageVersion();
  const hash = await labHash(lab);
  const timeoutMs = options.timeoutMs ?? 180_000;
  const attempts = options.attempts ?? 3;

  const loaded = await Promise.all(submissions.map(async (sub) => ({ sub, loaded: await readInput(sub) })));
  const final = new Map<string, SubmissionResult>();
  // A group's submission is graded once, under its first submitter; each other one gets that result.
  const others = new Map(submissions.map((s) => [s.student, (s.submitters ?? []).slice(1).map((who) => who.student)]));
  const todo: typeof loaded = [];
  for (const item of loaded) {
    const before = previous.get(item.sub.student);
    if (!options.force && isReusable(before, item.loaded.contentHash, hash, version)) {
      final.set(item.sub.student, before!);
      for (const student of others.get(item.sub.student) ?? []) final.set(student, { ...before!, student });
    } else todo.push(item);
  }
  // Counted in submissions: a group's reused result is one, however many students it stands for.
  const reused = loaded.length - todo.length;
  options.onEvent?.({ type: 'plan', total: submissions.length, toGrade: todo.length, skipped, reused });

  let done = reused;
  let interrupted: boolean;
  const leftBehind = new LeftBehind();
  const record = async (result: SubmissionResult): Promise<void> => {
    const copies = (others.get(result.student) ?? []).map((student) => ({ ...result, student }));
    await appendFile(resultsFile, [result, ...copies].map((r) => `${JSON.stringify(r)}\n`).join(''));
    for (const r of [result, ...copies]) final.set(r.student, r);
    done += 1;
    options.onEvent?.({ type: 'done', result, done, total: submissions.length });
  };
  if (options.queue) {
    interrupted = await viaQueue(
      options,
      options.queue,
      todo.map((t) => ({ student: t.sub.student, ...t.loaded })),
      { hash, version },
      record,
    );
  } else {
    interrupted = await locally(
      options,
      todo.map((t) => ({ student: t.sub.student, ...t.loaded })),
      { hash, version, timeoutMs, attempts },
      record,
      leftBehind,
    );
  }

  // Outputs cover every submission with a result, old or new, even after an interruption.
  const results = submissions
    .flatMap((s) => [s.student, ...(others.get(s.student) ?? [])])
    .map((student) => final.get(student))
    .filter((r): r is SubmissionResult => Boolean(r));
  await writeOutputs(lab, outDir, results);
  const written = await writePlatformOutputs(lab, outDir, discovered, final, {
    source: options.submissionsDir,
    canvas: gradebook && options.canvasGradebook && { book: gradebook, output: options.canvasGradebook.output, column: options.canvasGradebook.column },
    gradescopeCsv: options.gradescopeCsv,
    roster,
  });
  return {
    intake: { shape: discovered.shape, unattributed: discovered.unattributed, ...written },
    results,
    graded: results.filter((r) => r.status === 'graded').length,
    reused,
    infraErrors: results.filter((r) => r.status === 'infra-error').length,
    timeouts: results.filter((r) => r.status === 'timeout').length,
    interrupted,
    leftBehind: leftBehind.summary,
  };
}

/** A submission's files through intake: its own folder or archive, or its part of a platform's export. */
function readInput(sub: Submission): Promise<SubmissionFiles> {
  if (!sub.part) return readSubmission(sub.source, sub.kind);
  return readExportPart({ path: sub.source, kind: sub.kind === 'zip' ? 'zip' : 'folder' }, sub.part, sub.facts?.sources[0] ?? sub.student);
}

/** A CSV the instructor named (`what`: "roster"); USAGE when it cannot be read. */
function readInputFile(file: string, what: string): Promise<string> {
  return readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new LabsError('USAGE', `the ${what} ${file} cannot be read (${error.code ?? String(error)})`, {
      hint: `pass the ${what} as your platform exported it (a CSV file)`,
      cause: error,
    });
  });
}

/**
 * The local pool: N sessions at once on this machine's engine. Resolves with whether it was
 * interrupted; what a removal failed to remove goes to `leftBehind`, never into a result.
 */
async function locally(
  options: GradeOptions,
  todo: SubmissionInput[],
  ctx: { hash: string; version: string; timeoutMs: number; attempts: number },
  record: (result: SubmissionResult) => Promise<void>,
  leftBehind: LeftBehind,
): Promise<boolean> {
  let interrupted = false;
  const queue = [...todo];
  // A slot takes the next submission while the last one's containers are still being removed.
  const teardown = (removal: Promise<void>): void => leftBehind.take(removal);
  // Each lane's network and script containers serve one submission after another (session/slot.ts).
  const slots = new SlotPool(options.runtime, undefined, (error, count) => leftBehind.slotsFailed(error, count));
  const worker = async (): Promise<void> => {
    for (;;) {
      if (options.signal?.aborted) {
        interrupted = true;
        return;
      }
      const item = queue.shift();
      if (!item) return;
      options.onEvent?.({ type: 'start', student: item.student });
      const result = await gradeWithRetries(options, item, { ...ctx, teardown, slots });
      if (!result) {
        interrupted = true;
        return;
      }
      await record(result);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, () => worker()));
  } finally {
    await leftBehind.settled();
    await slots.close();
  }
  return interrupted;
}

/** Through BullMQ: jobs carry the files; `labs worker`s grade them; results come back here. */
async function viaQueue(
  options: GradeOptions,
  connection: QueueConnection,
  todo: SubmissionInput[],
  ctx: { hash: string; version: string },
  record: (result: SubmissionResult) => Promise<void>,
): Promise<boolean> {
  const coordinator = await openCoordinator(connection, options.queueConnectTimeoutMs);
  try {
    const jobs: GradeJob[] = todo.map((t) => ({
      lab: options.lab.id,
      labHash: ctx.hash,
      toolVersion: ctx.version,
      student: t.student,
      contentHash: t.contentHash,
      warnings: t.warnings,
      files: t.files.map((f) => ({ path: f.path, data: f.data.toString('base64') })),
    }));
    await coordinator.run(
      jobs,
      {
        onResult: record,
        onFailed: (job, reason, attempts) => record(infraError(job, ctx, `every attempt failed on the workers: ${reason}`, attempts, 0)),
      },
      options.signal,
    );
  } finally {
    await coordinator.close();
  }
  return Boolean(options.signal?.aborted);
}

/** One student's submission as intake read it: what a local slot or a queued job grades. */
export interface SubmissionInput extends SubmissionFiles {
  student: string;
}

export interface AttemptContext {
  runtime: ContainerRuntime;
  lab: Lab;
  labHash: string;
  toolVersion: string;
  timeoutMs: number;
  attempt: number;
  signal?: AbortSignal;
  /** Takes each session's removal instead of waiting for it (see runCheckSession). */
  teardown?: (removal: Promise<void>) => void;
  /** Batch slots: the session takes one, and gives it back for the next when it ended graded (session/slot.ts). */
  slots?: SlotPool;
}

/**
 * One attempt at one submission: a result (graded or timeout), or a LabsError for an
 * infrastructure failure that is worth another attempt. Undefined when interrupted.
 */
export async function gradeAttempt(sub: SubmissionInput, ctx: AttemptContext): Promise<SubmissionResult | undefined> {
  const started = Date.now();
  const base = {
    student: sub.student,
    contentHash: sub.contentHash,
    labHash: ctx.labHash,
    toolVersion: ctx.toolVersion,
    warnings: sub.warnings,
    attempts: ctx.attempt,
  };
  const finish = (rest: Pick<SubmissionResult, 'status'> & Partial<SubmissionResult>): SubmissionResult => ({
    ...base,
    durationMs: Date.now() - started,
    finishedAt: new Date().toISOString(),
    ...rest,
  });
  const timeout = AbortSignal.timeout(ctx.timeoutMs);
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, timeout]) : timeout;
  const session = newSessionId();
  const slot = ctx.slots?.take(ctx.lab);
  let reusable = false;
  try {
    // The files as intake read them, in memory: the session reads nothing again, with other limits.
    const checking = runCheckSession({
      runtime: ctx.runtime,
      lab: ctx.lab,
      submission: sub,
      mode: 'grade',
      signal,
      session,
      teardown: ctx.teardown,
      slot,
    });
    const report = await endsWithin(checking, signal, stopGraceMs);
    reusable = true;
    // The report's warnings are intake's and the session's own (a compose file's notes), so feedback shows both.
    return finish({ status: 'graded', report, warnings: report.warnings });
  } catch (error) {
    // A session that did not end once stopped must not hold up the batch: its containers go now.
    const abandoned = error instanceof Abandoned;
    if (abandoned) {
      const removing = Promise.all([removeSession(ctx.runtime, session), removeHostRules((s) => s === session)]);
      await endsWithin(removing, AbortSignal.abort(), stopGraceMs).catch(() => undefined);
    }
    if (ctx.signal?.aborted) return undefined;
    const stopped = abandoned ? `, and did not stop within ${stopGraceMs / 1000} s; its containers were removed` : ' and was stopped';
    if (timeout.aborted) return finish({ status: 'timeout', error: `grading took longer than ${ctx.timeoutMs} ms${stopped}` });
    throw error;
  } finally {
    // Only a slot whose session ended as expected serves the next one.
    if (slot) ctx.slots!.give(slot, reusable);
  }
}

/** How long a stopped session may take to end (remove its containers) before it is let go. */
const stopGraceMs = 30_000;

/** What `endsWithin` throws when the work went on too long after the stop. */
export class Abandoned extends Error {
  constructor(graceMs: number) {
    super(`did not end within ${graceMs} ms of being stopped`);
  }
}

/**
 * `work`'s outcome; but once `signal` is aborted, `work` has `graceMs` to settle, after which
 * this rejects with Abandoned and `work` is left to itself.
 */
export function endsWithin<T>(work: Promise<T>, signal: AbortSignal, graceMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => void (timer = setTimeout(() => reject(new Abandoned(graceMs)), graceMs));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    });
  });
}

/** Retries infrastructure errors locally; after the last attempt the result says infra-error. */
async function gradeWithRetries(
  options: GradeOptions,
  sub: SubmissionInput,
  ctx: { hash: string; version: string; timeoutMs: number; attempts: number; teardown?: AttemptContext['teardown']; slots?: SlotPool },
): Promise<SubmissionResult | undefined> {
  const started = Date.now();
  let lastError = '';
  for (let attempt = 1; attempt <= ctx.attempts; attempt += 1) {
    try {
      return await gradeAttempt(sub, {
        runtime: options.runtime,
        lab: options.lab,
        labHash: ctx.hash,
        toolVersion: ctx.version,
        timeoutMs: ctx.timeoutMs,
        attempt,
        signal: options.signal,
        teardown: ctx.teardown,
        slots: ctx.slots,
      });
    } catch (error) {
      if (!isLabsError(error)) throw error;
      lastError = `${error.message}${error.hint ? ` (${error.hint})` : ''}`;
      if (attempt < ctx.attempts) options.onEvent?.({ type: 'retry', student: sub.student, attempt, error: lastError });
    }
  }
  return infraError(sub, { hash: ctx.hash, version: ctx.version }, lastError, ctx.attempts, Date.now() - started);
}

/** The result of a submission the grader could not grade (`infra-error`), after `attempts` tries, with `error` as the instructor reads it. */
export function infraError(
  sub: Pick<SubmissionInput, 'student' | 'contentHash' | 'warnings'>,
  ctx: { hash: string; version: string },
  error: string,
  attempts: number,
  durationMs: number,
): SubmissionResult {
  return {
    student: sub.student,
    status: 'infra-error',
    error,
    durationMs,
    contentHash: sub.contentHash,
    labHash: ctx.hash,
    toolVersion: ctx.version,
    finishedAt: new Date().toISOString(),
    warnings: sub.warnings,
    attempts,
  };
}
