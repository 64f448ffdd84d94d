import { serviceContainer } from '../../workspace/workspace.js';
import type { Context } from '../context.js';

/** Prefers bash, as `docker exec -it … /bin/bash` does in the course, and falls back to sh. */
const shellArgv = ['/bin/sh', '-c', 'if command -v bash >/dev/null 2>&1; then exec bash; else exec sh; fi'];

export async function shellCommand(ctx: Context, service: string, opts: { dir?: string }): Promise<number> {
  const runtime = await ctx.runtime();
  const { container } = await serviceContainer(runtime, { dir: opts.dir, cwd: ctx.cwd, service });
  const tty = Boolean(ctx.stdin.isTTY && ctx.stdout.isTTY);
  const size = () => ({ rows: ctx.stdout.rows ?? 24, columns: ctx.stdout.columns ?? 80 });
  const session = await runtime.execAttached(container.id, shellArgv, {
    tty,
    stdin: ctx.stdin,
    stdout: ctx.stdout,
    stderr: ctx.stderr,
    env: tty ? { TERM: ctx.env.TERM ?? 'xterm' } : undefined,
    size: tty ? size() : undefined,
  });
  const onResize = (): void => void session.resize(size().rows, size().columns);
  if (tty) {
    ctx.stdin.setRawMode?.(true);
    ctx.stdout.on('resize', onResize);
  }
  ctx.stdin.resume();
  try {
    return await session.wait;
  } finally {
    if (tty) {
      ctx.stdout.off('resize', onResize);
      ctx.stdin.setRawMode?.(false);
    }
    ctx.stdin.pause();
  }
}

export async function execCommand(ctx: Context, service: string, command: string[], opts: { dir?: string }): Promise<number> {
  const runtime = await ctx.runtime();
  const { container } = await serviceContainer(runtime, { dir: opts.dir, cwd: ctx.cwd, service });
  const session = await runtime.execAttached(container.id, command, {
    tty: false,
    stdout: ctx.stdout,
    stderr: ctx.stderr,
    signal: ctx.signal,
  });
  return session.wait;
}
