import { prune } from '../../provision/teardown.js';
import { type Context, writeLine } from '../context.js';

export async function pruneCommand(ctx: Context, opts: { all?: boolean }): Promise<number> {
  const result = await prune(await ctx.runtime(), { all: Boolean(opts.all) });
  for (const s of result.removed) writeLine(ctx.stdout, `${ctx.style.ok('✓')} removed ${s.mode} session ${s.session} (${s.lab})`);
  const t = result.totals;
  writeLine(ctx.stdout, `removed ${t.containers} container(s), ${t.networks} network(s), ${t.volumes} volume(s) from ${result.removed.length} session(s)`);
  if (result.kept.length) {
    writeLine(
      ctx.stdout,
      ctx.style.dim(
        `kept ${result.kept.length} live session(s): ${result.kept.map((s) => `${s.lab} (${s.mode}${s.workspace ? ` in ${s.workspace}` : ''})`).join(', ')}; --all removes them too`,
      ),
    );
  }
  for (const f of result.failed) {
    writeLine(ctx.stderr, `${ctx.style.bad('✗')} could not remove all of ${f.info.mode} session ${f.info.session} (${f.info.lab}): ${f.error}`);
  }
  if (result.failed.length) {
    writeLine(ctx.stderr, 'the engine keeps a network with an endpoint of a container that is gone: restarting the Docker engine drops it');
    return 3;
  }
  return 0;
}
