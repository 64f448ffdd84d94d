/**
 * What every check kind works with during one run: the grader's probe, the Redis port, the HTTP port,
 * starting the student's scripts (as replicas), the live wire log, and the run's tokens and codec.
 * Those ports are the only way a kind reaches the environment: the session binds them, unit tests
 * bind fakes. Below it, the helpers every kind that runs scripts shares: starting a role, running
 * the producer to its end, waiting, putting messages, and stopping runs (`stopAll`).
 */
import type { Lab } from '../lab/types.js';
import type { ScriptExit, ScriptOptions, ScriptRun } from '../run/script.js';
import type { Codec } from './codec.js';
import type { Phrasing } from './diagnose.js';
import type { HttpPort, RedisPort } from './ports.js';
import type { Probe } from './probe.js';
import type { TokenSource } from './tokens.js';
import type { QueueRef, WireCommand, WireLog } from './wire.js';

export interface CheckContext {
  lab: Lab;
  /**
   * Starts one run of a student's script in a container of its service (run/script.ts's startScript
   * over the session's containers); the run's shape is the same whether it passes or fails.
   */
  readonly startScript: ScriptStarter;
  /** The grader's own line to Redis, for the whole session: it follows Redis when it is re-created. */
  readonly probe: Probe;
  /** Crashing, re-creating, moving and renaming the lab's Redis; its name for hints. */
  readonly redis: RedisPort;
  /** HTTP to the lab's services (the jobs-api lab's API) from the grading host. */
  readonly http: HttpPort;
  /** The service that holds the student's files (where a file can be read), if any. */
  studentService: string | undefined;
  /**
   * The student's services' environment as the submission's compose file sets it (environment: and
   * env_file:, without the REDIS_IP labs itself gives every student service), and where that file
   * sets it: the line of the service's `environment:`, or of the service when it has none
   * (`docker-compose.yml:20`). Undefined when the lab's services are its own.
   */
  serviceEnvironments?: Record<string, { environment: Record<string, string>; at: string }>;
  wire: WireLog;
  tokens: TokenSource;
  codec: Codec;
  /** How hints are worded for this lab's way of consuming. */
  phrasing: Phrasing;
  queue: QueueRef;
  signal: AbortSignal | undefined;
  /** Per-script timeout for producers and other scripts that should end by themselves. */
  scriptTimeoutMs: number;
  /** Every run started, so that the session can stop what a check left running. */
  runs: ScriptRun[];
  /**
   * The idle window the latency check watched its consumer through: when it was quiet, the blocking
   * check judges that window (the same question, asked of the same run) instead of running the
   * consumer again.
   */
  idle?: IdleObservation;
  /** The id (in lab.yaml) of the check that runs now, for a sentence that points a later check at it. */
  checkId?: string;
  /**
   * The first check of the session that could not reach the jobs-api lab's API, and why (see
   * checks/jobs-api.ts, startApi): a later check that fails to reach it for the same reason says
   * "not judged" and points at that one, instead of repeating its evidence.
   */
  apiDown?: { check: string | undefined; reason: string };
}

/** Starts a run of a script: where (service), what (argv), under which name, bounded by `timeoutMs`. */
export type ScriptStarter = (options: Omit<ScriptOptions, 'hosts'>) => Promise<ScriptRun>;

/** A consumer watched while the queue stayed empty. */
export interface IdleObservation {
  windowMs: number;
  consumer: ScriptRun;
  /** Wire mark at the run's start. */
  mark: number;
  from: number;
  to: number;
  /** The consumer's commands in the window. */
  during: WireCommand[];
  connected: boolean;
  /** At the window's end it waited in a blocking pop (or made one during the window). */
  blocked: boolean;
  endedByItself: boolean;
  /** The window asked exactly the blocking check's question (see `observeIdle`). */
  quiet: boolean;
  /** Filled in once the run is stopped. */
  exits: Map<string, ScriptExit>;
}

/** The queue the labs' contract names: HotQueue("queue", db=1), which hotqueue keeps in the list `hotqueue:queue` of db 1. */
export const defaultQueue: QueueRef = { db: 1, key: 'hotqueue:queue' };

/** Resolves after `ms`; rejects with `signal`'s reason as soon as it aborts (at once when it has). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Polls `condition` every `everyMs` until it holds or `timeoutMs` passes; resolves with whether it held. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, signal?: AbortSignal, everyMs = 25): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(everyMs, signal);
  }
}

/** Starts a script of the lab (producer or consumer) as one replica, registered with the wire log; `environment` is set for this run only. */
export async function startRole(
  ctx: CheckContext,
  role: 'producer' | 'consumer',
  name: string,
  extraArgs: string[] = [],
  options: { timeoutMs?: number; environment?: Record<string, string> } = {},
): Promise<ScriptRun> {
  const script = ctx.lab.scripts[role];
  if (!script) throw new Error(`labs: ${ctx.lab.id} declares no ${role} script`);
  const run = await ctx.startScript({
    service: script.service,
    argv: [...script.command, ...extraArgs],
    name,
    timeoutMs: options.timeoutMs ?? ctx.scriptTimeoutMs,
    environment: options.environment,
    signal: ctx.signal,
    // Registered before the script starts, so its first connection is already its own.
    onStart: ({ address, startedAt }) => ctx.wire.addRun({ name, address, startedAt, endedAt: undefined }),
  });
  ctx.runs.push(run);
  // Ended once the run and everything it started are dead: no later connection is its.
  const ended = (): void => ctx.wire.endRun(name, Date.now());
  void run.exited.then(ended, ended);
  return run;
}

/** A run that has not reached Redis this long after it started tries an address that does not answer. */
export const connectGraceMs = 5000;

/**
 * The run has not reached Redis, and will not: its grace period is over, or it waits on an address
 * that did not answer (its supervisor saw the request go unanswered for 3 s, where every address
 * that exists answers at once; a script that gave up on it sooner may still connect elsewhere), or
 * its requests were refused and it had no connection a second later (ScriptRun.unanswered).
 */
export function neverConnected(ctx: CheckContext, run: ScriptRun): boolean {
  if (ctx.wire.connectionsOf(run.name).length > 0) return false;
  return run.unanswered() !== undefined || Date.now() - run.startedAt > connectGraceMs;
}

/** Nothing more can come of these runs: each has ended, or never reached Redis within the grace period. */
export function settled(ctx: CheckContext, runs: ScriptRun[]): boolean {
  return runs.every((r) => r.hasEnded() || neverConnected(ctx, r));
}

/**
 * Runs the producer to its end. One that will not reach Redis (see neverConnected) is trying an
 * address that does not answer (a hard-coded IP): it is stopped rather than waited out to its timeout.
 */
export async function runProducer(
  ctx: CheckContext,
  name: string,
  args: string[],
  options: { timeoutMs?: number } = {},
): Promise<{ run: ScriptRun; exit: ScriptExit }> {
  const run = await startRole(ctx, 'producer', name, args, options);
  const connected = (): boolean => ctx.wire.connectionsOf(run.name).length > 0;
  await waitFor(() => run.hasEnded() || connected() || neverConnected(ctx, run), connectGraceMs + 100, ctx.signal, 50);
  if (!run.hasEnded() && !connected()) await run.stop();
  return { run, exit: await run.exited };
}

/**
 * Waits until Redis has no client but the grader: every connection of the scripts stopped so far
 * is gone from Redis too. A consumer killed in a blocking pop leaves that pop in Redis until the
 * recorder has closed its side; a message put before then is handed to a connection nobody reads
 * (under load this took long enough to lose the first message of the next check). Resolves with
 * whether it happened within `timeoutMs`; a Redis that refuses CLIENT is not waited for.
 */
export async function untilClientsGone(ctx: CheckContext, timeoutMs = 3000): Promise<boolean> {
  return waitFor(
    async () => {
      try {
        return (await ctx.probe.otherClients()) === 0;
      } catch {
        return true;
      }
    },
    timeoutMs,
    ctx.signal,
    25,
  );
}

/** The grader puts messages on the queue itself, one RPUSH each, and notes when. */
export async function enqueue(ctx: CheckContext, messages: string[]): Promise<{ id: string; t: number }[]> {
  const sent: { id: string; t: number }[] = [];
  for (const id of messages) {
    const t = Date.now();
    await ctx.probe.push(ctx.queue.db, ctx.queue.key, [ctx.codec.encode(id)]);
    sent.push({ id, t });
  }
  return sent;
}

/** `run` waits in a blocking pop that Redis has not served yet, on a connection still open. */
export function inBlockingPop(ctx: CheckContext, run: ScriptRun): boolean {
  return ctx.wire.connectionsOf(run.name).some((c) => c.waitingSince !== undefined && c.closedAt === undefined);
}

/** A run is waiting for messages: a blocking pop of it is outstanding, or it polled in the last 300 ms. */
export function isWaiting(ctx: CheckContext, run: ScriptRun): boolean {
  if (inBlockingPop(ctx, run)) return true;
  const now = Date.now();
  const recent = ctx.wire.commands.slice(-200).filter((c) => now - c.t < 300 && ctx.wire.runOf(c) === run.name);
  return recent.some((c) => /POP|LRANGE|LINDEX|LLEN/.test(c.name));
}

/**
 * Stops the replicas, then waits (at most `wireMs`) until the recorder's log shows every connection
 * they had closed. The recorder logs a connection's commands before its close, so the wire a verdict
 * then reads is complete. Its log comes by another way than the replicas' output, and under load
 * later: without this, a consumer's last pops could be missing while their prints were there (seen
 * once in a batch of 100 at -j 20: a correct consumer judged to have printed 8 messages it never popped).
 */
export async function stopAll(ctx: Pick<CheckContext, 'wire' | 'signal'>, replicas: ScriptRun[], wireMs = 3000): Promise<Map<string, ScriptExit>> {
  const exits = new Map<string, ScriptExit>();
  await Promise.all(replicas.map(async (r) => exits.set(r.name, await r.stop())));
  const open = (): boolean => replicas.some((r) => ctx.wire.connectionsOf(r.name).some((c) => c.closedAt === undefined));
  if (open()) await waitFor(() => !open(), wireMs, ctx.signal, 20);
  return exits;
}
