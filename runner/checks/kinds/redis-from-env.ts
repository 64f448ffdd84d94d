/**
 * redis-from-env (the jobs-api lab): Redis's host comes from REDIS_IP. The grader gives Redis
 * another name on the lab network (its service name no longer resolves), runs the API and the
 * worker with REDIS_IP set to that name, and a job posted must still be stored, queued and
 * completed. Code that writes `redis-db` (or an IP) itself fails, with a hint. The name is given
 * back afterwards, whatever happened.
 */
import type { z } from 'zod';
import { defineKind } from './kind.js';
import { redisFromEnvSchema } from '../../lab/check-kinds.js';
import { type CheckContext, stopAll } from '../context.js';
import { crashLine } from '../diagnose.js';
import { finished, jobParameters, pollJobs, postJob, scriptFile, shown, startApiAndWorkers } from '../jobs-api.js';
import { type CheckOutcome, outcome } from '../outcome.js';
import type { ScriptRun } from '../../run/script.js';

export type RedisFromEnvSpec = z.infer<typeof redisFromEnvSchema>;

export async function redisFromEnvCheck(ctx: CheckContext, spec: RedisFromEnvSpec): Promise<CheckOutcome> {
  const workSeconds = spec.work_seconds ?? 0.5;
  // A name no code could have written in advance: the service's, and the run's own token prefix.
  const name = `${ctx.redis.service}-${ctx.tokens.prefix.toLowerCase().replace(/[^a-z0-9]/g, '')}`;
  await ctx.redis.rename(name);
  try {
    return await underName(ctx, name, workSeconds);
  } finally {
    await ctx.redis.rename(undefined);
  }
}

async function underName(ctx: CheckContext, name: string, workSeconds: number): Promise<CheckOutcome> {
  const environment = { REDIS_IP: name };
  const mark = ctx.wire.commands.length;
  const started = await startApiAndWorkers(ctx, 1, workSeconds, environment);
  if ('failed' in started) return started.failed;
  const { api } = started;
  const worker = started.workers[0]!;
  const { exchange, id } = await postJob(ctx, api, jobParameters(ctx));
  const job = { id: id ?? '', seen: [] as string[] };
  if (id !== undefined) await pollJobs(ctx, api, [job], Date.now() + workSeconds * 1000 + 4000, [worker]);
  await stopAll(ctx, [worker, api.run]);
  const oldName = ctx.redis.service;
  const hint = (run: ScriptRun, file: string): string | undefined => {
    const crash = crashLine(run.lines);
    const text = run.lines.map((l) => l.text).join('\n');
    if (new RegExp(`connecting to ${oldName}:|${oldName}:6379`).test(text)) {
      return `${file} connects to "${oldName}" written in the code, not to the host in REDIS_IP (${crash ?? 'its output names it'}): in jobs.py, _redis_ip = os.environ.get("REDIS_IP", "${oldName}"), and use that for both the Redis client and the HotQueue`;
    }
    if (/connecting to \d+\.\d+\.\d+\.\d+:/.test(text))
      return `${file} connects to an IP address written in the code: use os.environ.get("REDIS_IP") in jobs.py`;
    return undefined;
  };
  const apiFile = scriptFile(ctx, 'producer');
  const workerFile = scriptFile(ctx, 'consumer');
  const found = [hint(api.run, apiFile), hint(worker, workerFile)].filter((h): h is string => h !== undefined);
  const generic = `take Redis's host from the environment: os.environ.get("REDIS_IP", "${oldName}") in jobs.py, for the Redis client and the HotQueue alike`;
  // A script whose commands reached Redis found its host: the job failed for another reason, which
  // the other checks judge (job-lifecycle names a crash). The host is blamed only when the output
  // names the old one, or a script that had to reach Redis never did.
  const reached = (run: ScriptRun): boolean => ctx.wire.since(mark, run.name).length > 0;
  const elsewhere = (what: string, run: ScriptRun, file: string): CheckOutcome =>
    outcome(
      false,
      `not judged: with Redis named ${name} and REDIS_IP=${name}, ${what}, though ${file} reached Redis: the host was found, something else failed (see the checks before)`,
      {
        details: tailOf(run, file),
        diagnosis: found,
      },
    );
  if (id === undefined) {
    if (found.length === 0 && reached(api.run)) return elsewhere(`POST /jobs answered ${shown(exchange)}`, api.run, apiFile);
    return outcome(false, `with Redis named ${name} and REDIS_IP=${name}, POST /jobs answered ${shown(exchange)}`, {
      details: tailOf(api.run, apiFile),
      diagnosis: found.length ? found : [generic],
    });
  }
  if (!finished(job)) {
    const what = `the job posted stayed ${job.seen.at(-1) ?? 'unknown'}`;
    if (found.length === 0 && reached(worker)) return elsewhere(what, worker, workerFile);
    return outcome(false, `with Redis named ${name} and REDIS_IP=${name}, ${what}`, {
      details: tailOf(worker, workerFile),
      diagnosis: found.length ? found : [generic],
    });
  }
  return outcome(true, `with Redis renamed ${name} and REDIS_IP=${name}, a job was stored, queued and completed`);
}

function tailOf(run: ScriptRun, file: string): string[] {
  return run.lines.slice(-3).map((l) => `${file}: ${l.text}`);
}

export const redisFromEnv = defineKind({
  kind: 'redis-from-env',
  schema: redisFromEnvSchema,
  judgedFromWire: false,
  hosts: () => ({ producer: 1, consumer: 1, together: true }),
  run: redisFromEnvCheck,
});
