import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { stopWorkspace } from '../../workspace/workspace.js';
import { type Context, writeLine } from '../context.js';

export async function stopCommand(ctx: Context, opts: { dir?: string }): Promise<number> {
  const { workspace, removed } = await stopWorkspace(await ctx.runtime(), { dir: opts.dir, cwd: ctx.cwd });
  const what = `${removed.containers} container(s), ${removed.networks} network(s), ${removed.volumes} volume(s)`;
  writeLine(ctx.stdout, `${ctx.style.ok('✓')} stopped ${workspace.info.lab}: removed ${what}`);
  writeLine(
    ctx.stdout,
    ctx.style.dim(
      `  your files in ${workspace.dir}${existsSync(join(workspace.dir, 'data')) ? ' (and ./data)' : ''} are kept; \`labs start ${workspace.info.lab}\` brings it back`,
    ),
  );
  return 0;
}
