import { listLabs } from '../../lab/catalog.js';
import { type Context, table, writeLine } from '../context.js';

export async function listCommand(ctx: Context): Promise<number> {
  const labs = await listLabs();
  for (const line of table([['LAB', 'TITLE'], ...labs.map((l) => [ctx.style.bold(l.id), l.title])])) writeLine(ctx.stdout, line);
  writeLine(ctx.stdout);
  writeLine(ctx.stdout, ctx.style.dim('Start one with: labs start <lab>'));
  return 0;
}
