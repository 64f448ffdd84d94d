import { statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { isLabsError } from '../../errors.js';
import { resolveServices } from '../../lab/compose.js';
import { findLab, listLabs } from '../../lab/registry.js';
import { describeEndpoint } from '../../provision/connect.js';
import { hostAccessCheck } from '../../provision/firewall.js';
import { listSessions, isLive } from '../../provision/teardown.js';
import { type Context, writeLine } from '../context.js';

const lowDiskBytes = 2e9;

async function freeBytes(path: string): Promise<number | undefined> {
  try {
    const s = await statfs(path);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

export async function doctorCommand(ctx: Context): Promise<number> {
  const runtime = ctx.runtime();
  const ok = (s: string) => writeLine(ctx.stdout, `${ctx.style.ok('✓')} ${s}`);
  const warn = (s: string) => writeLine(ctx.stdout, `${ctx.style.warn('!')} ${s}`);
  const bad = (s: string) => writeLine(ctx.stdout, `${ctx.style.bad('✗')} ${s}`);
  let problems = 0;

  try {
    await runtime.ping();
    ok(`Docker reachable at ${describeEndpoint(runtime.endpoint)}`);
  } catch (error) {
    if (!isLabsError(error)) throw error;
    bad(error.message);
    if (error.hint) writeLine(ctx.stdout, `  → ${error.hint}`);
    return error.exitCode;
  }
  const version = await runtime.version();
  const info = await runtime.info();
  ok(`engine ${version.version} (API ${version.apiVersion}, ${version.os}/${version.arch}, storage ${info.storageDriver}, cgroup v${info.cgroupVersion})`);

  const images = new Map<string, string[]>();
  for (const summary of await listLabs()) {
    const lab = await findLab(summary.id);
    const services = await resolveServices(lab, join(lab.templatesDir, 'starter'));
    for (const service of Object.values(services)) images.set(service.image, [...(images.get(service.image) ?? []), lab.id]);
  }
  for (const [image, labs] of [...images].sort()) {
    const used = `used by ${[...new Set(labs)].join(', ')}`;
    if (await runtime.imageId(image)) ok(`image ${image} present (${used})`);
    else {
      warn(`image ${image} missing (${used}): \`labs start\` will pull it, which needs network`);
      problems += 1;
    }
  }

  for (const [what, path] of [['workspace disk', ctx.cwd], ['Docker disk', info.dockerRootDir]] as const) {
    const free = await freeBytes(path);
    if (free === undefined) continue;
    const text = `${what}: ${(free / 1e9).toFixed(1)} GB free at ${path}`;
    if (free < lowDiskBytes) {
      warn(`${text}; images and containers need a few GB`);
      problems += 1;
    } else ok(text);
  }

  const access = await hostAccessCheck(runtime.endpoint);
  if (access === 'closed') ok('checks close this host to student code (an iptables rule on each check network)');
  else {
    const why = { 'open: not root': 'labs is not running as root', 'open: remote engine': 'the engine is not on this machine', 'open: no iptables': 'iptables is not available' }[access];
    warn(`student code in checks can reach services listening on this host's bridge addresses (${why}); on Linux run grading as root to close that`);
    problems += 1;
  }

  const stale = (await listSessions(runtime)).filter((s) => !isLive(s));
  if (stale.length) {
    warn(`${stale.length} session(s) left behind by labs runs that are gone: \`labs prune\` removes them`);
    problems += 1;
  } else ok('no leftover labs sessions');

  writeLine(ctx.stdout);
  writeLine(ctx.stdout, problems ? `${problems} warning(s); labs can run, see above` : 'all good');
  return 0;
}
