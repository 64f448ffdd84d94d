import { prune } from '../../provision/teardown.js';
import { type Context, writeLine } from '../context.js';

export async function pruneCommand(ctx: Context, opts: { all?: boolean }): Promise<number> {
  const result = await prune(ctx.runtime(), { all: Boolean(opts.all) });
  for (const s of result.removed) writeLine(ctx.stdout, `${ctx.style.ok('✓')} removed ${s.mode} session ${s.session} (${s.lab})`);
  const t = result.totals;
  writeLine(ctx.stdout, `removed ${t.containers} container(s), ${t.networks} network(s), ${t.volumes} volume(s) from ${result.removed.length} session(s)`);
  if (result.kept.length) {
    writeLine(ctx.stdout, ctx.style.dim(`kept ${result.kept.length} live session(s): ${result.kept.map((s) => `${s.lab} (${s.mode}${s.workspace ? ` in ${s.workspace}` : ''})`).join(', ')}; --all removes them too`));
  }
  return 0;
}
