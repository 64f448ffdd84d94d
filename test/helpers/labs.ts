/**
 * Runs the labs CLI as a user would (a separate process, the built bin) and observes Docker with its
 * own CLI, independently of the code under test.
 */
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa, type Options, type ResultPromise, type Result } from 'execa';
import { expect } from 'vitest';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const bin = join(repoRoot, 'bin', 'labs.js');

/** How the CLI ended: text output (`stdout`, `stderr` as strings), `exitCode`, never a rejection. */
export type LabsRun = Result<{ reject: false }>;

/** The CLI as a process; `pid` says which, for `leftBy`. */
export function labs(args: string[], options: Options & { cwd: string }): Promise<LabsRun> & { pid?: number } {
  return execa('node', [bin, ...args], { reject: false, stdin: 'ignore', ...options, env: { NO_COLOR: '1', ...options.env } }) as Promise<LabsRun> & {
    pid?: number;
  };
}

export async function docker(args: string[]): Promise<string> {
  const { stdout } = await execa('docker', args);
  return stdout.trim();
}

export type ResourceKind = 'container' | 'network' | 'volume';

/** Names of labs resources carrying a label filter such as labs.workspace=/tmp/x. */
export async function labelled(kind: ResourceKind, filter: string): Promise<string[]> {
  const args =
    kind === 'container'
      ? ['ps', '-a', '--filter', `label=${filter}`, '--format', '{{.Names}}']
      : [kind, 'ls', '--filter', `label=${filter}`, '--format', '{{.Name}}'];
  const out = await docker(args);
  return out ? out.split('\n').sort() : [];
}

export async function allLabelled(filter: string): Promise<Record<ResourceKind, string[]>> {
  return {
    container: await labelled('container', filter),
    network: await labelled('network', filter),
    volume: await labelled('volume', filter),
  };
}

export const nothing = { container: [], network: [], volume: [] };

/**
 * What the labs processes with these pids left on the engine: every resource carries its owner's
 * host:pid (runner/provision/labels.ts). Tests run side by side on one engine, so "nothing is left
 * behind" is asked of the process under test, not of every labs resource there is.
 */
export async function leftBy(...pids: (number | undefined)[]): Promise<Record<ResourceKind, string[]>> {
  const left: Record<ResourceKind, string[]> = { container: [], network: [], volume: [] };
  for (const pid of pids) {
    if (pid === undefined) throw new Error('leftBy: a process without a pid (it did not start)');
    const found = await allLabelled(`labs.owner=${hostname()}:${pid}`);
    for (const kind of Object.keys(left) as ResourceKind[]) left[kind].push(...found[kind]);
  }
  return left;
}

export async function tempDir(prefix = 'labs-test-'): Promise<string> {
  // realpath: workspaces are labelled with their real path (macOS /tmp is a symlink, say).
  return realpath(await mkdtemp(join(tmpdir(), prefix)));
}

/** Removes whatever a test left labelled with its workspace, even when the test failed. */
export async function sweep(workspace: string): Promise<void> {
  const filter = `labs.workspace=${workspace}`;
  const { container, network, volume } = await allLabelled(filter);
  if (container.length) await execa('docker', ['rm', '-f', '-v', ...container], { reject: false });
  if (network.length) await execa('docker', ['network', 'rm', ...network], { reject: false });
  if (volume.length) await execa('docker', ['volume', 'rm', ...volume], { reject: false });
  await rm(workspace, { recursive: true, force: true });
}

export interface TerminalRun {
  child: ResultPromise;
  /** Everything drawn so far, escapes included. */
  screen: () => string;
  /** Waits until the screen matches. */
  shown: (pattern: RegExp, timeoutMs?: number) => Promise<void>;
}

/**
 * The arguments of script(1) that run the CLI on a pseudo-terminal; `args` are words without spaces.
 * script runs `$SHELL -c`, and dash (`/bin/sh`, used when SHELL is unset, as in CI) does not exec a
 * lone command: it would stay between script and node, die of the pty's Ctrl-C and make script
 * report 130 whatever node exits with. `exec` makes node script's own child under any shell.
 */
export function scriptArgs(args: string[]): string[] {
  return ['-qec', `exec node ${bin} ${args.join(' ')}`, '/dev/null'];
}

/** The CLI on a pseudo-terminal (script(1)), as a person at a terminal runs it; `args` are words without spaces. */
export function onTerminal(args: string[], options: { cwd: string; timeoutMs?: number; env?: NodeJS.ProcessEnv }): TerminalRun {
  const child = execa('script', scriptArgs(args), {
    cwd: options.cwd,
    reject: false,
    timeout: options.timeoutMs ?? 60_000,
    env: { TERM: 'xterm', NO_COLOR: '1', ...options.env },
  });
  let screen = '';
  child.stdout!.on('data', (chunk: Buffer) => (screen += chunk.toString()));
  return {
    child,
    screen: () => screen,
    shown: async (pattern, timeoutMs = 10_000) => {
      await expect.poll(() => screen, { timeout: timeoutMs, interval: 50 }).toMatch(pattern);
    },
  };
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS's pick), for a server a test starts. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
