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
import { type CheckContext, sleep } from '../context.js';
import { crashLine, diagnoseRun, firstFew, phrasings, tail } from '../diagnose.js';
import { stopAll, untilWaiting } from './consumers.js';
import {
  type Api,
  type Status,
  ask,
  created,
  jobParameters,
  jobTrace,
  json,
  postJob,
  scriptFile,
  shown,
  startApi,
  startWorker,
  statusHint,
  statusWord,
  writtenStatuses,
} from '../jobs-api.js';
import { type CheckOutcome, outcome } from '../outcome.js';
import { wireProfile } from '../wire.js';

export type JobLifecycleSpec = z.infer<typeof jobLifecycleSchema>;

/** How often the grader asks each job's status, ms: well within the shortest WORK_SECONDS it sets. */
const pollEveryMs = 100;
/** Beyond the work itself, how long N jobs may take to complete, ms (a worker takes ~10 ms per job). */
const slackMs = 4000;

/** A job the grader posted, and the statuses its GETs showed, each run of equal ones once. */
interface Tracked {
  id: string;
  seen: string[];
}

/** The statuses a job's GETs showed, in order; a status that is not one of the contract's is shown as written. */
function noteStatus(job: Tracked, value: unknown): void {
  const word = statusWord(value);
  const shown = word.exact ?? word.shown;
  if (job.seen.at(-1) !== shown) job.seen.push(shown);
}

export async function jobLifecycleCheck(ctx: CheckContext, spec: JobLifecycleSpec): Promise<CheckOutcome> {
  const count = spec.jobs ?? 3;
  const workSeconds = spec.work_seconds ?? 1;
  const started = await startApi(ctx);
  if ('failed' in started) return started.failed;
  const { api } = started;
  const worker = await startWorker(ctx, 'worker-1', workSeconds);
  await untilWaiting(ctx, [worker]);
  const mark = ctx.wire.commands.length;
  const jobs: Tracked[] = [];
  for (let i = 0; i < count; i += 1) {
    const { exchange, job, id } = await postJob(ctx, api, jobParameters(ctx));
    if (!created(exchange) || id === undefined) {
      await stopAll(ctx, [worker, api.run]);
      return outcome(false, `not judged: POST /jobs did not create a job (${shown(exchange)})`, {
        diagnosis: ['make POST /jobs work first (the check api-create says what it answered): this check follows the jobs it creates'],
      });
    }
    const tracked = { id, seen: [] };
    noteStatus(tracked, job?.status);
    jobs.push(tracked);
  }
  const t0 = Date.now();
  const deadline = t0 + count * workSeconds * 1000 + slackMs;
  const done = (job: Tracked): boolean => job.seen.at(-1) === 'complete';
  while (Date.now() < deadline && !jobs.every(done) && !worker.hasEnded()) {
    for (const job of jobs.filter((j) => !done(j))) {
      const answer = await ask(ctx, api, { method: 'GET', path: `/jobs/${encodeURIComponent(job.id)}` });
      const record = json(answer);
      if (record !== null && typeof record === 'object') noteStatus(job, (record as Record<string, unknown>).status);
    }
    await sleep(pollEveryMs, ctx.signal);
  }
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
  const stuck = { submitted: [] as string[], inProgress: [] as string[] };
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
    for (const seen of [...job.seen, ...written]) {
      const word = statusWord(seen);
      if (!word.exact && word.near) diagnosis.push(statusHint(word.shown, word.near));
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
        problems.push(`job ${job.id} completed, but the worker popped it ${pops.length} times`);
      } else {
        problems.push(`job ${job.id}'s record went ${written.join(' → ')}, not ${expected.join(' → ')}`);
      }
      continue;
    }
    if (trace.pops.length === 0) stuck.submitted.push(job.id);
    else stuck.inProgress.push(job.id);
  }
  const exit = o.workerExit;
  const endedByItself = exit !== undefined && !exit.stoppedByGrader && !exit.timedOut;
  const crash = crashLine(worker.lines);
  if (stuck.inProgress.length) {
    problems.push(
      `${stuck.inProgress.length} of ${jobs.length} jobs were taken by the worker and never completed (${firstFew(stuck.inProgress)}): they stay "${lastSeen(jobs, stuck.inProgress[0]!) ?? 'in progress'}"`,
    );
    if (endedByItself)
      diagnosis.push(`${file} crashed after it took a job (${exit.description})${crash ? `: ${crash}` : ''}; the job it held stays "in progress"`);
    else if (crash)
      diagnosis.push(
        `${file} hit an error after it took the job and kept running: ${crash}. An exception caught and only logged leaves the job "in progress": fix what raises it`,
      );
    else diagnosis.push(`the worker took the job but never set "complete": after time.sleep(WORK_SECONDS), update_job_status(jid, "complete")`);
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
  if (endedByItself && !stuck.inProgress.length && !stuck.submitted.length) {
    problems.push(`${file} ended by itself (${exit.description}) instead of waiting for more jobs`);
    diagnosis.push(`${file} must keep running: call the @q.worker function once at the end, and let nothing raise out of it${crash ? ` (${crash})` : ''}`);
  }
  const passed = problems.length === 0;
  const summary = passed
    ? `${jobs.length} jobs went submitted → in progress → complete (GET and wire), each popped once by the worker, in ${(o.tookMs / 1000).toFixed(1)} s with WORK_SECONDS=${o.workSeconds}`
    : problems[0]!;
  const output = passed ? [] : tail(worker.lines, 'stderr', 3).map((l) => `${file}: ${l}`);
  return outcome(passed, summary, {
    details: passed ? [] : [...problems.slice(1), ...details, ...output],
    diagnosis: passed ? [] : [...new Set(diagnosis)],
    measurements: { jobs: jobs.length, tookMs: o.tookMs },
  });
}

function lastSeen(jobs: Tracked[], id: string): string | undefined {
  return jobs.find((j) => j.id === id)?.seen.at(-1);
}

export const jobLifecycle = defineKind({
  kind: 'job-lifecycle',
  schema: jobLifecycleSchema,
  judgedFromWire: true,
  hosts: () => ({ producer: 1, consumer: 1, together: true }),
  run: jobLifecycleCheck,
});
