/**
 * The jobs-api lab's ground truth, shared by its check kinds: the student's Flask API started as the
 * lab's producer script and asked over HTTP (ctx.http), the worker as its consumer script, and what
 * the wire shows of a job: the pushes of its id to the queue, the pops of it, and the writes of its
 * record with the status each one sets (a JSON string or a hash; its key names the id).
 */
import type { ScriptExit, ScriptRun } from '../run/script.js';
import { type CheckContext, inBlockingPop, neverConnected, startRole, waitFor } from './context.js';
import { crashLine, frameShown, tracebackExcerpt } from './diagnose.js';
import { LabsError } from '../errors.js';
import { type CheckOutcome, outcome } from './outcome.js';
import type { HttpExchange, HttpRequest } from './ports.js';
import { type WireCommand, queueOps } from './wire.js';

/** The API's port in its container (the course's Flask default, published by the compose file). */
const apiPort = 5000;
/** How long the API may take to answer its first request after it starts, ms. */
const apiReadyMs = 15_000;
/**
 * How often the grader tries the API while it starts, ms: a try before Flask listens is refused at
 * once, so trying often costs nothing, and each check waits for its API (seven in the lab).
 */
const apiTryEveryMs = 25;
/** How long one request may take, ms: a Flask route that touches Redis answers in milliseconds. */
const requestMs = 5_000;
/** The API runs for the whole check; this only bounds a check that never stops it. */
const apiRunMs = 180_000;

/** The statuses of the contract, in the order a job goes through them. */
export const statuses = ['submitted', 'in progress', 'complete'] as const;
export type Status = (typeof statuses)[number];

/** A started API that answered: its run, and the file it runs (for the sentences). */
export interface Api {
  run: ScriptRun;
  file: string;
}

/** The student file a script of the lab runs: `src/api.py` of `python -u src/api.py`. */
export function scriptFile(ctx: CheckContext, role: 'producer' | 'consumer'): string {
  const command = ctx.lab.scripts[role]?.command ?? [];
  return command.find((a) => /\.py$/.test(a)) ?? (role === 'producer' ? 'the API' : 'the worker');
}

/** Sends one request to the API's run. */
export function ask(ctx: CheckContext, api: Api, request: Omit<HttpRequest, 'timeoutMs'> & { timeoutMs?: number }): Promise<HttpExchange> {
  return ctx.http.request({ address: api.run.address, port: apiPort }, { timeoutMs: requestMs, ...request });
}

/** The answer's body as JSON, or undefined when it is not JSON. */
export function json(exchange: HttpExchange): unknown {
  if (!exchange.answered) return undefined;
  try {
    return JSON.parse(exchange.body) as unknown;
  } catch {
    return undefined;
  }
}

/** An exchange in a few words, for a summary: `201 {"id": …}` or `no answer (refused)`. */
export function shown(exchange: HttpExchange): string {
  if (!exchange.answered) return `no answer (${exchange.failure}: ${exchange.message})`;
  const body = exchange.body.trim().replace(/\s+/g, ' ');
  return `${exchange.status} ${body.length > 160 ? `${body.slice(0, 160)}…` : body}`;
}

/**
 * Starts the API (the lab's producer script) and waits until it answers HTTP on port 5000, any
 * status. When it does not, the outcome says why, with the student's mistake named where the
 * evidence shows it; a grader that cannot reach an API that says it listens where it should throws
 * NOT_READY (its own blindness, exit 3).
 */
export async function startApi(ctx: CheckContext, name = 'api', environment: Record<string, string> = {}): Promise<{ api: Api } | { failed: CheckOutcome }> {
  const run = await startRole(ctx, 'producer', name, [], { timeoutMs: apiRunMs, environment });
  const api = { run, file: scriptFile(ctx, 'producer') };
  let last: HttpExchange | undefined;
  await waitFor(
    async () => {
      if (run.hasEnded()) return true;
      // Flask says where it listens once it does: a refusal after that is the answer, not a slow start.
      const said = listening(run).addresses.length > 0;
      last = await ask(ctx, api, { method: 'GET', path: '/jobs', timeoutMs: 2000 });
      // Connected and still thinking (a route that waits on Redis) is listening: the checks' own
      // requests say what the route does.
      return last.answered || last.failure === 'timeout' || (said && last.failure === 'refused');
    },
    apiReadyMs,
    ctx.signal,
    apiTryEveryMs,
  );
  // Assigned in the closure above, which the compiler does not follow.
  const seen = last as HttpExchange | undefined;
  if (seen?.answered || (seen?.failure === 'timeout' && !run.hasEnded())) return { api };
  return { failed: saidBefore(ctx, apiDown(ctx, api, seen, run.hasEnded() ? await run.exited : undefined)) };
}

/**
 * The first check of a session that cannot reach the API says why, with its evidence; a later one
 * that cannot for the same reason is "not judged", points at that check and repeats only the fix,
 * so that a student reads one cause, not seven failures (ctx.apiDown).
 */
function saidBefore(ctx: CheckContext, down: { failed: CheckOutcome; reason: string }): CheckOutcome {
  const before = ctx.apiDown;
  if (before?.reason !== down.reason) {
    ctx.apiDown ??= { check: ctx.checkId, reason: down.reason };
    return down.failed;
  }
  return outcome(false, `not judged: the API is not reachable (${down.reason}; see ${before.check ?? 'the first check that started it'})`, {
    diagnosis: down.failed.diagnosis,
  });
}

type NoAnswer = Extract<HttpExchange, { answered: false }>;

/** Where the API's output says Flask listens: `127.0.0.1:5000`, `all addresses`, or nothing said. */
export function listening(run: Pick<ScriptRun, 'lines'>): { all: boolean; addresses: string[] } {
  const text = run.lines.map((l) => l.text);
  const all = text.some((t) => /Running on all addresses|Running on https?:\/\/0\.0\.0\.0:/.test(t));
  const addresses = text.flatMap((t) => /Running on https?:\/\/([^/\s]+)/.exec(t)?.[1] ?? []);
  return { all, addresses };
}

/**
 * Why the API did not answer: the outcome, and the reason in a few words (`Flask listens on
 * 127.0.0.1:5000, inside its container only`); throws NOT_READY when that is the grader's blindness.
 */
function apiDown(ctx: CheckContext, api: Api, last: NoAnswer | undefined, exit: ScriptExit | undefined): { failed: CheckOutcome; reason: string } {
  const { file, run } = api;
  const output = run.lines.slice(-5).map((l) => `${file}: ${l.text}`);
  if (exit) {
    const crash = crashLine(run.lines);
    const reason = `${file} ended (${exit.description}) before it answered any request${crash ? `: ${crash}` : ''}`;
    const failed = outcome(false, reason, {
      details: output,
      diagnosis: [
        crash
          ? `${file} crashed at start: ${crash}. Run it in your workspace (labs logs api) to see the whole traceback`
          : `${file} ended by itself: it must start the Flask app and keep serving (app.run(host="0.0.0.0", port=${apiPort}) at the end, under if __name__ == "__main__":)`,
      ],
    });
    return { failed, reason };
  }
  const where = listening(run);
  const own = where.addresses.filter((a) => /^(127\.0\.0\.1|localhost)(:|$)/.test(a));
  const onPort = (a: string): boolean => a.endsWith(`:${apiPort}`);
  if (!where.all && own.length > 0 && own.length === where.addresses.length) {
    const reason = `Flask listens on ${own[0]}, inside its container only`;
    const failed = outcome(false, `nothing answers on port ${apiPort} of the api container from outside it: ${reason}`, {
      details: output,
      diagnosis: [
        `Flask listens on 127.0.0.1, the container's own address, so nothing outside the api container reaches it (neither the grader nor the port your compose file publishes): app.run(host="0.0.0.0", port=${apiPort})`,
      ],
    });
    return { failed, reason };
  }
  if (where.addresses.length > 0 && !where.addresses.some(onPort)) {
    const reason = `Flask listens on ${where.addresses.join(', ')}, not on port ${apiPort}`;
    const failed = outcome(false, `nothing answers on port ${apiPort}: Flask listens on ${where.addresses.join(', ')}`, {
      details: output,
      diagnosis: [`the API's port is ${apiPort}: app.run(host="0.0.0.0", port=${apiPort})`],
    });
    return { failed, reason };
  }
  // Nothing answered at all (not even a refusal: the packets were dropped), or it says it listens
  // where the grader asks and the grader was refused: the grader cannot see it, whatever the code does.
  if (last?.failure === 'unreachable' || (where.addresses.some(onPort) && last !== undefined && last.failure !== 'timeout')) {
    throw new LabsError(
      'NOT_READY',
      `the grader could not reach the API at ${run.address}:${apiPort} (${last!.message})${where.addresses.length ? `, though ${file} says Flask listens on ${where.addresses.join(', ')}` : ''}`,
      {
        hint: 'this is a fault of the grading machine, not of the submission: check the engine and firewall rules (labs doctor), then grade it again',
      },
    );
  }
  const why = last === undefined ? 'no request could be made' : last.failure === 'timeout' ? 'requests were not answered' : `connections were ${last.failure}`;
  const reason = `${file} did not answer HTTP on port ${apiPort} within ${apiReadyMs / 1000} s of its start (${why})`;
  const failed = outcome(false, reason, {
    details: output,
    diagnosis: [
      `start the Flask app at the end of ${file}: app.run(host="0.0.0.0", port=${apiPort}) under if __name__ == "__main__":, with nothing before it that waits or loops`,
    ],
  });
  return { failed, reason };
}

/** The worker (the lab's consumer script), with the grader's WORK_SECONDS and `environment`. */
export function startWorker(ctx: CheckContext, name: string, workSeconds: number, environment: Record<string, string> = {}): Promise<ScriptRun> {
  return startRole(ctx, 'consumer', name, [], { timeoutMs: apiRunMs, environment: { ...environment, WORK_SECONDS: String(workSeconds) } });
}

/**
 * Starts the API and `replicas` workers (named worker-1, worker-2, …) at once, so that their Python
 * starts overlap instead of adding up, and waits until the API answers and every worker waits for a
 * job (untilWorkersWait). When the API does not answer, the workers are stopped and `failed` says
 * why (startApi); NOT_READY as startApi.
 */
export async function startApiAndWorkers(
  ctx: CheckContext,
  replicas: number,
  workSeconds: number,
  environment: Record<string, string> = {},
): Promise<{ api: Api; workers: ScriptRun[] } | { failed: CheckOutcome }> {
  const starting = Promise.all(Array.from({ length: replicas }, (_, i) => startWorker(ctx, `worker-${i + 1}`, workSeconds, environment)));
  // Settled before anything is thrown, so that no worker start is left unawaited.
  const [api, workers] = await Promise.allSettled([startApi(ctx, 'api', environment), starting]);
  if (workers.status === 'rejected') throw workers.reason;
  if (api.status === 'rejected') throw api.reason;
  if ('failed' in api.value) {
    await Promise.all(workers.value.map((w) => w.stop()));
    return api.value;
  }
  await untilWorkersWait(ctx, workers.value);
  return { api: api.value.api, workers: workers.value };
}

/** The parameters of a job the grader posts: the course's `start` and `end`, small integers from the run's tokens. */
export function jobParameters(ctx: CheckContext): { start: number; end: number } {
  const digits = [...ctx.tokens.next()].reduce((sum, ch) => sum + (ch.codePointAt(0) ?? 0), 0);
  const start = digits % 50;
  return { start, end: start + 1 + (digits % 7) };
}

/** POSTs a job; the answer, and the job it describes when it is JSON with an `id` string. */
export async function postJob(
  ctx: CheckContext,
  api: Api,
  params: Record<string, unknown>,
): Promise<{ exchange: HttpExchange; job: Record<string, unknown> | undefined; id: string | undefined }> {
  const exchange = await ask(ctx, api, { method: 'POST', path: '/jobs', body: JSON.stringify(params) });
  const body = json(exchange);
  const job = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  const id = typeof job?.id === 'string' && job.id.length > 0 ? job.id : typeof job?.id === 'number' ? String(job.id) : undefined;
  return { exchange, job, id };
}

/**
 * A status as the student wrote it, compared with the contract's word ignoring case and spaces
 * around it: `exact` when it is that word; `near` names the word a near miss was meant to be
 * (`completed`, `in_progress`, `In-Progress`, `submit`), undefined when it is none of them.
 */
export function statusWord(value: unknown): { exact: Status | undefined; near: Status | undefined; shown: string } {
  const shownValue = typeof value === 'string' ? JSON.stringify(value) : value === undefined ? 'no status' : JSON.stringify(value);
  if (typeof value !== 'string') return { exact: undefined, near: undefined, shown: shownValue };
  const word = value.trim().toLowerCase();
  const exact = statuses.find((s) => s === word);
  if (exact) return { exact, near: undefined, shown: shownValue };
  const letters = word.replace(/[^a-z]/g, '');
  const near = statuses.find((s) => {
    const target = s.replace(/[^a-z]/g, '');
    return letters === target || (letters.length >= 4 && (letters.startsWith(target) || target.startsWith(letters)));
  });
  return { exact: undefined, near, shown: shownValue };
}

/** The hint for a status that is not the contract's word. */
export function statusHint(seen: string, expected: Status): string {
  return `the status must be the word "${expected}" (any case): ${seen} is not it${expected === 'in progress' ? ' (a space, not _ or -)' : ''}`;
}

/** A write of a job's record that the wire shows, and the status it set (when it set one). */
export interface RecordWrite {
  t: number;
  db: number;
  key: string;
  command: string;
  run: string | undefined;
  status: unknown;
}

const recordCommands = new Set(['SET', 'HSET', 'HMSET', 'HSETNX']);

/** The status a record write sets: the `status` of a JSON object (SET) or the `status` field of a hash. */
function writtenStatus(c: WireCommand): unknown {
  if (c.name === 'SET') {
    try {
      const value = JSON.parse(c.values[0]?.toString('utf8') ?? '') as unknown;
      return value !== null && typeof value === 'object' ? (value as Record<string, unknown>).status : undefined;
    } catch {
      return undefined;
    }
  }
  for (let i = 0; i + 1 < c.values.length; i += 2) if (c.values[i]!.toString('utf8').toLowerCase() === 'status') return c.values[i + 1]!.toString('utf8');
  return undefined;
}

/** What the wire shows of one job since `mark`: its record's writes, the pushes of its id to the queue and its pops. */
export interface JobTrace {
  writes: RecordWrite[];
  pushes: { t: number; run: string | undefined }[];
  pops: { t: number; run: string | undefined }[];
  /** Pushes of the id anywhere else (another key or db): where a misdirected queue put it. */
  elsewhere: { db: number; key: string }[];
}

/** The trace of job `id` in the wire log since `mark`. */
export function jobTrace(ctx: CheckContext, id: string, mark: number): JobTrace {
  const commands = ctx.wire.commands.slice(mark);
  const writes: RecordWrite[] = commands
    .filter((c) => recordCommands.has(c.name) && c.keys[0] !== undefined && c.keys[0].includes(id))
    .map((c) => ({ t: c.t, db: c.db, key: c.keys[0]!, command: c.name, run: ctx.wire.runOf(c), status: writtenStatus(c) }));
  const ops = queueOps(ctx.wire, commands, ctx.queue).filter((op) => ctx.codec.decode(op.raw).text === id);
  const elsewhere = commands
    .filter((c) => /^[LR]PUSH/.test(c.name) && !(c.db === ctx.queue.db && c.keys[0] === ctx.queue.key))
    .filter((c) => c.values.some((v) => ctx.codec.decode(v).text === id || v.toString('utf8') === id))
    .map((c) => ({ db: c.db, key: c.keys[0] ?? '' }));
  return {
    writes,
    pushes: ops.filter((op) => op.op === 'push').map((op) => ({ t: op.t, run: op.run })),
    pops: ops.filter((op) => op.op === 'pop').map((op) => ({ t: op.t, run: op.run })),
    elsewhere,
  };
}

/** The statuses a trace's writes set, in order, each run of equal ones once (`submitted`, `in progress`, `complete`). */
export function writtenStatuses(trace: JobTrace): string[] {
  const words = trace.writes.map((w) => statusWord(w.status).exact ?? (typeof w.status === 'string' ? w.status : '?'));
  return words.filter((w, i) => i === 0 || w !== words[i - 1]);
}

/**
 * Where the ids of `ids` were pushed instead of the lab's queue, as the wire shows since `mark`: the
 * first push of one of them to another list or db (`hotqueue:job_queue` in db 1); undefined when none was.
 */
export function queuedElsewhere(ctx: CheckContext, ids: string[], mark: number): { db: number; key: string } | undefined {
  for (const id of ids) {
    const where = jobTrace(ctx, id, mark).elsewhere[0];
    if (where) return where;
  }
  return undefined;
}

/**
 * The hint for job ids on another queue: where the wire showed them go (`seen` 'pushed', the API's
 * put) or the worker take them from ('popped'; `where` undefined: no pop of the worker was seen),
 * and where the lab expects them.
 */
export function elsewhereHint(ctx: CheckContext, where: { db: number; key: string } | undefined, seen: 'pushed' | 'popped' = 'pushed'): string {
  const expected = `${ctx.queue.key} in db ${ctx.queue.db}`;
  const found =
    where === undefined
      ? `the worker never took the job ids off ${expected}`
      : `${seen === 'pushed' ? 'the job ids went to' : 'the worker takes job ids from'} ${where.key} in db ${where.db}, and the lab expects them on ${expected}`;
  return `${found}: make the queue HotQueue("queue", host=REDIS_IP, port=6379, db=${ctx.queue.db}) in jobs.py, for the API and the worker alike`;
}

/**
 * Why a job that `run` (a worker) took off the queue stayed `status` ("in progress"), from how the
 * run ended, what it printed and what it did next on the wire: hotqueue unable to unpickle (the
 * queue's client decodes replies), a crash (its exception and the frame of the student's code), an
 * exception caught while the worker went on to the next job, or "complete" never written.
 * `after` is when the job's last status was written (ms since the epoch): a blocking pop of the run
 * after it shows the worker went on.
 */
export function undoneHint(ctx: CheckContext, file: string, run: ScriptRun, exit: ScriptExit | undefined, status: string, after: number): string {
  const crash = crashLine(run.lines);
  const frame = tracebackExcerpt(run.lines)?.frame;
  const at = frame ? ` It was raised at ${frameShown(frame, ctx.lab.workdir)}.` : '';
  if (/UnicodeDecodeError|UnpicklingError|a bytes-like object is required/.test(crash ?? ''))
    return `${file} died in hotqueue right after the pop (${crash}): the queue's Redis client decodes replies (decode_responses=True), so hotqueue gets text where it unpickles bytes. Make the queue without it: HotQueue("queue", host=REDIS_IP, port=6379, db=${ctx.queue.db})`;
  if (exit !== undefined && !exit.stoppedByGrader && !exit.timedOut)
    return `${file} crashed after it took a job (${exit.description})${crash ? `: ${crash}${at}` : '.'} The job it held stays "${status}"`;
  const mine = new Set(ctx.wire.connectionsOf(run.name).map((c) => c.id));
  const wentOn =
    ctx.wire.waits.some((w) => mine.has(w.connection) && w.t > after) ||
    ctx.wire.commands.some((c) => mine.has(c.connection) && c.t > after && /POP/.test(c.name));
  const kept = wentOn ? `${file} kept running and went on to the next job, but this one stays "${status}"` : `the job stays "${status}"`;
  if (crash)
    return `${kept}: an exception was raised after "${status}" was set, caught by an except that only logs it, and "complete" was never set. It printed ${crash}.${at} Fix what raises it`;
  if (wentOn)
    return `${kept}: "complete" was never set and ${file} printed no error. Either update_job_status(jid, "complete") is missing after time.sleep(WORK_SECONDS), or an exception was caught without a word (except Exception: pass): let it show, and fix what raises it`;
  return `the worker took the job but never set "complete": after time.sleep(WORK_SECONDS), update_job_status(jid, "complete")`;
}

/**
 * The first of `jobs` that one of `runs` (workers) took off the queue since `mark`: the job's id,
 * the run that took it, the last status written to its record (or shown by GET) and when that write
 * was (ms since the epoch; the pop's when there was none). For a job that did not finish, it is
 * what undoneHint explains.
 */
export function firstTaken(
  ctx: CheckContext,
  jobs: Tracked[],
  mark: number,
  runs: ScriptRun[],
): { id: string; run: ScriptRun; status: string; t: number } | undefined {
  for (const job of jobs) {
    const trace = jobTrace(ctx, job.id, mark);
    const pop = trace.pops.find((p) => runs.some((r) => r.name === p.run));
    if (pop === undefined) continue;
    const status = writtenStatuses(trace).at(-1) ?? job.seen.at(-1) ?? 'submitted';
    return { id: job.id, run: runs.find((r) => r.name === pop.run)!, status, t: trace.writes.at(-1)?.t ?? pop.t };
  }
  return undefined;
}

/** Waits until the recorder's log has caught up with what `ready` looks for (it comes by its own way, a little later). */
export function untilWire(ctx: CheckContext, ready: () => boolean, timeoutMs = 2000): Promise<boolean> {
  return waitFor(ready, timeoutMs, ctx.signal, 20);
}

/** Whether an answer is an HTTP success the contract allows for a created job. */
export const created = (exchange: HttpExchange): boolean => exchange.answered && (exchange.status === 200 || exchange.status === 201);

/** A job the grader posted, and the statuses its GETs showed, each run of equal ones once. */
export interface Tracked {
  id: string;
  seen: string[];
}

/** Notes a status a GET showed: the contract's word, or the value as written (`completed`). */
function noteStatus(job: Tracked, value: unknown): void {
  const word = statusWord(value);
  const seen = word.exact ?? (typeof value === 'string' ? value : word.shown);
  if (job.seen.at(-1) !== seen) job.seen.push(seen);
}

/** A job that will change no more: complete, or a near miss of "complete" (`completed`, `done`). */
export function finished(job: Tracked): boolean {
  const word = statusWord(job.seen.at(-1));
  return word.exact === 'complete' || word.near === 'complete';
}

/** POSTs `count` jobs one after another; the outcome of a check that cannot judge when one is not created. */
export async function postJobs(ctx: CheckContext, api: Api, count: number): Promise<{ jobs: Tracked[] } | { failed: CheckOutcome }> {
  const jobs: Tracked[] = [];
  for (let i = 0; i < count; i += 1) {
    const { exchange, job, id } = await postJob(ctx, api, jobParameters(ctx));
    if (!created(exchange) || id === undefined) {
      return {
        failed: outcome(false, `not judged: POST /jobs did not create a job (${shown(exchange)})`, {
          diagnosis: ['make POST /jobs work first (the check api-create says what it answered): this check follows the jobs it creates'],
        }),
      };
    }
    const tracked = { id, seen: [] };
    noteStatus(tracked, job?.status);
    jobs.push(tracked);
  }
  return { jobs };
}

/**
 * Waits (at most `timeoutMs`) until every worker waits for a job: in a blocking pop, or polling the
 * queue on a connection it opened itself; or has ended, or will never connect. Only this run's own
 * connections count: a worker of the same name in the check before was stopped a moment ago, and
 * its last commands must not pass for this one's (context.ts's isWaiting would take them).
 */
async function untilWorkersWait(ctx: CheckContext, workers: ScriptRun[], timeoutMs = 8000): Promise<void> {
  const polling = (run: ScriptRun): boolean => {
    const own = new Set(
      ctx.wire
        .connectionsOf(run.name)
        .filter((c) => c.closedAt === undefined && c.openedAt >= run.startedAt)
        .map((c) => c.id),
    );
    const now = Date.now();
    return ctx.wire.commands.slice(-200).some((c) => own.has(c.connection) && now - c.t < 300 && /POP|LRANGE|LINDEX|LLEN/.test(c.name));
  };
  await waitFor(() => workers.every((w) => w.hasEnded() || inBlockingPop(ctx, w) || polling(w) || neverConnected(ctx, w)), timeoutMs, ctx.signal);
}

/** `run` waits in a blocking pop on the contract's queue (not on a queue of its own naming). */
export function waitsOnQueue(ctx: CheckContext, run: ScriptRun): boolean {
  if (!inBlockingPop(ctx, run)) return false;
  const mine = new Set(ctx.wire.connectionsOf(run.name).map((c) => c.id));
  const last = ctx.wire.waits.filter((w) => mine.has(w.connection)).at(-1);
  return last !== undefined && last.db === ctx.queue.db && last.keys.includes(ctx.queue.key);
}

/** How often the grader asks each job's status, ms: well within the shortest WORK_SECONDS it sets. */
export const pollEveryMs = 100;

/** Asks each job not finished yet for its status, once. */
async function pollOnce(ctx: CheckContext, api: Api, jobs: Tracked[]): Promise<void> {
  for (const job of jobs.filter((j) => !finished(j))) {
    const answer = await ask(ctx, api, { method: 'GET', path: `/jobs/${encodeURIComponent(job.id)}` });
    const record = json(answer);
    if (record !== null && typeof record === 'object') noteStatus(job, (record as Record<string, unknown>).status);
  }
}

/**
 * Polls GET /jobs/<id> of every job until each is finished, `deadline` (ms since the epoch) passes,
 * every one of `workers` has ended, or nothing more can happen: the queue is empty and every worker
 * that runs waits in a blocking pop on it, at two polls in a row. Then, unless every job finished, once
 * more: a worker that ended left its last job as it was, and that is what a user would see.
 */
export async function pollJobs(ctx: CheckContext, api: Api, jobs: Tracked[], deadline: number, workers: ScriptRun[]): Promise<void> {
  const gone = (): boolean => workers.length > 0 && workers.every((w) => w.hasEnded());
  const idle = async (): Promise<boolean> =>
    workers.length > 0 && workers.every((w) => w.hasEnded() || waitsOnQueue(ctx, w)) && (await ctx.probe.length(ctx.queue.db, ctx.queue.key)) === 0;
  let idleBefore = false;
  while (Date.now() < deadline && !jobs.every(finished) && !gone()) {
    await pollOnce(ctx, api, jobs);
    // The poll that sees the last one complete ends it: nothing is left to ask (a wait here cost
    // each check that follows jobs about 0.1 s).
    if (jobs.every(finished)) return;
    const idleNow = await idle();
    if (idleNow && idleBefore) break;
    idleBefore = idleNow;
    // A write of a job's record that the wire shows (its status changed) is asked about at once:
    // the job that completes is seen then, not up to a poll later.
    const written = (c: WireCommand): boolean => recordCommands.has(c.name) && jobs.some((j) => !finished(j) && (c.keys[0] ?? '').includes(j.id));
    await ctx.wire.nextCommand(written, pollEveryMs, ctx.signal);
  }
  await pollOnce(ctx, api, jobs);
}
