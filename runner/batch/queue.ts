/**
 * Grading spread over machines with BullMQ (the only module that imports it). The coordinator puts
 * one job per submission carrying the submission itself (workers share no disk); each `labs worker`
 * grades with its own Docker engine. A worker that dies mid-job leaves its job stalled; BullMQ hands
 * it to another worker, and the coordinator keeps the first result per job, so nothing is lost or
 * counted twice.
 */
import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { LabsError } from '../errors.js';
import type { SubmissionResult } from './types.js';

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

export function parseQueueUrl(url: string): QueueConnection {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new LabsError('USAGE', `--queue takes a Redis URL like redis://host:6379, not "${url}"`);
  }
  if (parsed.protocol !== 'redis:') throw new LabsError('USAGE', `--queue takes a redis:// URL, not "${url}"`);
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    username: parsed.username || undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : undefined,
  };
}

export function queueName(lab: string): string {
  return `labs-grade-${lab}`;
}

/** A job id per submission content: enqueueing the same files twice makes one job. */
export function jobId(job: Pick<GradeJob, 'student' | 'contentHash' | 'labHash' | 'toolVersion'>): string {
  return `${job.student}--${job.contentHash.slice(0, 16)}--${job.labHash.slice(0, 8)}--${job.toolVersion}`.replace(/:/g, '_');
}

export interface Coordinator {
  /** Enqueues the jobs and resolves with each result as it arrives (first result per job wins). */
  run: (jobs: GradeJob[], onResult: (result: SubmissionResult) => Promise<void>, signal?: AbortSignal) => Promise<void>;
  close: () => Promise<void>;
}

export async function openCoordinator(connection: QueueConnection, lab: string): Promise<Coordinator> {
  const name = queueName(lab);
  const queue = new Queue<GradeJob, SubmissionResult>(name, { connection });
  const events = new QueueEvents(name, { connection });
  queue.on('error', () => {});
  events.on('error', () => {});
  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  } catch (error) {
    await Promise.allSettled([queue.close(), events.close()]);
    throw new LabsError('DOCKER_FAILED', `the queue's Redis at ${connection.host}:${connection.port} is not reachable: ${(error as Error).message}`, {
      hint: 'start Redis there (or fix --queue), and make sure this machine may connect to it',
      cause: error,
    });
  }
  return {
    run: async (jobs, onResult, signal) => {
      const pending = new Map(jobs.map((j) => [jobId(j), j]));
      const seen = new Set<string>();
      const finished = new Promise<void>((resolve) => {
        const deliver = async (id: string): Promise<void> => {
          if (!pending.has(id) || seen.has(id)) return;
          const job = await queue.getJob(id);
          const result = job?.returnvalue as SubmissionResult | undefined;
          if (!result) return;
          seen.add(id);
          await onResult(result);
          if (seen.size === pending.size) resolve();
        };
        events.on('completed', ({ jobId: id }) => void deliver(id));
        // Jobs completed before we listened (a coordinator restarted) are collected too.
        void (async () => {
          for (const id of pending.keys()) {
            const state = await queue.getJobState(id);
            if (state === 'completed') await deliver(id);
          }
          if (pending.size === 0) resolve();
        })();
        signal?.addEventListener('abort', () => resolve(), { once: true });
      });
      await queue.addBulk(
        jobs.map((data) => ({
          name: data.student,
          data,
          opts: {
            jobId: jobId(data),
            attempts: 3,
            backoff: { type: 'exponential', delay: 2000 },
            removeOnComplete: false,
            removeOnFail: false,
          },
        })),
      );
      await finished;
    },
    close: async () => {
      await Promise.allSettled([events.close(), queue.close()]);
    },
  };
}

export interface WorkerHandle {
  closed: Promise<void>;
  close: () => Promise<void>;
}

/**
 * Grades jobs as they come. `grade` returns the result of a job, or throws a LabsError for an
 * infrastructure failure so that BullMQ retries it (on this or another worker).
 */
export async function startWorker(
  connection: QueueConnection,
  lab: string,
  concurrency: number,
  grade: (job: GradeJob, attempt: number) => Promise<SubmissionResult>,
  onEvent: (event: { type: 'active' | 'completed' | 'failed'; student: string; detail?: string }) => void = () => {},
): Promise<WorkerHandle> {
  const worker = new Worker<GradeJob, SubmissionResult>(
    queueName(lab),
    async (job: Job<GradeJob, SubmissionResult>) => {
      onEvent({ type: 'active', student: job.data.student });
      return grade(job.data, job.attemptsMade + 1);
    },
    {
      connection,
      concurrency,
      // A job whose worker stops renewing its lock (killed) is stalled and goes to another worker.
      lockDuration: 30_000,
      stalledInterval: 15_000,
      maxStalledCount: 2,
    },
  );
  worker.on('completed', (job) => onEvent({ type: 'completed', student: job.data.student }));
  worker.on('failed', (job, error) => onEvent({ type: 'failed', student: job?.data.student ?? '?', detail: error.message }));
  worker.on('error', () => {});
  try {
    await worker.waitUntilReady();
  } catch (error) {
    await worker.close().catch(() => undefined);
    throw new LabsError('DOCKER_FAILED', `the queue's Redis at ${connection.host}:${connection.port} is not reachable: ${(error as Error).message}`, {
      hint: 'start Redis there (or fix --queue)',
      cause: error,
    });
  }
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  worker.on('closed', () => resolveClosed());
  return {
    closed,
    close: async () => {
      await worker.close();
      resolveClosed();
    },
  };
}
