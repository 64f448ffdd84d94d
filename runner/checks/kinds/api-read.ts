/**
 * api-read (the jobs-api lab): after the grader POSTs jobs, GET /jobs lists every one of them (their
 * ids, or the jobs), GET /jobs/<id> returns each job as stored (its id, the status "submitted", the
 * `start` and `end` posted), and an id that does not exist is a 4xx with a message, never a 500 or
 * a 200. Judged from the HTTP answers alone: the wire is not needed to tell what a GET returned.
 */
import type { z } from 'zod';
import { defineKind } from './kind.js';
import { apiReadSchema } from '../../lab/check-kinds.js';
import type { CheckContext } from '../context.js';
import { ask, created, jobParameters, json, postJob, shown, startApi, statusHint, statusWord } from '../jobs-api.js';
import { type CheckOutcome, outcome } from '../outcome.js';

export type ApiReadSpec = z.infer<typeof apiReadSchema>;

/** Every string and number anywhere in a JSON value (an id may be a list item, a key or a field). */
function jsonAtoms(value: unknown): string[] {
  if (typeof value === 'string' || typeof value === 'number') return [String(value)];
  if (Array.isArray(value)) return value.flatMap((v) => jsonAtoms(v));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...jsonAtoms(v)]);
  return [];
}

/** A value the student's code may have turned into a string (`"3"` for 3) compares equal. */
const same = (a: unknown, b: unknown): boolean => a === b || (a !== undefined && b !== undefined && String(a) === String(b));

export async function apiReadCheck(ctx: CheckContext, spec: ApiReadSpec): Promise<CheckOutcome> {
  const started = await startApi(ctx);
  if ('failed' in started) return started.failed;
  const { api } = started;
  const count = spec.jobs ?? 2;
  const posted: { id: string; params: { start: number; end: number } }[] = [];
  for (let i = 0; i < count; i += 1) {
    const params = jobParameters(ctx);
    const { exchange, id } = await postJob(ctx, api, params);
    if (!created(exchange) || id === undefined) {
      return outcome(false, `not judged: POST /jobs did not create a job to read back (${shown(exchange)})`, {
        diagnosis: ['make POST /jobs work first (the check api-create says what it answered): this check reads back the jobs it creates'],
      });
    }
    posted.push({ id, params });
  }
  const problems: string[] = [];
  const diagnosis: string[] = [];
  const details: string[] = [];

  const list = await ask(ctx, api, { method: 'GET', path: '/jobs' });
  details.push(`GET /jobs → ${shown(list)}`);
  const listed = json(list);
  if (!list.answered || list.status !== 200 || listed === undefined) {
    problems.push(`GET /jobs answered ${shown(list)}, not 200 with JSON`);
    diagnosis.push('@app.route("/jobs", methods=["GET"]) returning jsonify(the ids) (or the jobs)');
  } else {
    const atoms = new Set(jsonAtoms(listed));
    const missing = posted.filter((p) => !atoms.has(p.id));
    if (missing.length) {
      problems.push(`GET /jobs does not list ${missing.length} of the ${posted.length} jobs just created (${missing[0]!.id})`);
      diagnosis.push('list every job stored: the keys of the job records (rd.keys("job.*")), or the jobs themselves');
    }
  }

  for (const { id, params } of posted) {
    const answer = await ask(ctx, api, { method: 'GET', path: `/jobs/${encodeURIComponent(id)}` });
    details.push(`GET /jobs/${id} → ${shown(answer)}`);
    const job = json(answer);
    if (!answer.answered || answer.status !== 200 || job === null || typeof job !== 'object' || Array.isArray(job)) {
      problems.push(`GET /jobs/${id} answered ${shown(answer)}, not 200 with the job`);
      diagnosis.push('@app.route("/jobs/<jid>") returning jsonify(get_job_by_id(jid)): the record as add_job stored it');
      break;
    }
    const record = job as Record<string, unknown>;
    const wrong = (['start', 'end'] as const).filter((k) => !same(record[k], params[k]));
    if (!same(record.id, id)) {
      problems.push(`GET /jobs/${id} returned a job whose id is ${JSON.stringify(record.id)}`);
      diagnosis.push('return the record stored for that id, with its "id"');
    } else if (wrong.length) {
      problems.push(
        `GET /jobs/${id} returned ${wrong.map((k) => `${k} ${JSON.stringify(record[k])}`).join(', ')}; the job was posted with ${JSON.stringify(params)}`,
      );
      diagnosis.push('store the "start" and "end" the POST sent in the record, and return them');
    }
    const status = statusWord(record.status);
    if (status.exact !== 'submitted') {
      problems.push(`GET /jobs/${id} shows the status ${status.shown}; no worker ran, so it is "submitted"`);
      diagnosis.push(status.near ? statusHint(status.shown, status.near) : 'return the status stored with the job ("submitted" until a worker takes it)');
    }
  }

  const unknownId = `no-such-job-${ctx.tokens.prefix}`;
  const unknown = await ask(ctx, api, { method: 'GET', path: `/jobs/${unknownId}` });
  details.push(`GET /jobs/${unknownId} → ${shown(unknown)}`);
  if (!unknown.answered || unknown.status < 400 || unknown.status >= 500 || unknown.body.trim() === '') {
    problems.push(`GET /jobs/ of an id that does not exist answered ${shown(unknown)}, not a 404 with a message`);
    diagnosis.push(
      unknown.answered && unknown.status >= 500
        ? `${api.file} crashed on an unknown id: when get_job_by_id returns None, answer jsonify({"error": "no such job"}), 404`
        : 'an unknown id is the client\'s mistake: answer jsonify({"error": "no such job"}), 404',
    );
  }
  const passed = problems.length === 0;
  const summary = passed
    ? `GET /jobs listed the ${posted.length} jobs, GET /jobs/<id> returned each as stored, an unknown id was a ${unknown.answered ? unknown.status : '4xx'}`
    : problems[0]!;
  return outcome(passed, summary, { details: passed ? [] : [...problems.slice(1), ...details], diagnosis: passed ? [] : [...new Set(diagnosis)] });
}

export const apiRead = defineKind({ kind: 'api-read', schema: apiReadSchema, judgedFromWire: false, hosts: () => ({ producer: 1 }), run: apiReadCheck });
