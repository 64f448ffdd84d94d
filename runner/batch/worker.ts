/**
 * `labs worker`: takes grading jobs from the queue and grades them with this machine's Docker
 * engine. Each job carries its submission, so workers share no disk with the coordinator.
 */
import { findLab } from '../lab/registry.js';
import type { Lab } from '../lab/types.js';
import type { ContainerRuntime } from '../provision/runtime.js';
import { prune } from '../provision/teardown.js';
import { packageVersion } from '../paths.js';
import { gradeAttempt, infraError, labHash } from './grade.js';
import { SlotPool } from '../session/slot.js';
import { LeftBehind, type LeftBehindSummary } from './left-behind.js';
import { type GradeJob, type QueueConnection, type WorkerEvent, startQueueWorker } from './queue.js';
import type { SubmissionResult } from '../rubric/submission.js';

export interface WorkerOptions {
  runtime: ContainerRuntime;
  connection: QueueConnection;
  concurrency: number;
  timeoutMs?: number;
  /** How long a job stays with a worker that has gone silent (killed) before another takes it. */
  lockMs?: number;
  /** How long to wait for the queue's Redis to answer before giving up (default 10 s). */
  connectTimeoutMs?: number;
  /** The first abort stops taking jobs and lets the ones in hand finish. */
  signal: AbortSignal;
  onEvent?: (event: { type: 'ready' } | { type: 'left-behind'; error: string } | WorkerEvent) => void;
}

/** How long a worker keeps a batch slot no job has asked for (session/slot.ts, `SlotPool`). */
export const workerIdleSlotMs = 10_000;

/**
 * A `labs worker`: takes grading jobs from the BullMQ queue and grades each with this machine's
 * engine until `signal` aborts (a job it cannot finish is retried elsewhere, never lost). Defaults:
 * `timeoutMs` 180 000 per submission, a job lock of 30 000 ms renewed while it runs. A session's
 * removal runs after its job's result is handed back; one that fails leaves that result as it is,
 * is told as a `left-behind` event, and counted in what this resolves with.
 */
export async function runWorker(options: WorkerOptions): Promise<{ leftBehind: LeftBehindSummary }> {
  const { runtime } = options;
  await runtime.ping();
  await prune(runtime, { all: false });
  const version = packageVersion();
  const labs = new Map<string, Promise<{ lab: Lab; hash: string }>>();
  const labFor = (id: string): Promise<{ lab: Lab; hash: string }> => {
    if (!labs.has(id))
      labs.set(
        id,
        findLab(id).then(async (lab) => ({ lab, hash: await labHash(lab) })),
      );
    return labs.get(id)!;
  };
  const leftBehind = new LeftBehind((error) => options.onEvent?.({ type: 'left-behind', error: error instanceof Error ? error.message : String(error) }));
  // Each concurrent job's network and script containers serve the next job (session/slot.ts);
  // between batches, a worker keeps nothing for long.
  const slots = new SlotPool(runtime, workerIdleSlotMs, (error, count) => leftBehind.slotsFailed(error, count));
  const grade = async (job: GradeJob, attempt: number): Promise<SubmissionResult> => {
    const { lab, hash } = await labFor(job.lab);
    // A worker with another version of the tool or the lab would grade by other rules.
    if (hash !== job.labHash || version !== job.toolVersion) {
      return infraError(
        job,
        { hash: job.labHash, version: job.toolVersion },
        `worker has labs ${version} with ${hash === job.labHash ? 'the same' : 'a different'} ${lab.id} definition; the coordinator has labs ${job.toolVersion}: update the worker`,
        attempt,
        0,
      );
    }
    const files = job.files.map((f) => ({ path: f.path, data: Buffer.from(f.data, 'base64') }));
    const result = await gradeAttempt(
      { student: job.student, files, contentHash: job.contentHash, warnings: job.warnings },
      {
        runtime,
        lab,
        labHash: hash,
        toolVersion: version,
        timeoutMs: options.timeoutMs ?? 180_000,
        attempt,
        slots,
        // Handed on, as a local batch does: a removal that fails is no reason to grade the job again.
        teardown: (removal) => leftBehind.take(removal),
      },
    );
    // An infrastructure error was thrown above, so BullMQ retries the job; a result is final.
    if (!result) throw new Error('the worker stopped before the job finished');
    return result;
  };
  const handle = await startQueueWorker(options.connection, options.concurrency, grade, (e) => options.onEvent?.(e), {
    lockMs: options.lockMs,
    connectTimeoutMs: options.connectTimeoutMs,
  });
  options.onEvent?.({ type: 'ready' });
  await new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    options.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await handle.close();
  await leftBehind.settled();
  await slots.close();
  return { leftBehind: leftBehind.summary };
}
