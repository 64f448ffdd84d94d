/**
 * queue-holds-without-worker (the jobs-api lab): jobs posted while no worker runs stay "submitted",
 * their ids waiting on the queue; once a worker starts, every one of them completes. hotqueue is
 * at-most-once (a worker killed after its pop loses that job), so nothing here asks that a job a
 * worker held when it died survives, and the summary says so.
 */
import type { z } from 'zod';
import { defineKind } from './kind.js';
import { queueHoldsSchema } from '../../lab/check-kinds.js';
import { type CheckContext, sleep, stopAll } from '../context.js';
import { firstFew, quotedOutput } from '../diagnose.js';
import {
  elsewhereHint,
  finished,
  firstTaken,
  pollJobs,
  postJobs,
  queuedElsewhere,
  scriptFile,
  startApi,
  startWorker,
  statusWord,
  undoneHint,
} from '../jobs-api.js';
import { type CheckOutcome, outcome } from '../outcome.js';

export type QueueHoldsSpec = z.infer<typeof queueHoldsSchema>;

/** How long the jobs wait with no worker before the grader looks, ms. */
const holdMs = 1000;
const atMostOnce = 'hotqueue takes an id off the queue before the work, so a worker killed mid-job loses that job: no check asks otherwise';

export async function queueHoldsCheck(ctx: CheckContext, spec: QueueHoldsSpec): Promise<CheckOutcome> {
  const count = spec.jobs ?? 3;
  const workSeconds = spec.work_seconds ?? 0.5;
  const started = await startApi(ctx);
  if ('failed' in started) return started.failed;
  const { api } = started;
  const mark = ctx.wire.commands.length;
  const posted = await postJobs(ctx, api, count);
  if ('failed' in posted) return posted.failed;
  const { jobs } = posted;
  await sleep(holdMs, ctx.signal);
  await pollJobs(ctx, api, jobs, 0, []);
  const moved = jobs.filter((j) => j.seen.some((s) => statusWord(s).exact !== 'submitted'));
  const queued = await ctx.probe.length(ctx.queue.db, ctx.queue.key);
  if (moved.length || queued !== count) {
    await stopAll(ctx, [api.run]);
    const elsewhere = moved.length
      ? undefined
      : queuedElsewhere(
          ctx,
          jobs.map((j) => j.id),
          mark,
        );
    const problem = moved.length
      ? `with no worker running, ${moved.length} of ${count} jobs did not stay "submitted" (${moved[0]!.id}: ${moved[0]!.seen.join(' → ')})`
      : `with no worker running, the queue (${ctx.queue.key} in db ${ctx.queue.db}) held ${queued} ids, not the ${count} jobs posted${elsewhere ? `: they went to ${elsewhere.key} in db ${elsewhere.db}` : ''}`;
    return outcome(false, problem, {
      diagnosis: [
        moved.length
          ? 'the API only stores the job and queues its id; the worker, in its own container, does the work and changes the status'
          : elsewhere
            ? elsewhereHint(ctx, elsewhere)
            : `add_job puts each id once on HotQueue("queue", host=REDIS_IP, port=6379, db=${ctx.queue.db}), where it waits until a worker takes it`,
      ],
    });
  }
  const worker = await startWorker(ctx, 'worker-1', workSeconds);
  const deadline = Date.now() + count * workSeconds * 1000 + 5000;
  await pollJobs(ctx, api, jobs, deadline, [worker]);
  const exits = await stopAll(ctx, [worker, api.run]);
  const left = jobs.filter((j) => !finished(j));
  if (left.length) {
    const exit = exits.get(worker.name)!;
    const file = scriptFile(ctx, 'consumer');
    // A job the worker took and left as it was: why, as job-lifecycle says it; else the ids were lost before it took them.
    const taken = firstTaken(ctx, left, mark, [worker]);
    const endedByItself = !exit.stoppedByGrader && !exit.timedOut;
    return outcome(
      false,
      `${count} jobs waited on the queue with no worker, but ${left.length} did not complete once a worker started (${firstFew(left.map((j) => j.id))})${taken ? `: the worker took ${taken.id} and it stays "${taken.status}"` : ''}`,
      {
        details: [`${file}: ${exit.description}`, ...quotedOutput(worker.lines, file)],
        diagnosis: [
          taken
            ? undoneHint(ctx, file, worker, endedByItself ? exit : undefined, taken.status, taken.t)
            : 'a worker that starts must take the ids already waiting on the queue: @q.worker does; do not clear() the queue at start (job-lifecycle says more)',
        ],
      },
    );
  }
  return outcome(
    true,
    `${count} jobs posted with no worker stayed "submitted", their ids on the queue; a worker started ${holdMs / 1000} s later completed them all (${atMostOnce})`,
  );
}

export const queueHoldsWithoutWorker = defineKind({
  kind: 'queue-holds-without-worker',
  schema: queueHoldsSchema,
  judgedFromWire: false,
  hosts: () => ({ producer: 1, consumer: 1, together: true }),
  run: queueHoldsCheck,
});
