import { Writable } from 'node:stream';
import { LabsError } from '../../errors.js';
import { didYouMean } from '../../lab/suggest.js';
import { workspaceStatus } from '../../workspace/workspace.js';
import type { Context } from '../context.js';

/** Prefixes each line with the service name, as `docker compose logs` does. */
function prefixed(target: Writable, prefix: string): Writable {
  let partial = '';
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const text = partial + chunk.toString('utf8');
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) target.write(`${prefix}${line}\n`);
      callback();
    },
    final(callback) {
      if (partial) target.write(`${prefix}${partial}\n`);
      callback();
    },
  });
}

export async function logsCommand(ctx: Context, service: string | undefined, opts: { dir?: string; follow?: boolean; tail?: number }): Promise<number> {
  const runtime = await ctx.runtime();
  const status = await workspaceStatus(runtime, { dir: opts.dir, cwd: ctx.cwd });
  const known = status.services.map((s) => s.service);
  if (service && !known.includes(service)) {
    throw new LabsError('SERVICE_UNKNOWN', `${status.lab.id} has no service "${service}"`, {
      hint: `${didYouMean(service, known)}services: ${known.join(', ')}`,
    });
  }
  const chosen = status.services.filter((s) => s.container && (!service || s.service === service));
  if (chosen.length === 0) {
    throw new LabsError('NOT_RUNNING', `${status.lab.id} has no containers in ${status.workspace.dir}`, { hint: `run \`labs start ${status.lab.id}\`` });
  }
  const width = Math.max(...chosen.map((s) => s.service.length));
  await Promise.all(
    chosen.map(async (s) => {
      const prefix = chosen.length > 1 ? `${ctx.style.dim(s.service.padEnd(width))} | ` : '';
      const out = prefix ? prefixed(ctx.stdout, prefix) : ctx.stdout;
      const err = prefix ? prefixed(ctx.stderr, prefix) : ctx.stderr;
      await runtime.streamLogs(s.container!.id, out, err, { follow: Boolean(opts.follow), tail: opts.tail, signal: ctx.signal });
      if (prefix) {
        out.end();
        err.end();
      }
    }),
  );
  return 0;
}
