import { relative } from 'node:path';
import { cacheDir, cachedByInputs } from '../../lab/cache.js';
import { isShippedLab, labRoots } from '../../lab/roots.js';
import { type Context, table, writeLine } from '../context.js';

export async function listCommand(ctx: Context): Promise<number> {
  // The catalog (and the YAML parser) is loaded only when the cache cannot answer (lab/cache.ts). The
  // folders of labs (a course's, found upward from here, and the shipped ones) are the key.
  const labs = await cachedByInputs(
    'list',
    { roots: await labRoots({ cwd: ctx.cwd }) },
    async (files) => (await import('../../lab/catalog.js')).listLabs({ cwd: ctx.cwd }, files),
    { dir: cacheDir(ctx.env) },
  );
  // A course's own lab is marked with its folder, so that one hiding a shipped lab of its id is seen.
  const where = (dir: string, hides: string | undefined): string =>
    isShippedLab(dir) ? '' : ctx.style.dim(` (${relative(ctx.cwd, dir) || '.'}${hides === undefined ? '' : ', hides the shipped one'})`);
  for (const line of table([['LAB', 'TITLE'], ...labs.map((l) => [ctx.style.bold(l.id), `${l.title}${where(l.dir, l.hides)}`])])) writeLine(ctx.stdout, line);
  writeLine(ctx.stdout);
  writeLine(ctx.stdout, ctx.style.dim('Start one with: labs start <lab>'));
  return 0;
}
