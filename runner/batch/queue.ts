/**
 * Grading spread over machines with BullMQ (the only module that imports it). The coordinator puts
 * one job per submission carrying the submission itself (workers share no disk); each `labs worker`
 * grades with its own Docker engine. A worker that dies mid-job leaves its job stalled; BullMQ hands
 * it to another worker, and the coordinator keeps the first result per job, so nothing is lost or
 * counted twice.
 */
import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { LabsError } from '../errors.js';
import type { SubmissionResult } from '../rubric/submission.js';

export interface GradeJob {
  lab: string;
  labHash: string;
  toolVersion: string;
  student: string;
  contentHash: string;
  warnings: string[];
  /** The submission's files, base64, so a worker on another machine needs nothing else. */
  files: { path: string; data: string }[];
}

export interface QueueConnection {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
}

/**
 * The connection `--queue` names: `redis://[user:password@]host[:port][/db]` (port 6379 by default; db a
 * whole number). Throws USAGE for anything else.
 */
export function parseQueueUrl(url: string): QueueConnection {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new LabsError('USAGE', `--queue takes a Redis URL like redis://host:6379, not "${url}"`);
  }
  if (parsed.protocol !== 'redis:') throw new LabsError('USAGE', `--queue takes a redis:// URL, not "${url}"`);
  const db = parsed.pathname.slice(1);
  // ioredis would take NaN for no db at all, and the coordinator and its workers could meet in db 0 by accident.
  if (db !== '' && !/^\d+$/.test(db)) throw new LabsError('USAGE', `--queue takes a db number after the port (redis://host:6379/1), not "${db}"`);
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    // URL keeps both percent-encoded; the server wants them as typed.
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: db === '' ? undefined : Number(db),
  };
}

/** One queue for every lab: a worker grades whatever lab a job names. */
const queueName = 'labs-grade';

/** A job id per submission content: enqueueing the same files twice makes one job. */
export function jobId(job: Pick<GradeJob, 'lab' | 'student' | 'contentHash' | 'labHash' | 'toolVersion'>): string {
  return `${job.lab}--${job.student}--${job.contentHash.slice(0, 16)}--${job.labHash.slice(0, 8)}--${job.toolVersion}`.replace(/:/g, '_');
}

/** Attempts BullMQ makes at a job before it counts as an infrastructure error. */
const jobAttempts = 3;

export interface Coordinator {
  /**
   * Enqueues the jobs and calls `onResult` once per job as results arrive: a worker's result, or
   * `onFailed` once its last attempt failed. Resolves when every job has one, or on abort.
   */
  run: (
    jobs: GradeJob[],
    handlers: { onResult: (result: SubmissionResult) => Promise<void>; onFailed: (job: GradeJob, reason: string, attempts: number) => Promise<void> },
    signal?: AbortSignal,
  ) => Promise<void>;
  close: () => Promise<void>;
}

/** How long the coordinator and a worker wait for the queue's Redis to answer, by default. */
const defaultConnectTimeoutMs = 10_000;

/** ioredis retries a refused connection forever; a person waiting wants an answer. */
async function withinConnectTime<T>(ready: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      ready,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function unreachable(connection: QueueConnection, error: unknown): LabsError {
  return new LabsError('QUEUE_UNREACHABLE', `the queue's Redis at ${connection.host}:${connection.port} is not reachable: ${(error as Error).message}`, {
    hint: 'start Redis there (or fix --queue), and make sure this machine may connect to it',
    cause: error,
  });
}

/**
 * Opens the coordinator's side of the queue. Throws LabsError QUEUE_UNREACHABLE (exit 3) naming the
 * address when its Redis does not answer within `connectTimeoutMs`.
 */
export async function openCoordinator(connection: QueueConnection, connectTimeoutMs = defaultConnectTimeoutMs): Promise<Coordinator> {
  const queue = new Queue<GradeJob, SubmissionResult>(queueName, { connection });
  queue.on('error', () => {});
  try {
    await withinConnectTime(queue.waitUntilReady(), connectTimeoutMs);
  } catch (error) {
    await queue.close();
    throw unreachable(connection, error);
  }
  // Only once Redis has answered: a QueueEvents that never connected never finishes closing
  // (bullmq 5.81: its close() waits for the connection first), so `labs grade --queue` to an
  // unreachable Redis hung instead of saying so.
  const events = new QueueEvents(queueName, { connection });
  events.on('error', () => {});
  try {
    await withinConnectTime(events.waitUntilReady(), connectTimeoutMs);
  } catch (error) {
    await Promise.race([Promise.allSettled([queue.close(), events.close()]), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    throw unreachable(connection, error);
  }
  return {
    run: async (jobs, handlers, signal) => {
      const pending = new Map(jobs.map((j) => [jobId(j), j]));
      const seen = new Set<string>();
      let resolveAll!: () => void;
      const finished = new Promise<void>((resolve) => (resolveAll = resolve));
      // One answer per job, whichever way it arrives first: events, or a look at a job that
      // finished before this coordinator listened (a coordinator restarted mid-batch). The event and
      // the sweep can look at one job at the same moment: oncePerKey lets one look at a time.
      const settle = oncePerKey(async (id: string): Promise<void> => {
        const data = pending.get(id);
        if (!data || seen.has(id)) return;
        const job = await queue.getJob(id);
        if (!job) return;
        const state = await job.getState();
        if (state === 'completed' && job.returnvalue) {
          seen.add(id);
          await handlers.onResult(job.returnvalue);
        } else if (state === 'failed' && job.attemptsMade >= (job.opts.attempts ?? 1)) {
          seen.add(id);
          await handlers.onFailed(data, job.failedReason ?? 'failed', job.attemptsMade);
        } else {
          return;
        }
        if (seen.size === pending.size) resolveAll();
      });
      events.on('completed', ({ jobId: id }: { jobId: string }) => void settle(id));
      events.on('failed', ({ jobId: id }: { jobId: string }) => void settle(id));
      signal?.addEventListener('abort', () => resolveAll(), { once: true });
      if (pending.size === 0) return;
      // Whatever the caller sends is to be graded now: an old finished job with the same id (a
      // timeout, an infra-error, a --force) goes; one still waiting or running is kept.
      for (const id of pending.keys()) {
        const old = await queue.getJob(id);
        if (old && ['completed', 'failed'].includes(await old.getState())) await old.remove();
      }
      await queue.addBulk(
        jobs.map((data) => ({
          name: `${data.lab}/${data.student}`,
          data,
          opts: { jobId: jobId(data), attempts: jobAttempts, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: false, removeOnFail: false },
        })),
      );
      for (const id of pending.keys()) await settle(id);
      // Events can be missed across a reconnect: look again now and then until all are in.
      const sweep = setInterval(() => void Promise.all([...pending.keys()].map((id) => settle(id))), 5000);
      try {
        await finished;
      } finally {
        clearInterval(sweep);
      }
    },
    close: async () => {
      await Promise.allSettled([events.close(), queue.close()]);
    },
  };
}

export interface WorkerHandle {
  close: () => Promise<void>;
}

export type WorkerEvent =
  | { type: 'active' | 'completed'; job: GradeJob }
  /** `retried`: attempts are left, so the job goes back to the queue. */
  | { type: 'failed'; job: GradeJob; detail: string; retried: boolean };

/**
 * Grades jobs as they come. `grade` returns the result of a job, or throws a LabsError for an
 * infrastructure failure so that BullMQ retries it (on this or another worker). `lockMs`: how long
 * a job stays with a worker that stopped renewing its lock. Throws LabsError QUEUE_UNREACHABLE (exit 3)
 * naming the address when the queue's Redis does not answer within `connectTimeoutMs`.
 */
export async function startQueueWorker(
  connection: QueueConnection,
  concurrency: number,
  grade: (job: GradeJob, attempt: number) => Promise<SubmissionResult>,
  onEvent: (event: WorkerEvent) => void = () => {},
  { lockMs = 30_000, connectTimeoutMs = defaultConnectTimeoutMs }: { lockMs?: number; connectTimeoutMs?: number } = {},
): Promise<WorkerHandle> {
  const worker = new Worker<GradeJob, SubmissionResult>(
    queueName,
    async (job: Job<GradeJob, SubmissionResult>) => {
      onEvent({ type: 'active', job: job.data });
      return grade(job.data, job.attemptsMade + 1);
    },
    {
      connection,
      concurrency,
      // A job whose worker stops renewing its lock (killed) is stalled and goes to another worker.
      lockDuration: lockMs,
      stalledInterval: Math.max(1000, Math.floor(lockMs / 2)),
      maxStalledCount: 2,
    },
  );
  worker.on('completed', (job: Job<GradeJob, SubmissionResult>) => onEvent({ type: 'completed', job: job.data }));
  worker.on('failed', (job: Job<GradeJob, SubmissionResult> | undefined, error: Error) => {
    // attemptsMade already counts this failure.
    if (job) onEvent({ type: 'failed', job: job.data, detail: error.message, retried: job.attemptsMade < (job.opts.attempts ?? 1) });
  });
  worker.on('error', () => {});
  try {
    await withinConnectTime(worker.waitUntilReady(), connectTimeoutMs);
  } catch (error) {
    await worker.close().catch(() => undefined);
    throw unreachable(connection, error);
  }
  return {
    /** Stops taking jobs and waits for the ones being graded. */
    close: () => worker.close(),
  };
}

/**
 * `fn` run for one key at a time: a call for a key whose previous call has not finished waits for
 * it, then runs (and sees what the previous one did). Without it, two looks at one finished job
 * (its completed event and the 5 s sweep) both passed the "already recorded?" test before either
 * recorded it, and results.jsonl got the submission twice (seen in CI with a worker killed mid-job).
 */
export function oncePerKey(fn: (key: string) => Promise<void>): (key: string) => Promise<void> {
  const running = new Map<string, Promise<void>>();
  return (key) => {
    const previous = running.get(key) ?? Promise.resolve();
    const next = previous.then(() => fn(key));
    const settled = next.catch(() => undefined);
    running.set(key, settled);
    void settled.then(() => {
      if (running.get(key) === settled) running.delete(key);
    });
    return next;
  };
}
