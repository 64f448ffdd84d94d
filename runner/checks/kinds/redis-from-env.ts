/**
 * redis-from-env (the jobs-api lab): Redis's host comes from REDIS_IP. The grader gives Redis
 * another name on the lab network (its service name no longer resolves) at a new address (an IP
 * address known before no longer reaches it), runs the API and the worker with REDIS_IP set to that
 * name, and a job posted must still be stored, queued and completed. Code that writes `redis-db` or
 * an IP address itself fails, with a hint. The name is given back afterwards, whatever happened.
 * The compose file must give REDIS_IP to every service that runs the lab's scripts (the contract):
 * one without it reaches Redis only through a default written in the code, and fails too, named
 * with its line, though the grader's own REDIS_IP makes the rest pass.
 */
import type { z } from 'zod';
import { defineKind } from './kind.js';
import { redisFromEnvSchema } from '../../lab/check-kinds.js';
import { type CheckContext, stopAll } from '../context.js';
import { crashLine, quotedOutput } from '../diagnose.js';
import { finished, jobParameters, pollJobs, postJob, scriptFile, shown, startApiAndWorkers } from '../jobs-api.js';
import { type CheckOutcome, outcome } from '../outcome.js';
import type { ScriptRun } from '../../run/script.js';

export type RedisFromEnvSpec = z.infer<typeof redisFromEnvSchema>;

/** The variable the contract names for Redis's host. */
const variable = 'REDIS_IP';

export async function redisFromEnvCheck(ctx: CheckContext, spec: RedisFromEnvSpec): Promise<CheckOutcome> {
  const workSeconds = spec.work_seconds ?? 0.5;
  // A name no code could have written in advance: the service's, and the run's own token prefix.
  const name = `${ctx.redis.service}-${ctx.tokens.prefix.toLowerCase().replace(/[^a-z0-9]/g, '')}`;
  const moved = await ctx.redis.rename(name);
  let judged: CheckOutcome;
  try {
    judged = await underName(ctx, name, moved, workSeconds);
  } finally {
    await ctx.redis.rename(undefined);
  }
  return withCompose(ctx, judged);
}

/** The outcome, failed when the compose file leaves REDIS_IP unset on a service that runs the lab's scripts. */
function withCompose(ctx: CheckContext, judged: CheckOutcome): CheckOutcome {
  const scripts = new Set([ctx.lab.scripts.producer?.service, ctx.lab.scripts.consumer?.service]);
  const unset = Object.entries(ctx.serviceEnvironments ?? {}).filter(([service, s]) => scripts.has(service) && !(variable in s.environment));
  if (!unset.length) return judged;
  const found = unset.map(([service, s]) => `${s.at}: the ${service} service gets no ${variable} from the compose file`);
  // The value the other services get, when one does: the student's own name for Redis.
  const value = Object.values(ctx.serviceEnvironments ?? {}).find((s) => variable in s.environment)?.environment[variable] ?? ctx.redis.service;
  const diagnosis = unset.map(
    ([service, s]) =>
      `give the ${service} service ${variable} in the compose file (${s.at}), as every Python service of the lab gets it: environment: ["${variable}=${value}"]; without it, its code reaches Redis only through a default written in the code, or not at all`,
  );
  return outcome(false, judged.passed ? `${found.join('; ')} (with ${variable} set by the grader, a job was stored, queued and completed)` : judged.summary, {
    details: judged.passed ? judged.details : [...found, ...judged.details],
    diagnosis: [...diagnosis, ...judged.diagnosis],
    measurements: judged.measurements,
  });
}

async function underName(ctx: CheckContext, name: string, moved: { from: string; to: string }, workSeconds: number): Promise<CheckOutcome> {
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
  const under = `with Redis named ${name} (moved from ${moved.from} to ${moved.to}) and REDIS_IP=${name}`;
  const hint = (run: ScriptRun, file: string): string | undefined => {
    const crash = crashLine(run.lines);
    const text = run.lines.map((l) => l.text).join('\n');
    if (new RegExp(`connecting to ${oldName}:|${oldName}:6379`).test(text)) {
      return `${file} connects to "${oldName}" written in the code, not to the host in REDIS_IP (${crash ?? 'its output names it'}): in jobs.py, _redis_ip = os.environ.get("REDIS_IP", "${oldName}"), and use that for both the Redis client and the HotQueue`;
    }
    const ip = /connecting to (\d+\.\d+\.\d+\.\d+):/.exec(text)?.[1];
    if (ip !== undefined) {
      return `${file} connects to ${ip}, an IP address written in the code${ip === moved.from ? ` (Redis's address before the grader moved it)` : ''}: Redis's address changes from one machine and one start to the next, its name in REDIS_IP does not. In jobs.py, _redis_ip = os.environ.get("REDIS_IP", "${oldName}")`;
    }
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
    outcome(false, `not judged: ${under}, ${what}, though ${file} reached Redis: the host was found, something else failed (see the checks before)`, {
      details: tailOf(run, file),
      // Never empty: the lab's own hint, shown in its place, is about the host, which is not the problem here.
      diagnosis: found.length
        ? found
        : [`${file} found Redis under its new name: fix first what the checks before this one name, and this one is judged again`],
    });
  if (id === undefined) {
    if (found.length === 0 && reached(api.run)) return elsewhere(`POST /jobs answered ${shown(exchange)}`, api.run, apiFile);
    return outcome(false, `${under}, POST /jobs answered ${shown(exchange)}`, {
      details: tailOf(api.run, apiFile),
      diagnosis: found.length ? found : [generic],
    });
  }
  if (!finished(job)) {
    const what = `the job posted stayed ${job.seen.at(-1) ?? 'unknown'}`;
    if (found.length === 0 && reached(worker)) return elsewhere(what, worker, workerFile);
    return outcome(false, `${under}, ${what}`, {
      details: tailOf(worker, workerFile),
      diagnosis: found.length ? found : [generic],
    });
  }
  return outcome(true, `${under}, a job was stored, queued and completed`);
}

function tailOf(run: ScriptRun, file: string): string[] {
  return quotedOutput(run.lines, file);
}

export const redisFromEnv = defineKind({
  kind: 'redis-from-env',
  schema: redisFromEnvSchema,
  judgedFromWire: false,
  hosts: () => ({ producer: 1, consumer: 1, together: true }),
  renamesRedis: true,
  run: redisFromEnvCheck,
});
