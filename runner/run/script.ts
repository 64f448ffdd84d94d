/**
 * One run of a student's script: its own confined container (so a replica is a container, and its
 * connections to Redis are told apart by address), output captured line by line with the engine's
 * arrival times and bounded in size, a timeout, and an exit described in words.
 */
import { randomBytes } from 'node:crypto';
import type { DockerRuntime } from '../provision/docker.js';
import type { IsolatedEnvironment } from '../provision/isolated.js';
import { studentUser } from '../provision/isolated.js';
import { Label, resourceName, sessionLabels } from '../provision/labels.js';

export interface OutputLine {
  stream: 'stdout' | 'stderr';
  /** Arrival time at the engine, ms since epoch. */
  t: number;
  text: string;
}

export interface ScriptExit {
  code: number;
  /** "exited with code 1", "killed (out of memory)", "stopped by the grader", "timed out after 10000 ms". */
  description: string;
  timedOut: boolean;
  oomKilled: boolean;
}

export interface ScriptRun {
  /** Replica name, e.g. "consumer-1". */
  name: string;
  service: string;
  containerId: string;
  /** Address on the lab network: how the recorder's connections are tied to this run. */
  address: string;
  startedAt: number;
  lines: OutputLine[];
  outputTruncated: () => boolean;
  /** Resolves when the script ends by itself, is stopped, or times out. */
  exited: Promise<ScriptExit>;
  /** Stops the script now (SIGKILL); resolves once its output is read to the end. */
  stop: () => Promise<ScriptExit>;
}

export interface ScriptOptions {
  env: IsolatedEnvironment;
  service: string;
  argv: string[];
  name: string;
  timeoutMs: number;
  maxOutputBytes?: number;
  signal?: AbortSignal;
}

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

export async function startScript(options: ScriptOptions): Promise<ScriptRun> {
  const { env } = options;
  const runtime: DockerRuntime = env.runtime;
  const service = env.services[options.service];
  const image = env.images[options.service];
  if (!service || !image) throw new Error(`labs: no student service ${options.service} in this lab`);
  const id = await runtime.createContainer({
    name: resourceName(env.identity, `${options.name}-${randomBytes(3).toString('hex')}`),
    image,
    cmd: options.argv,
    entrypoint: [],
    env: {
      ...service.environment,
      // Buffered output is never the student's problem: Python flushes every line.
      PYTHONUNBUFFERED: '1',
      PYTHONDONTWRITEBYTECODE: '1',
      HOME: '/tmp',
    },
    user: studentUser,
    workingDir: env.lab.workdir,
    labels: sessionLabels(env.identity, { [Label.service]: options.service, [Label.role]: options.name }),
    network: env.network,
    volumes: [{ source: env.filesVolume, target: env.lab.workdir, readOnly: true }],
    confine: env.confine,
  });
  const lines: OutputLine[] = [];
  let truncated = false;
  const following = new AbortController();
  await runtime.startContainer(id, `${options.name} (${options.argv.join(' ')})`);
  const startedAt = Date.now();
  const state = await runtime.inspectContainer(id);
  const address = state.ip[env.network] ?? '';
  const output = runtime
    .followLines(id, (line) => lines.push(line), { maxBytes: options.maxOutputBytes ?? 1024 * 1024, signal: following.signal })
    .then((r) => {
      truncated = r.truncated;
    });

  let stoppedByGrader = false;
  let timedOutMs: number | undefined;
  const timer = setTimeout(() => {
    timedOutMs = options.timeoutMs;
    void runtime.killContainer(id);
  }, options.timeoutMs);
  const onAbort = (): void => void runtime.killContainer(id);
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const exited = (async (): Promise<ScriptExit> => {
    const code = await runtime.waitContainer(id);
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    // The log stream ends with the container; a flood of output is cut off, never waited for.
    const guard = setTimeout(() => following.abort(), 2000);
    await output;
    clearTimeout(guard);
    const after = await runtime.inspectContainerState(id);
    return {
      code,
      description: describeExit(code, { oomKilled: after.oomKilled, stoppedByGrader, timedOutMs }),
      timedOut: timedOutMs !== undefined,
      oomKilled: after.oomKilled,
    };
  })();

  return {
    name: options.name,
    service: options.service,
    containerId: id,
    address,
    startedAt,
    lines,
    outputTruncated: () => truncated,
    exited,
    stop: async () => {
      stoppedByGrader = true;
      await runtime.killContainer(id);
      return exited;
    },
  };
}
