import { cacheDir, cachedByInputs } from '../../lab/cache.js';
import { labsRoot } from '../../paths.js';
import { type Context, table, writeLine } from '../context.js';

export async function listCommand(ctx: Context): Promise<number> {
  // The catalog (and the YAML parser) is loaded only when the cache cannot answer (lab/cache.ts).
  const labs = await cachedByInputs('list', { root: labsRoot }, async (files) => (await import('../../lab/catalog.js')).listLabs(labsRoot, files), {
    dir: cacheDir(ctx.env),
  });
  for (const line of table([['LAB', 'TITLE'], ...labs.map((l) => [ctx.style.bold(l.id), l.title])])) writeLine(ctx.stdout, line);
  writeLine(ctx.stdout);
  writeLine(ctx.stdout, ctx.style.dim('Start one with: labs start <lab>'));
  return 0;
}
