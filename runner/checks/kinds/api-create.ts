/**
 * api-create (the jobs-api lab): POST /jobs answers 200 or 201 with the job as JSON, a fresh `id`
 * and the status "submitted"; the wire shows the job's record written (outside the queue's db, its
 * key naming the id) and exactly one push of the id onto the queue. Input without `start` and `end`
 * (or not JSON) is refused with a 4xx and a message, nothing stored or queued, and the API still
 * answers afterwards. Only the API runs: no worker takes the ids.
 */
import type { z } from 'zod';
import { defineKind } from './kind.js';
import { apiCreateSchema } from '../../lab/check-kinds.js';
import { type CheckContext, stopAll } from '../context.js';
import { type Api, ask, created, elsewhereHint, jobParameters, jobTrace, postJob, shown, startApi, statusHint, statusWord, untilWire } from '../jobs-api.js';
import { type CheckOutcome, outcome } from '../outcome.js';
import type { HttpExchange } from '../ports.js';

export type ApiCreateSpec = z.infer<typeof apiCreateSchema>;

/** The bad requests the grader sends, each with what it lacks. */
const badRequests: { what: string; body: string; contentType?: string }[] = [
  { what: 'a body without "end"', body: '{"start": 1}' },
  { what: 'a body that is not JSON', body: 'start=1&end=2', contentType: 'application/x-www-form-urlencoded' },
];

export async function apiCreateCheck(ctx: CheckContext, spec: ApiCreateSpec): Promise<CheckOutcome> {
  const started = await startApi(ctx);
  if ('failed' in started) return started.failed;
  const { api } = started;
  const count = spec.jobs ?? 2;
  const problems: string[] = [];
  const diagnosis: string[] = [];
  const details: string[] = [];
  const ids: string[] = [];
  const mark = ctx.wire.commands.length;
  for (let i = 0; i < count; i += 1) {
    const params = jobParameters(ctx);
    const { exchange, job, id } = await postJob(ctx, api, params);
    details.push(`POST /jobs ${JSON.stringify(params)} → ${shown(exchange)}`);
    if (!created(exchange)) {
      problems.push(`POST /jobs with ${JSON.stringify(params)} answered ${shown(exchange)}`);
      diagnosis.push(answerHint(api, exchange));
      break;
    }
    if (job === undefined || id === undefined) {
      problems.push(`the answer to POST /jobs is not a JSON object with an "id": ${shown(exchange)}`);
      diagnosis.push(`answer with the job itself, jsonify(job), where job has "id" (a new unique string) and "status"`);
      break;
    }
    const status = statusWord(job.status);
    if (status.exact !== 'submitted') {
      problems.push(`the new job's status is ${status.shown}, not "submitted"`);
      diagnosis.push(status.near ? statusHint(status.shown, status.near) : `a new job's status is "submitted": add_job stores it with status="submitted"`);
    }
    if (ids.includes(id)) {
      problems.push(`two POSTs answered the same id ${id}`);
      diagnosis.push('each job needs a new id: str(uuid.uuid4()) for every add_job, not one made at import');
    }
    ids.push(id);
  }
  // What the wire shows of each job the API said it made.
  await untilWire(ctx, () =>
    ids.every((id) => {
      const trace = jobTrace(ctx, id, mark);
      return trace.pushes.length > 0 && trace.writes.length > 0;
    }),
  );
  const goodMark = ctx.wire.commands.length;
  for (const bad of badRequests) {
    const exchange = await ask(ctx, api, { method: 'POST', path: '/jobs', body: bad.body, contentType: bad.contentType });
    details.push(`POST /jobs with ${bad.what} → ${shown(exchange)}`);
    const refused = exchange.answered && exchange.status >= 400 && exchange.status < 500;
    if (!refused) {
      problems.push(`POST /jobs with ${bad.what} answered ${shown(exchange)}, not a 4xx`);
      diagnosis.push(
        exchange.answered && exchange.status >= 500
          ? `${api.file} crashed on ${bad.what} (${exchange.status}): check request.get_json(silent=True) and that "start" and "end" are in it before you use them, and answer 400 with a message`
          : `refuse a request without "start" and "end" (or that is not JSON) with a 400 and a message, before add_job: jsonify({"error": "..."}), 400`,
      );
    } else if (exchange.body.trim() === '') {
      problems.push(`POST /jobs with ${bad.what} answered ${exchange.status} with an empty body`);
      diagnosis.push('say what is wrong in the answer: jsonify({"error": "send start and end"}), 400');
    }
  }
  const after = await ask(ctx, api, { method: 'GET', path: '/jobs' });
  if (!after.answered) {
    problems.push(`after the bad requests the API no longer answers (${shown(after)})`);
    diagnosis.push(`${api.file} must keep serving after a bad request: catch what is wrong and answer 400, never let it end the program`);
  }
  // Everything is on the wire once the API's connections are closed (checks/context.ts, stopAll).
  await stopAll(ctx, [api.run]);
  const afterBad = ctx.wire.commands.slice(goodMark);
  const writesAfterBad = afterBad.filter((c) => /^(SET|HSET|HMSET|HSETNX|[LR]PUSH)$/.test(c.name));
  if (writesAfterBad.length) {
    problems.push(`the refused requests still wrote to Redis: ${writesAfterBad.map((c) => `${c.name} ${c.keys[0] ?? ''} (db ${c.db})`).join(', ')}`);
    diagnosis.push('check the parameters before add_job: a refused request stores and queues nothing');
  }
  for (const id of new Set(ids)) checkTrace(ctx, id, mark, problems, diagnosis);
  const passed = problems.length === 0;
  const summary = passed
    ? `${ids.length} jobs created (201/200, status "submitted"), each stored and its id queued once; ${badRequests.length} bad requests refused with a 4xx`
    : problems[0]!;
  return outcome(passed, summary, {
    details: passed ? [] : [...problems.slice(1), ...details],
    diagnosis: passed ? [] : [...new Set(diagnosis)],
    measurements: { jobs: ids.length },
  });
}

/** What the wire must show of one job the API made: its record written and one push of its id. */
function checkTrace(ctx: CheckContext, id: string, mark: number, problems: string[], diagnosis: string[]): void {
  const trace = jobTrace(ctx, id, mark);
  const pushes = trace.pushes;
  const queue = `${ctx.queue.key} in db ${ctx.queue.db}`;
  if (pushes.length === 0 && trace.elsewhere.length) {
    const where = trace.elsewhere[0]!;
    problems.push(`job ${id} was put on ${where.key} in db ${where.db}, not on the lab's queue (${queue})`);
    diagnosis.push(elsewhereHint(ctx, where));
  } else if (pushes.length !== 1) {
    problems.push(`job ${id} was put on the queue (${queue}) ${pushes.length} times, not once`);
    if (pushes.length === 0) diagnosis.push('add_job must put the id on the queue: q.put(jid), once, after saving the record');
    else diagnosis.push('put each id on the queue once: q.put(jid) in one place (add_job or _queue_job), called once per job');
  }
  if (trace.writes.length === 0) {
    problems.push(`no record of job ${id} was written to Redis (no SET or HSET of a key naming the id)`);
    diagnosis.push(`store the record under a key that names the id (f"job.{jid}"), e.g. rd.set(key, json.dumps(job)) or rd.hset(key, mapping=job)`);
  } else if (trace.writes.some((w) => w.db === ctx.queue.db)) {
    problems.push(`job ${id}'s record is in db ${ctx.queue.db}, the queue's`);
    diagnosis.push(`keep job records in their own db (redis.Redis(host=REDIS_IP, port=6379, db=0)), apart from the queue's db ${ctx.queue.db}`);
  }
}

function answerHint(api: Api, exchange: HttpExchange): string {
  if (!exchange.answered) return `${api.file} stopped answering on POST /jobs (${exchange.failure}): a crash in the route ends the request; see labs logs api`;
  if (exchange.status >= 500)
    return `${api.file} failed on POST /jobs (${exchange.status}): the traceback is in its output (labs logs api); add_job must save the record and q.put the id`;
  if (exchange.status === 404 || exchange.status === 405) return `there is no POST route at /jobs: @app.route("/jobs", methods=["POST"])`;
  return 'answer POST /jobs with the new job as JSON (jsonify(job)) and status 200 or 201';
}

export const apiCreate = defineKind({ kind: 'api-create', schema: apiCreateSchema, judgedFromWire: true, hosts: () => ({ producer: 1 }), run: apiCreateCheck });
