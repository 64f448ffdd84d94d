/**
 * workers-share (the jobs-api lab): with K worker replicas waiting, N jobs posted at once are each
 * done exactly once: one pop of its id and one "in progress" write, both by the same replica; every
 * job completes; and each replica got at least 1/(2K) of them, as the other labs' sharing check asks. Judged from the wire (who popped and who wrote) and
 * the API (that each job completed).
 */
import type { z } from 'zod';
import { defineKind } from './kind.js';
import { workersShareSchema } from '../../lab/check-kinds.js';
import { type CheckContext, stopAll } from '../context.js';
import { crashLine, firstFew } from '../diagnose.js';
import {
  elsewhereHint,
  finished,
  firstTaken,
  jobTrace,
  pollJobs,
  postJobs,
  queuedElsewhere,
  scriptFile,
  startApiAndWorkers,
  statusWord,
  undoneHint,
} from '../jobs-api.js';
import { type CheckOutcome, outcome } from '../outcome.js';

export type WorkersShareSpec = z.infer<typeof workersShareSchema>;

export async function workersShareCheck(ctx: CheckContext, spec: WorkersShareSpec): Promise<CheckOutcome> {
  const count = spec.jobs ?? 6;
  const replicas = spec.replicas ?? 2;
  const workSeconds = spec.work_seconds ?? 0.5;
  const started = await startApiAndWorkers(ctx, replicas, workSeconds);
  if ('failed' in started) return started.failed;
  const { api, workers } = started;
  const mark = ctx.wire.commands.length;
  const posted = await postJobs(ctx, api, count);
  if ('failed' in posted) {
    await stopAll(ctx, [...workers, api.run]);
    return posted.failed;
  }
  const { jobs } = posted;
  const deadline = Date.now() + Math.ceil(count / replicas) * workSeconds * 1000 + 5000;
  await pollJobs(ctx, api, jobs, deadline, workers);
  const exits = await stopAll(ctx, [...workers, api.run]);
  const names = new Set(workers.map((w) => w.name));
  const share = new Map(workers.map((w) => [w.name, 0]));
  const twice: string[] = [];
  const split: string[] = [];
  for (const job of jobs) {
    const trace = jobTrace(ctx, job.id, mark);
    const pops = trace.pops.filter((p) => p.run !== undefined && names.has(p.run));
    const started = trace.writes.filter((w) => statusWord(w.status).exact === 'in progress');
    if (pops.length > 1 || started.length > 1) twice.push(job.id);
    else if (pops.length === 1 && started.length === 1 && started[0]!.run !== pops[0]!.run) split.push(job.id);
    for (const p of pops) share.set(p.run!, (share.get(p.run!) ?? 0) + 1);
  }
  const left = jobs.filter((j) => !finished(j));
  // As the sharing check of the other labs: each replica gets at least 1/(2K) of the jobs.
  const idle = workers.filter((w) => (share.get(w.name) ?? 0) * 2 * replicas < count);
  const shares = [...share.entries()].map(([name, n]) => `${name}: ${n}`).join(', ');
  const problems: string[] = [];
  const diagnosis: string[] = [];
  if (twice.length) {
    problems.push(`${twice.length} of ${count} jobs were taken or started more than once (${firstFew(twice)})`);
    diagnosis.push('each id must be taken off the queue once, by one worker: @q.worker pops it; do not read the queue another way as well, or put ids back');
  }
  if (split.length) {
    problems.push(`${split.length} jobs were marked "in progress" by a worker that had not taken them (${firstFew(split)})`);
    diagnosis.push(
      'a worker must do the job whose id it took off the queue, and only that one: reading the next id first (LINDEX, LRANGE) and popping later lets two workers do one job, and another job goes undone',
    );
  }
  // Ids the API put on another queue: what the workers did with them is not this check's question.
  const elsewhere = [...share.values()].every((n) => n === 0)
    ? queuedElsewhere(
        ctx,
        jobs.map((j) => j.id),
        mark,
      )
    : undefined;
  if (elsewhere) {
    problems.push(
      `none of the ${count} jobs was taken off the lab's queue (${ctx.queue.key} in db ${ctx.queue.db}): their ids went to ${elsewhere.key} in db ${elsewhere.db}`,
    );
    diagnosis.push(elsewhereHint(ctx, elsewhere));
  } else if (left.length) {
    // Workers that ended by themselves: what a student would first look at, not how the jobs were shared.
    const ended = workers.filter((w) => exits.get(w.name)?.stoppedByGrader === false);
    const crash = ended.map((w) => crashLine(w.lines)).find((line) => line !== undefined);
    const file = scriptFile(ctx, 'consumer');
    // A job a worker took and left as it was, while every worker ran on: named as job-lifecycle names it.
    const taken = ended.length ? undefined : firstTaken(ctx, left, mark, workers);
    const why = ended.length
      ? `: ${ended.length} of ${replicas} workers ended (${crash ?? exits.get(ended[0]!.name)!.description})`
      : taken
        ? `, though no worker ended: ${taken.id} was taken and stays "${taken.status}"`
        : '';
    problems.push(`${left.length} of ${count} jobs did not complete with ${replicas} workers (${firstFew(left.map((j) => j.id))})${why}`);
    diagnosis.push(
      ended.length
        ? `${file} must keep running from one job to the next${crash ? `; it crashed: ${crash}` : ''} (job-lifecycle quotes more of its output)`
        : taken
          ? undoneHint(ctx, file, taken.run, undefined, taken.status, taken.t)
          : 'every worker replica runs the same worker.py: each takes the next id when it is free (job-lifecycle says more about a single worker)',
    );
  }
  if (idle.length && !left.length && !elsewhere) {
    problems.push(`${idle.length} of ${replicas} workers got fewer than 1/${2 * replicas} of the jobs (${shares})`);
    diagnosis.push(
      'each worker takes one id at a time, when it is free (@q.worker); a worker that takes several at once, or the whole queue, leaves nothing to the others',
    );
  }
  const passed = problems.length === 0;
  return outcome(passed, passed ? `${count} jobs, ${replicas} workers: each job done once, by one worker (${shares})` : problems[0]!, {
    details: passed ? [] : [...problems.slice(1), `jobs taken: ${shares}`],
    diagnosis: passed ? [] : diagnosis,
    measurements: Object.fromEntries(share),
  });
}

export const workersShare = defineKind({
  kind: 'workers-share',
  schema: workersShareSchema,
  judgedFromWire: true,
  hosts: (spec) => ({ producer: 1, consumer: spec.replicas ?? 2, together: true }),
  run: workersShareCheck,
});
