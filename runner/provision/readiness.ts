/**
 * Waiting until a service is ready, with a measured timeout: the error says how long was waited,
 * what the last attempt saw, and the container's last output when it stopped on its own.
 */
import { connect } from 'node:net';
import { LabsError } from '../errors.js';
import type { ReadinessSpec } from '../lab/types.js';
import type { ContainerRuntime } from './runtime.js';

export interface ReadinessClock {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

const realClock: ReadinessClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

const pollMs = 100;

/** Resolves with the milliseconds waited; throws NOT_READY after `spec.timeoutMs`. */
export async function waitReady(
  runtime: ContainerRuntime,
  containerId: string,
  service: string,
  spec: ReadinessSpec,
  options: { clock?: ReadinessClock; signal?: AbortSignal } = {},
): Promise<number> {
  const clock = options.clock ?? realClock;
  const started = clock.now();
  let lastSeen: string;
  for (;;) {
    options.signal?.throwIfAborted();
    const state = await runtime.inspectContainer(containerId);
    if (!state.running) {
      const tail = await runtime.logsTail(containerId, 15);
      throw new LabsError('NOT_READY', `service ${service} stopped while starting (exit code ${state.exitCode})`, {
        details: tail.trim() ? tail.trimEnd().split('\n') : [],
        hint: `its last output is above; fix its command or image, then \`labs start\` again`,
      });
    }
    if (spec.kind === 'running') return clock.now() - started;
    const cmd = spec.kind === 'redis' ? ['redis-cli', '-p', String(spec.port || 6379), 'ping'] : (spec.command ?? ['true']);
    try {
      const result = await runtime.exec(containerId, cmd);
      const answer = (result.stdout + result.stderr).trim();
      if (spec.kind === 'redis' ? answer === 'PONG' : result.exitCode === 0) return clock.now() - started;
      lastSeen = answer ? `"${answer.slice(0, 120)}"` : `exit code ${result.exitCode}`;
    } catch (error) {
      if (error instanceof LabsError && error.code === 'DOCKER_UNREACHABLE') throw error;
      lastSeen = (error as Error).message;
    }
    const waited = clock.now() - started;
    if (waited >= spec.timeoutMs) {
      const what = spec.kind === 'redis' ? `did not answer PING on port ${spec.port || 6379}` : `readiness command ${cmd.join(' ')} did not succeed`;
      throw new LabsError('NOT_READY', `service ${service} ${what} within ${spec.timeoutMs} ms (waited ${waited} ms; last: ${lastSeen})`, {
        hint: `look at \`labs logs ${service}\`; on a slow machine raise readiness.timeout_ms in lab.yaml`,
      });
    }
    await clock.sleep(pollMs);
  }
}

/**
 * Whether Redis answers PING with PONG at `address` within `timeoutMs`, asked every 20 ms.
 * Cheaper than a command in the container; a published port whose container does not listen yet
 * accepts the connection and then closes it, which counts as no answer.
 */
export async function answersPing(address: { host: string; port: number }, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    if (await pingOnce(address, Math.max(50, deadline - Date.now()))) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

function pingOnce(address: { host: string; port: number }, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(address);
    let answer = '';
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG\r\n'));
    });
    socket.on('error', () => done(false));
    socket.on('close', () => done(false));
  });
}

/** Waits until a container prints a line on stdout that `matches`; NOT_READY with its last output otherwise. */
export async function waitForLine(
  runtime: ContainerRuntime,
  containerId: string,
  what: string,
  matches: (text: string) => boolean,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const following = new AbortController();
  const timer = setTimeout(() => following.abort(), timeoutMs);
  const stop = (): void => following.abort();
  signal?.addEventListener('abort', stop, { once: true });
  let seen = false;
  try {
    await runtime.followLines(
      containerId,
      (line) => {
        if (line.stream === 'stdout' && matches(line.text)) {
          seen = true;
          following.abort();
        }
      },
      { maxBytes: 64 * 1024, signal: following.signal },
    );
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', stop);
  }
  signal?.throwIfAborted();
  if (seen) return;
  const tail = await runtime.logsTail(containerId, 15);
  throw new LabsError('NOT_READY', `${what} did not get ready within ${timeoutMs / 1000} s`, {
    details: tail.trim() ? tail.trimEnd().split('\n') : [],
    hint: 'its last output is above; run `labs doctor`, then try again',
  });
}
