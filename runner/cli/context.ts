/**
 * Everything a command touches outside itself, passed in (no globals): streams, environment,
 * working directory, the Docker runtime factory, the interrupt signal and the hard exit.
 */
import type { Readable, Writable } from 'node:stream';
import type { ContainerRuntime } from '../provision/runtime.js';

export interface Io {
  stdin: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout: Writable & { isTTY?: boolean; columns?: number; rows?: number };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Ends the process at once: only for the second Ctrl-C. */
  exit: (code: number) => never;
}

export interface Context extends Io {
  /**
   * The Docker runtime, made on the first call and shared after; its module (and dockerode) is
   * imported only then, so that commands without Docker start fast.
   */
  runtime: () => Promise<ContainerRuntime>;
  /** Aborted by the first Ctrl-C. */
  signal: AbortSignal;
  style: Style;
}

export interface Style {
  ok: (s: string) => string;
  bad: (s: string) => string;
  warn: (s: string) => string;
  dim: (s: string) => string;
  bold: (s: string) => string;
}

export function makeStyle(enabled: boolean): Style {
  const wrap = (open: number, close: number) => (s: string) => (enabled ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  return { ok: wrap(32, 39), bad: wrap(31, 39), warn: wrap(33, 39), dim: wrap(2, 22), bold: wrap(1, 22) };
}

export function makeContext(io: Io, signal: AbortSignal): Context {
  const color = Boolean(io.stdout.isTTY) && !io.env.NO_COLOR && io.env.TERM !== 'dumb';
  let runtime: Promise<ContainerRuntime> | undefined;
  const makeRuntime = async (): Promise<ContainerRuntime> => {
    const [{ DockerRuntime }, { resolveDockerEndpoint }] = await Promise.all([import('../provision/docker.js'), import('../provision/connect.js')]);
    return new DockerRuntime(resolveDockerEndpoint({ env: io.env }));
  };
  return {
    ...io,
    signal,
    style: makeStyle(color),
    runtime: () => (runtime ??= makeRuntime()),
  };
}

export function writeLine(stream: Writable, line = ''): void {
  stream.write(`${line}\n`);
}

/** Columns padded to the widest cell; the last column is left ragged. */
export function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell))));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - visibleLength(cell))))
      .join('  ')
      .trimEnd(),
  );
}

function visibleLength(s: string): number {
  return s.replace(/\u001b\[[0-9;]*m/g, '').length;
}
