/**
 * One run of a student's script: a command in one of the service's long-lived confined containers
 * (run/hosts.ts), so a replica is a container and its connections to Redis are told apart by
 * address; output captured line by line with arrival times and bounded in size; a timeout; and an
 * exit described in words. Stopping a run kills everything it started.
 */
import type { ScriptHosts } from './hosts.js';

export interface OutputLine {
  stream: 'stdout' | 'stderr';
  /** Arrival time, ms since epoch. */
  t: number;
  text: string;
}

export interface ScriptExit {
  code: number;
  /**
   * For people: "exited with code 1", "killed: out of memory (exit 137)", "stopped by the grader",
   * "timed out after 10000 ms and was stopped" (see describeExit). Code reads the flags, never this.
   */
  description: string;
  timedOut: boolean;
  oomKilled: boolean;
  /**
   * The grader stopped the run (`ScriptRun.stop`) while it still ran: it did not end by itself, and
   * did not time out. Read this, never `description`, to tell a script that ended from one stopped.
   */
  stoppedByGrader: boolean;
}

export interface ScriptRun {
  /** Replica name, e.g. "consumer-1". */
  name: string;
  service: string;
  /** Address on the lab network: how the recorder's connections are tied to this run. */
  address: string;
  startedAt: number;
  lines: OutputLine[];
  outputTruncated: () => boolean;
  /** Resolves when the script ends by itself, is stopped, or times out. */
  exited: Promise<ScriptExit>;
  /** Whether `exited` has resolved: the run and everything it started are dead, its output read. */
  hasEnded: () => boolean;
  /**
   * An address the script asked a connection of that did not answer within 3 s, while it had
   * no connection: it is trying an address where nothing is (a hard-coded IP); or `refused` when
   * its connection requests were refused (the grader's firewall refuses what would leave the lab's
   * network) and it had no connection a second after the first. Undefined otherwise, and always
   * where no supervisor watches (an image without python3).
   */
  unanswered: () => string | undefined;
  /** Stops the script now (SIGKILL); resolves once its output is read to the end. */
  stop: () => Promise<ScriptExit>;
}

export interface ScriptOptions {
  hosts: ScriptHosts;
  service: string;
  argv: string[];
  name: string;
  timeoutMs: number;
  /** Variables the grader sets for this run only, over the service's environment (WORK_SECONDS). */
  environment?: Record<string, string>;
  maxOutputBytes?: number;
  signal?: AbortSignal;
  /** Called just before the script starts, with where and when (for attributing its connections). */
  onStart?: (run: { address: string; startedAt: number }) => void;
}

/** How a run ended, in words (ScriptExit.description); a timeout or the grader's stop comes first. */
export function describeExit(code: number, state: { oomKilled: boolean; stoppedByGrader: boolean; timedOutMs?: number }): string {
  if (state.timedOutMs !== undefined) return `timed out after ${state.timedOutMs} ms and was stopped`;
  if (state.stoppedByGrader) return 'stopped by the grader';
  if (state.oomKilled) return `killed: out of memory (exit ${code})`;
  if (code === 0) return 'exited with code 0';
  if (code === 137) return 'killed (SIGKILL, exit 137)';
  if (code === 143) return 'terminated (SIGTERM, exit 143)';
  if (code > 128 && code < 160) return `killed by signal ${code - 128} (exit ${code})`;
  return `exited with code ${code}`;
}

/**
 * Starts a student's script in a container of its service (a supervisor forks it), registered with
 * `onStart` before it runs; its output is captured line by line up to `maxOutputBytes` (default
 * 1 MiB), and it is stopped after `timeoutMs`. The run's `exited` never rejects: how it ended is data.
 */
export async function startScript(options: ScriptOptions): Promise<ScriptRun> {
  const { hosts } = options;
  const lines: OutputLine[] = [];
  let startedAt = 0;
  const { host, finished, unanswered } = await hosts.exec(
    options.service,
    options.argv,
    (line) => lines.push(line),
    options.maxOutputBytes ?? 1024 * 1024,
    (h) => {
      // Taken before the script starts, so that nothing it does can come before it.
      startedAt = Date.now();
      options.onStart?.({ address: h.address, startedAt });
    },
    options.environment,
  );
  let stoppedByGrader = false;
  let timedOutMs: number | undefined;
  let stopping: Promise<{ oomKilled: boolean }> | undefined;
  const stop = (): Promise<{ oomKilled: boolean }> => (stopping ??= hosts.cleanup(host));
  const timer = setTimeout(() => {
    timedOutMs = options.timeoutMs;
    void stop().catch(() => undefined);
  }, options.timeoutMs);
  const onAbort = (): void => void stop().catch(() => undefined);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let truncated = false;

  const exited = (async (): Promise<ScriptExit> => {
    let code = -1;
    let failure: unknown;
    try {
      const result = await finished;
      code = result.exitCode;
      truncated = result.truncated;
    } catch (error) {
      failure = error;
    }
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    // Whatever the script left running ends with it.
    let oomKilled = false;
    try {
      oomKilled = (await stop()).oomKilled;
    } catch (error) {
      failure ??= error;
    }
    hosts.release(host, { replace: failure !== undefined });
    if (failure !== undefined) throw failure;
    return {
      code,
      description: describeExit(code, { oomKilled, stoppedByGrader, timedOutMs }),
      timedOut: timedOutMs !== undefined,
      oomKilled,
      // As the description says it: a run that timed out was stopped for its timeout, not by a check.
      stoppedByGrader: stoppedByGrader && timedOutMs === undefined,
    };
  })();
  // A caller that never waits for the exit must not see an unhandled rejection.
  let ended = false;
  exited.then(
    () => (ended = true),
    () => (ended = true),
  );

  return {
    name: options.name,
    service: options.service,
    address: host.address,
    startedAt,
    lines,
    outputTruncated: () => truncated,
    unanswered,
    exited,
    hasEnded: () => ended,
    stop: async () => {
      stoppedByGrader = true;
      await stop().catch(() => undefined);
      return exited;
    },
  };
}
