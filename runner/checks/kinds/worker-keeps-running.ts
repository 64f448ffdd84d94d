/**
 * worker-keeps-running (the jobs-api lab): after an ordinary job, a job id whose record does not
 * exist and one whose record is malformed (the grader puts both on the queue itself) do not stop the
 * worker: it takes each, and then the next job the API queues (the course: "the only thing that would
 * cause our worker to stop is an unhandled exception"). The malformed record is written where the
 * wire showed the ordinary job's, under its key with the other id, of the same type: a string that is
 * not JSON in place of a JSON record, a hash with none of the job's fields in place of a hash. Judged
 * from the wire: the worker's pops of the ids, and whether it still ran. What status the next job
 * ends with is job-lifecycle's question, not this one's.
 */
import type { z } from 'zod';
import { defineKind } from './kind.js';
import { workerKeepsRunningSchema } from '../../lab/check-kinds.js';
import { type CheckContext, isWaiting, stopAll, waitFor } from '../context.js';
import { crashLine, quotedOutput } from '../diagnose.js';
import { elsewhereHint, jobTrace, postJobs, queuedElsewhere, scriptFile, startApiAndWorkers } from '../jobs-api.js';
import { type CheckOutcome, outcome } from '../outcome.js';

export type WorkerKeepsRunningSpec = z.infer<typeof workerKeepsRunningSchema>;

export async function workerKeepsRunningCheck(ctx: CheckContext, spec: WorkerKeepsRunningSpec): Promise<CheckOutcome> {
  const workSeconds = spec.work_seconds ?? 0.5;
  const started = await startApiAndWorkers(ctx, 1, workSeconds);
  if ('failed' in started) return started.failed;
  const { api } = started;
  const worker = started.workers[0]!;
  const file = scriptFile(ctx, 'consumer');
  const mark = ctx.wire.commands.length;
  const popped = (id: string): boolean => jobTrace(ctx, id, mark).pops.some((p) => p.run === worker.name);
  /** Waits until the worker took `id` and waits for the next one (or has ended). */
  const through = async (id: string): Promise<void> => {
    await waitFor(() => worker.hasEnded() || popped(id), 3000, ctx.signal, 20);
    await waitFor(() => worker.hasEnded() || (popped(id) && isWaiting(ctx, worker)), 3000 + workSeconds * 1000, ctx.signal, 20);
  };
  // An ordinary job first: a worker that dies of every job says nothing about jobs without a record.
  const first = await postJobs(ctx, api, 1);
  if ('failed' in first) {
    await stopAll(ctx, [worker, api.run]);
    return first.failed;
  }
  const ordinary = first.jobs[0]!.id;
  await through(ordinary);
  // A worker that did not take the ordinary job (another queue, a crash at start) is not judged:
  // waiting for it to take the grader's ids would only add their timeouts.
  const tookFirst = popped(ordinary);
  const orphan = `no-record-${ctx.tokens.prefix}`;
  if (tookFirst && !worker.hasEnded()) {
    await ctx.probe.push(ctx.queue.db, ctx.queue.key, [ctx.codec.encode(orphan)]);
    await through(orphan);
  }
  // The record as the API stored it (the first write of the ordinary job): where and of which type.
  const stored = jobTrace(ctx, ordinary, mark).writes[0];
  const malformedId = `malformed-${ctx.tokens.prefix}`;
  const malformed = stored && { id: malformedId, db: stored.db, key: stored.key.split(ordinary).join(malformedId), hash: stored.command !== 'SET' };
  if (tookFirst && malformed && !worker.hasEnded()) {
    await ctx.probe.store(malformed.db, malformed.key, malformed.hash ? { malformed: 'not a job' } : Buffer.from('not a job {'));
    await ctx.probe.push(ctx.queue.db, ctx.queue.key, [ctx.codec.encode(malformed.id)]);
    await through(malformed.id);
  }
  const posted = !tookFirst || worker.hasEnded() ? undefined : await postJobs(ctx, api, 1);
  const next = posted && 'jobs' in posted ? posted.jobs[0]!.id : undefined;
  if (next !== undefined) await waitFor(() => worker.hasEnded() || popped(next), 3000, ctx.signal, 20);
  const exits = await stopAll(ctx, [worker, api.run]);
  const exit = exits.get(worker.name)!;
  const crash = crashLine(worker.lines);
  const details = quotedOutput(worker.lines, file, 4);
  const died = `${file} ended (${exit.description})${crash ? `: ${crash}` : ''}`;
  // Every run has ended once stopped: only an end of its own says something about the worker.
  const ended = !exit.stoppedByGrader && !exit.timedOut;
  if (!popped(ordinary)) {
    const elsewhere = queuedElsewhere(ctx, [ordinary], mark);
    return outcome(
      false,
      `not judged: the worker never took an ordinary job off the queue (${ctx.queue.key} in db ${ctx.queue.db})${elsewhere ? `: its id went to ${elsewhere.key} in db ${elsewhere.db}` : ''}${ended ? `; ${died}` : ''}`,
      {
        details,
        diagnosis: [
          elsewhere
            ? elsewhereHint(ctx, elsewhere)
            : `${file} must take ids off HotQueue("queue", host=REDIS_IP, port=6379, db=${ctx.queue.db}) with @q.worker (job-lifecycle says more)`,
        ],
      },
    );
  }
  if (!popped(orphan)) {
    return outcome(false, `not judged: ${ended ? `the worker did not survive an ordinary job: ${died}` : 'the worker took no job after the first one'}`, {
      details,
      diagnosis: [`the worker must keep running from one job to the next (job-lifecycle says what happened to the job)`],
    });
  }
  const goOn = `${file} must go on to the next job after one it cannot do: return from the decorated function, and let @q.worker call it with the next id`;
  const tookNext = next !== undefined && popped(next);
  // Stuck at the id without a record: it died of it, or did not take the id after it.
  if (malformed ? !popped(malformed.id) : !tookNext) {
    return outcome(
      false,
      ended
        ? `${died}, after it took a job id that has no record (${orphan})`
        : `after a job id without a record, the worker did not take the next job within 3 s`,
      {
        details,
        diagnosis: [
          ended
            ? 'a job without a record (deleted, or never stored) must not stop the worker: check what get_job_by_id(jid) returns before you use it, and go on with the next job when it is None'
            : goOn,
        ],
      },
    );
  }
  if (malformed && !tookNext) {
    const record = malformed.hash
      ? `${malformed.key} in db ${malformed.db}, a hash with none of the job's fields`
      : `${malformed.key} in db ${malformed.db}, "not a job {", not JSON`;
    return outcome(
      false,
      ended
        ? `${died}, after it took a job whose record is malformed (${record})`
        : `after a job whose record is malformed (${record}), the worker did not take the next job within 3 s`,
      {
        details,
        diagnosis: [
          ended
            ? 'a job whose record cannot be read (not JSON, or without its fields) must not stop the worker: in get_job_by_id, catch the error of reading it (json.loads raises ValueError) and return None, then skip it as a job without a record'
            : goOn,
        ],
      },
    );
  }
  const also = malformed
    ? ` and one whose record is malformed (${malformed.id})`
    : ' (no malformed record was tried: the wire showed no record of the ordinary job, which api-create judges)';
  return outcome(true, `after an ordinary job, the worker took a job id without a record (${orphan})${also} and went on to take the next job`);
}

export const workerKeepsRunning = defineKind({
  kind: 'worker-keeps-running',
  schema: workerKeepsRunningSchema,
  judgedFromWire: true,
  hosts: () => ({ producer: 1, consumer: 1, together: true }),
  run: workerKeepsRunningCheck,
});
