import type { ContainerSummary } from '../../provision/runtime.js';
import { Label } from '../../provision/labels.js';
import { workspaceStatus } from '../../workspace/workspace.js';
import { type Context, table, writeLine } from '../context.js';

export function serviceRows(ctx: Context, services: string[], containers: ContainerSummary[]): string[] {
  const rows = [['SERVICE', 'STATE', 'CONTAINER', 'PORTS']];
  for (const service of services) {
    const c = containers.find((x) => x.labels[Label.service] === service);
    const state = c ? (c.state === 'running' ? ctx.style.ok(c.state) : ctx.style.warn(c.state)) : ctx.style.dim('not created');
    const ports = c?.ports.map((p) => `${p.hostIp || '127.0.0.1'}:${p.hostPort}->${p.containerPort}`).join(', ') ?? '';
    rows.push([service, state, c?.name ?? '', ports]);
  }
  return table(rows);
}

export async function statusCommand(ctx: Context, opts: { dir?: string }): Promise<number> {
  const status = await workspaceStatus(await ctx.runtime(), { dir: opts.dir, cwd: ctx.cwd });
  writeLine(ctx.stdout, `${ctx.style.bold(status.lab.id)} in ${status.workspace.dir}${status.session ? ` (session ${status.session})` : ' (not started)'}`);
  const containers = status.services.flatMap((s) => (s.container ? [s.container] : []));
  for (const line of serviceRows(
    ctx,
    status.services.map((s) => s.service),
    containers,
  ))
    writeLine(ctx.stdout, `  ${line}`);
  if (!status.session) writeLine(ctx.stdout, ctx.style.dim(`  start it with: labs start ${status.lab.id}`));
  return 0;
}
