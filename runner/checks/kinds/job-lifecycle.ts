/**
 * job-lifecycle (the jobs-api lab): with the API and one worker running (WORK_SECONDS set short by
 * the grader), every one of N jobs posted goes submitted → in progress → complete. Seen two ways:
 * polling GET /jobs/<id>, and on the wire, where the job's record is written with those statuses in
 * that order (the last two by the worker) and its id is popped from the queue once, by the worker.
 */
import type { z } from 'zod';
import { defineKind } from './kind.js';
import { jobLifecycleSchema } from '../../lab/check-kinds.js';
import type { ScriptExit, ScriptRun } from '../../run/script.js';
import { type CheckContext, stopAll } from '../context.js';
import { crashLine, diagnoseRun, firstFew, phrasings, quotedOutput } from '../diagnose.js';
import {
  elsewhereHint,
  jobTrace,
  pollJobs,
  postJobs,
  queuedElsewhere,
  scriptFile,
  startApiAndWorkers,
  statusHint,
  statusWord,
  type Api,
  type Status,
  type Tracked,
  undoneHint,
  writtenStatuses,
} from '../jobs-api.js';
import { type CheckOutcome, outcome } from '../outcome.js';
import { wireProfile } from '../wire.js';

export type JobLifecycleSpec = z.infer<typeof jobLifecycleSchema>;

/** Beyond the work itself, how long N jobs may take to complete, ms (a worker takes ~10 ms per job). */
const slackMs = 4000;

export async function jobLifecycleCheck(ctx: CheckContext, spec: JobLifecycleSpec): Promise<CheckOutcome> {
  const count = spec.jobs ?? 3;
  const workSeconds = spec.work_seconds ?? 1;
  const started = await startApiAndWorkers(ctx, 1, workSeconds);
  if ('failed' in started) return started.failed;
  const { api } = started;
  const worker = started.workers[0]!;
  const mark = ctx.wire.commands.length;
  const posted = await postJobs(ctx, api, count);
  if ('failed' in posted) {
    await stopAll(ctx, [worker, api.run]);
    return posted.failed;
  }
  const { jobs } = posted;
  const t0 = Date.now();
  const deadline = t0 + count * workSeconds * 1000 + slackMs;
  await pollJobs(ctx, api, jobs, deadline, [worker]);
  const tookMs = Date.now() - t0;
  const exits = await stopAll(ctx, [worker, api.run]);
  return judge(ctx, { api, worker, jobs, mark, workSeconds, tookMs, workerExit: exits.get(worker.name) });
}

interface Observed {
  api: Api;
  worker: ScriptRun;
  jobs: Tracked[];
  mark: number;
  workSeconds: number;
  tookMs: number;
  workerExit: ScriptExit | undefined;
}

const expected: Status[] = ['submitted', 'in progress', 'complete'];

function judge(ctx: CheckContext, o: Observed): CheckOutcome {
  const { worker, jobs, mark } = o;
  const file = scriptFile(ctx, 'consumer');
  const problems: string[] = [];
  const diagnosis: string[] = [];
  const details: string[] = [];
  const stuck = { submitted: [] as string[], taken: [] as { id: string; status: string; t: number }[] };
  for (const job of jobs) {
    const trace = jobTrace(ctx, job.id, mark);
    const written = writtenStatuses(trace);
    details.push(
      `job ${job.id}: GET showed ${job.seen.join(' → ') || 'nothing'}; the wire shows ${written.join(' → ') || 'no write'}, ${trace.pops.length} pop(s)`,
    );
    const pops = trace.pops.filter((p) => p.run === worker.name);
    if (trace.pops.length > 1) {
      problems.push(`job ${job.id} was taken off the queue ${trace.pops.length} times`);
      diagnosis.push(`take each id off the queue once: the decorated function gets it from @q.worker; do not q.put it back or read the queue yourself as well`);
    }
    let nearMiss = false;
    for (const seen of [...job.seen, ...written]) {
      const word = statusWord(seen);
      if (!word.exact && word.near) {
        diagnosis.push(statusHint(word.shown, word.near));
        nearMiss = true;
      }
    }
    const last = job.seen.at(-1);
    if (last === 'complete' && written.join() === expected.join() && pops.length === 1) {
      const byWorker = trace.writes.filter((w) => statusWord(w.status).exact !== 'submitted').every((w) => w.run === worker.name);
      if (!byWorker) {
        problems.push(`job ${job.id}'s "in progress" and "complete" were not written by the worker`);
        diagnosis.push(`the worker sets the statuses: update_job_status(jid, "in progress") and then "complete" in ${file}'s decorated function`);
      }
      continue;
    }
    if (last === 'complete' || written.at(-1) === 'complete') {
      if (!written.includes('in progress')) {
        problems.push(`job ${job.id} went from "submitted" to "complete" without "in progress" on the way`);
        diagnosis.push(`set the status "in progress" before the work: update_job_status(jid, "in progress"), then time.sleep(WORK_SECONDS), then "complete"`);
      } else if (last !== 'complete') {
        problems.push(`job ${job.id} was stored "complete", but GET /jobs/${job.id} showed ${last ?? 'nothing'}`);
        diagnosis.push('GET /jobs/<jid> must return the record as it is now in Redis, read again at each request');
      } else if (pops.length !== 1) {
        problems.push(`job ${job.id} completed, but the worker took it off the queue (${ctx.queue.key} in db ${ctx.queue.db}) ${pops.length} times, not once`);
        if (pops.length === 0) diagnosis.push(otherQueue(ctx, worker.name, mark, job.id));
      } else {
        problems.push(`job ${job.id}'s record went ${written.join(' → ')}, not ${expected.join(' → ')}`);
      }
      continue;
    }
    if (trace.pops.length === 0) stuck.submitted.push(job.id);
    else if (nearMiss) problems.push(`job ${job.id} ended as ${JSON.stringify(job.seen.at(-1) ?? written.at(-1))}, not "complete"`);
    else stuck.taken.push({ id: job.id, status: written.at(-1) ?? job.seen.at(-1) ?? 'submitted', t: trace.writes.at(-1)?.t ?? trace.pops[0]!.t });
  }
  const exit = o.workerExit;
  const endedByItself = exit !== undefined && !exit.stoppedByGrader && !exit.timedOut;
  const crash = crashLine(worker.lines);
  if (stuck.taken.length) {
    const first = stuck.taken[0]!;
    problems.push(
      `${stuck.taken.length} of ${jobs.length} jobs were taken off the queue by the worker and never completed (${firstFew(stuck.taken.map((j) => j.id))}): ${stuck.taken.length > 1 ? 'they stay' : 'it stays'} "${first.status}"`,
    );
    diagnosis.push(undoneHint(ctx, file, worker, endedByItself ? exit : undefined, first.status, first.t));
  }
  if (stuck.submitted.length) {
    problems.push(
      `${stuck.submitted.length} of ${jobs.length} jobs were never taken off the queue by the worker (${firstFew(stuck.submitted)}): they stay "submitted"`,
    );
    const profile = wireProfile(ctx.wire, worker.name, mark);
    const found = diagnoseRun(
      { file, exit: endedByItself ? exit : undefined, lines: worker.lines, profile, expectedToRun: true, unanswered: worker.unanswered() },
      { queue: ctx.queue, redisService: ctx.redis.service },
      phrasings.worker,
    );
    diagnosis.push(
      ...(found.length
        ? found
        : [`${file} must take the ids off HotQueue("queue", host=REDIS_IP, port=6379, db=${ctx.queue.db}) with @q.worker, and call the decorated function`]),
    );
  }
  if (endedByItself && !stuck.taken.length && !stuck.submitted.length) {
    problems.push(`${file} ended by itself (${exit.description}) instead of waiting for more jobs`);
    diagnosis.push(`${file} must keep running: call the @q.worker function once at the end, and let nothing raise out of it${crash ? ` (${crash})` : ''}`);
  }
  const passed = problems.length === 0;
  const summary = passed
    ? `${jobs.length} jobs went submitted → in progress → complete (GET and wire), each popped once by the worker, in ${(o.tookMs / 1000).toFixed(1)} s with WORK_SECONDS=${o.workSeconds}`
    : problems[0]!;
  const output = passed ? [] : quotedOutput(worker.lines, file);
  return outcome(passed, summary, {
    details: passed ? [] : [...problems.slice(1), ...details, ...output],
    diagnosis: passed ? [] : [...new Set(diagnosis)],
    measurements: { jobs: jobs.length, tookMs: o.tookMs },
  });
}

/**
 * Where job `id` went instead of the contract's queue, as a hint: the API's push of it elsewhere,
 * else where the worker's pops (served or still waiting) read.
 */
function otherQueue(ctx: CheckContext, run: string, mark: number, id: string): string {
  const pushed = queuedElsewhere(ctx, [id], mark);
  if (pushed) return elsewhereHint(ctx, pushed);
  const owned = (connection: number): boolean => {
    const conn = ctx.wire.connections.get(connection);
    return conn !== undefined && ctx.wire.ownerOf(conn) === run;
  };
  const pops = [...ctx.wire.since(mark, run), ...ctx.wire.waits.filter((w) => owned(w.connection))].filter((c) => /^B?[LR]POP$/.test(c.name));
  const other = pops.find((c) => !(c.keys[0] === ctx.queue.key && c.db === ctx.queue.db));
  return elsewhereHint(ctx, other && { key: other.keys[0] ?? '?', db: other.db }, 'popped');
}

export const jobLifecycle = defineKind({
  kind: 'job-lifecycle',
  schema: jobLifecycleSchema,
  judgedFromWire: true,
  hosts: () => ({ producer: 1, consumer: 1, together: true }),
  run: jobLifecycleCheck,
});
