/**
 * queue-holds-without-worker (the jobs-api lab): the queue keeps jobs while no worker runs. Jobs
 * posted with no worker stay "submitted", their ids on the queue, and a worker that starts takes
 * them. That worker is then killed (SIGKILL, as a crash) in the middle of a job, seen on the wire by
 * its "in progress" write; one more job is posted while it is down; and a worker started again must
 * do each job whose id was still on the queue at the kill, and the one posted, exactly once (one
 * pop, one "in progress" write, complete). hotqueue is at-most-once: the id of the job the killed
 * worker held left the queue with its pop, before the work, so that job may stay "in progress";
 * nothing here asks more, and the feedback says so.
 */
import type { z } from 'zod';
import { defineKind } from './kind.js';
import { queueHoldsSchema } from '../../lab/check-kinds.js';
import type { ScriptRun } from '../../run/script.js';
import { type CheckContext, connectGraceMs, settled, sleep, stopAll, waitFor } from '../context.js';
import { crashLine, firstFew, quotedOutput } from '../diagnose.js';
import {
  type Api,
  type Tracked,
  elsewhereHint,
  finished,
  firstTaken,
  jobTrace,
  pollJobs,
  postJobs,
  queuedElsewhere,
  scriptFile,
  startApi,
  startWorker,
  statusWord,
  undoneHint,
  waitsOnQueue,
} from '../jobs-api.js';
import { type CheckOutcome, outcome } from '../outcome.js';

export type QueueHoldsSpec = z.infer<typeof queueHoldsSchema>;

/** How long the jobs wait with no worker before the grader looks, ms. */
const holdMs = 1000;
/**
 * WORK_SECONDS of the worker the grader kills: far longer than seeing its first job start and
 * killing it take, even on a loaded machine, so that the kill comes mid-job. Never waited out.
 */
const killedWorkSeconds = 60;
/** How long the first worker may take to start a job, ms: Python's start and first connection under load. */
const startJobMs = connectGraceMs + 5000;
const atMostOnce =
  'hotqueue is at-most-once: an id leaves the queue with its pop, before the work, so a job a killed worker held is lost and may stay "in progress"; no check asks otherwise';

/** A status write that is "in progress", or a near miss of it (`in_progress`: job-lifecycle judges the word). */
const inProgress = (status: unknown): boolean => {
  const word = statusWord(status);
  return (word.exact ?? word.near) === 'in progress';
};

export async function queueHoldsCheck(ctx: CheckContext, spec: QueueHoldsSpec): Promise<CheckOutcome> {
  const count = spec.jobs ?? 3;
  const workSeconds = spec.work_seconds ?? 0.5;
  const started = await startApi(ctx);
  if ('failed' in started) return started.failed;
  const { api } = started;
  const postMark = ctx.wire.commands.length;
  const posted = await postJobs(ctx, api, count);
  if ('failed' in posted) {
    await stopAll(ctx, [api.run]);
    return posted.failed;
  }
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
          postMark,
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

  const mark = ctx.wire.commands.length;
  const first = await startWorker(ctx, 'worker-1', killedWorkSeconds);
  const held = await untilMidJob(ctx, first, jobs, mark);
  if (held === undefined) return noJobStarted(ctx, api, first, jobs, mark);
  // Killed as a crash kills it: SIGKILL, no chance to put anything back.
  const killed = (await stopAll(ctx, [first])).get(first.name)!;
  // What Redis holds, not what the wire suggests: the ids a worker started again is owed.
  const onQueue = new Set((await ctx.probe.range(ctx.queue.db, ctx.queue.key)).map((raw) => ctx.codec.decode(raw).text));
  const more = await postJobs(ctx, api, 1);
  if ('failed' in more) {
    await stopAll(ctx, [api.run]);
    return more.failed;
  }
  const owed = [...jobs.filter((j) => onQueue.has(j.id)), ...more.jobs];
  const restartMark = ctx.wire.commands.length;
  const second = await startWorker(ctx, 'worker-2', workSeconds);
  const deadline = Date.now() + owed.length * workSeconds * 1000 + 5000;
  await pollJobs(ctx, api, owed, deadline, [second]);
  const heldJob = jobs.find((j) => j.id === held)!;
  // Once, to say what a user would see of it: nothing waits for it to change.
  if (!owed.includes(heldJob)) await pollJobs(ctx, api, [heldJob], 0, []);
  const exits = await stopAll(ctx, [second, api.run]);
  const file = scriptFile(ctx, 'consumer');

  const problems: string[] = [];
  const diagnosis: string[] = [];
  // Neither on the queue at the kill nor taken by the killed worker: something else emptied the queue.
  const vanished = jobs.filter((j) => !onQueue.has(j.id) && !jobTrace(ctx, j.id, mark).pops.some((p) => p.run === first.name));
  if (vanished.length) {
    problems.push(
      `${vanished.length} of ${count} jobs left the queue while the first worker ran, without being taken by it (${firstFew(vanished.map((j) => j.id))})`,
    );
    diagnosis.push('ids wait on the queue until a worker takes them, one at a time: do not clear() the queue, or delete it, when the worker starts');
  }
  const twice = owed.filter((j) => {
    const trace = jobTrace(ctx, j.id, restartMark);
    return trace.pops.length > 1 || trace.writes.filter((w) => inProgress(w.status)).length > 1;
  });
  const left = owed.filter((j) => !finished(j));
  const owedText = `the ${owed.length} jobs on the queue at the kill or posted while no worker ran`;
  if (left.length) {
    const exit = exits.get(second.name)!;
    // A job the restarted worker took and left as it was: why, as job-lifecycle says it; else it never took them.
    const taken = firstTaken(ctx, left, restartMark, [second]);
    problems.push(
      `${left.length} of ${owedText} did not complete once a worker started again (${firstFew(left.map((j) => j.id))})${taken ? `: the worker took ${taken.id} and it stays "${taken.status}"` : ''}`,
    );
    diagnosis.push(
      taken
        ? undoneHint(ctx, file, second, !exit.stoppedByGrader && !exit.timedOut ? exit : undefined, taken.status, taken.t)
        : 'a worker that starts must take the ids already waiting on the queue: @q.worker does; do not clear() the queue at start (job-lifecycle says more)',
    );
  }
  if (twice.length) {
    problems.push(`${twice.length} of ${owedText} were taken or started more than once after the restart (${firstFew(twice.map((j) => j.id))})`);
    diagnosis.push('each id is taken off the queue once, by one worker: @q.worker pops it; do not put ids back, or read the queue another way as well');
  }
  const heldNow = owed.includes(heldJob)
    ? `job ${held}'s id was still on the queue when the worker was killed, so it was owed too`
    : `job ${held}, which the killed worker held, is ${heldJob.seen.at(-1) === undefined ? 'unknown to GET' : `"${heldJob.seen.at(-1)}"`}: ${atMostOnce}`;
  if (problems.length) {
    const early = killed.stoppedByGrader
      ? []
      : [
          `${file} (worker-1) ended by itself (${killed.description}) before the grader killed it${crashLine(first.lines) ? `: ${crashLine(first.lines)}` : ''}`,
        ];
    return outcome(false, problems[0]!, {
      details: [...problems.slice(1), ...early, heldNow, `${file} (worker-2): ${exits.get(second.name)!.description}`, ...quotedOutput(second.lines, file)],
      diagnosis: [...new Set(diagnosis)],
    });
  }
  return outcome(
    true,
    `${count} jobs posted with no worker stayed "submitted", their ids on the queue; a worker started ${holdMs / 1000} s later took job ${held} and was killed (SIGKILL) mid-job; ${owedText} were each done once by a worker started again. ${heldNow}`,
    { measurements: { owed: owed.length } },
  );
}

/**
 * Waits until `worker` is in the middle of a job: the wire shows its "in progress" write of one of
 * `jobs` (with @q.worker, after its pop) and no later write of it; resolves with that job's id.
 * Undefined when nothing more can come within startJobMs: the worker ended, never reached Redis,
 * or waits in a blocking pop on an empty queue.
 */
async function untilMidJob(ctx: CheckContext, worker: ScriptRun, jobs: Tracked[], mark: number): Promise<string | undefined> {
  let held: string | undefined;
  const midJob = (): boolean => {
    held = jobs.find((j) => {
      const last = jobTrace(ctx, j.id, mark)
        .writes.filter((w) => w.run === worker.name)
        .at(-1);
      return last !== undefined && inProgress(last.status);
    })?.id;
    return held !== undefined;
  };
  const idle = async (): Promise<boolean> =>
    settled(ctx, [worker]) || (waitsOnQueue(ctx, worker) && (await ctx.probe.length(ctx.queue.db, ctx.queue.key)) === 0);
  await waitFor(async () => midJob() || (await idle()), startJobMs, ctx.signal, 20);
  return held;
}

/** The outcome when the first worker started none of the jobs waiting for it: what it did instead. */
async function noJobStarted(ctx: CheckContext, api: Api, worker: ScriptRun, jobs: Tracked[], mark: number): Promise<CheckOutcome> {
  const queued = await ctx.probe.length(ctx.queue.db, ctx.queue.key);
  const exit = (await stopAll(ctx, [worker, api.run])).get(worker.name)!;
  const file = scriptFile(ctx, 'consumer');
  const crash = crashLine(worker.lines);
  const taken = jobs.filter((j) => jobTrace(ctx, j.id, mark).pops.length > 0);
  const waited = `${jobs.length} jobs waited on the queue with no worker`;
  const details = [`${file}: ${exit.description}`, ...quotedOutput(worker.lines, file)];
  if (!exit.stoppedByGrader && !exit.timedOut) {
    return outcome(false, `${waited}, but ${file} ended (${exit.description}) before it started any of them${crash ? `: ${crash}` : ''}`, {
      details,
      diagnosis: [
        crash
          ? `${file} crashed: ${crash} (job-lifecycle quotes more of its output)`
          : `${file} must keep running: call the @q.worker function once at the end`,
      ],
    });
  }
  if (taken.length) {
    return outcome(
      false,
      `${waited}; a worker that started took ${taken.length} of them off the queue, but marked none "in progress" within ${startJobMs / 1000} s`,
      {
        details,
        diagnosis: ['the worker marks each job it takes "in progress" before the work: update_job_status(jid, "in progress") (job-lifecycle says more)'],
      },
    );
  }
  const where = `${ctx.queue.key} in db ${ctx.queue.db}`;
  return outcome(
    false,
    `${waited}, but the worker that started took none of them: ${queued === 0 ? `the queue (${where}) was emptied without a pop` : `${queued} ids are still on the queue (${where})`} (${firstFew(jobs.map((j) => j.id))})`,
    {
      details,
      diagnosis: [
        queued === 0
          ? 'a worker that starts must take the ids already waiting on the queue: @q.worker does; do not clear() the queue at start'
          : `${file} must take the ids off HotQueue("queue", host=REDIS_IP, port=6379, db=${ctx.queue.db}) with @q.worker, and call the decorated function (job-lifecycle says more)`,
      ],
    },
  );
}

export const queueHoldsWithoutWorker = defineKind({
  kind: 'queue-holds-without-worker',
  schema: queueHoldsSchema,
  judgedFromWire: true,
  hosts: () => ({ producer: 1, consumer: 1, together: true }),
  run: queueHoldsCheck,
});
