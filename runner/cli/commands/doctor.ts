import { statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { isLabsError } from '../../errors.js';
import { gradingImages, resolveServices } from '../../lab/compose.js';
import { listLabs, loadLab, loadLabAt } from '../../lab/registry.js';
import type { Lab } from '../../lab/types.js';
import { describeEndpoint } from '../../provision/connect.js';
import { hostAccessCheck } from '../../provision/firewall.js';
import { type ImageClients, labClients } from '../../provision/lab-clients.js';
import { listSessions, isLive } from '../../provision/teardown.js';
import { type Context, writeLine } from '../context.js';
import { versions } from '../progress.js';

const lowDiskBytes = 2e9;

async function freeBytes(path: string): Promise<number | undefined> {
  try {
    const s = await statfs(path);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

/**
 * `labs doctor [labs...]`: Docker, the engine, the images of the given labs (ids or lab folders;
 * default every shipped lab) and the queue clients in them, disk space, host access, leftovers.
 * Returns 0 whatever it warns about (labs can still run), or a LabsError's exit code when Docker
 * is not reachable.
 */
export async function doctorCommand(ctx: Context, labArgs: readonly string[] = []): Promise<number> {
  const runtime = await ctx.runtime();
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

  const labs: Lab[] = labArgs.length
    ? await Promise.all(labArgs.map((arg) => loadLab(arg, { cwd: ctx.cwd })))
    : await Promise.all((await listLabs({ cwd: ctx.cwd })).map((summary) => loadLabAt(summary.dir, { cwd: ctx.cwd })));
  // A lab given as a folder is named as the user wrote it: an author's copy may share a shipped lab's id.
  const labName = (lab: Lab): string => labArgs[labs.indexOf(lab)] ?? lab.id;
  // A service the student's compose file builds (`build:`) has no image to look for: `labs start`
  // builds it from the workspace, and check and grade run it in the lab's runtime image, so that
  // image is the one that must be here and the one whose clients count.
  const built: string[] = [];
  const resolved = await Promise.all(
    labs.map(async (lab) => {
      const services = Object.values(await resolveServices(lab, join(lab.templatesDir, 'starter')));
      const builds = services.filter((s) => s.build !== undefined);
      if (builds.length) {
        const grading = gradingImages[lab.runtime];
        built.push(
          `${labName(lab)} (${builds.map((s) => s.name).join(', ')}): built by \`labs start\` from the workspace's Dockerfile; checks run in ${grading}`,
        );
      }
      return { lab, services: services.map((s) => (s.build === undefined ? s : { ...s, image: gradingImages[lab.runtime], build: undefined })) };
    }),
  );
  const images = new Map<string, string[]>();
  for (const { lab, services } of resolved) {
    for (const service of services) images.set(service.image, [...(images.get(service.image) ?? []), lab.id]);
  }
  for (const [image, labs] of [...images].sort()) {
    const used = `used by ${[...new Set(labs)].join(', ')}`;
    if (await runtime.imageId(image)) ok(`image ${image} present (${used})`);
    else {
      warn(`image ${image} missing (${used}): \`labs start\` will pull it, which needs network`);
      problems += 1;
    }
  }
  for (const line of built) ok(line);

  for (const { lab, images } of await labClients(runtime, resolved)) {
    for (const image of images) {
      const line = clientsLine(image);
      if (line === undefined) continue;
      const text = `${labName(lab)} (${image.services.join(', ')}): ${line.text}`;
      if (line.warning) {
        warn(text);
        problems += 1;
      } else ok(text);
    }
  }

  for (const [what, path] of [
    ['workspace disk', ctx.cwd],
    ['Docker disk', info.dockerRootDir],
  ] as const) {
    const free = await freeBytes(path);
    if (free === undefined) continue;
    const text = `${what}: ${(free / 1e9).toFixed(1)} GB free at ${path}`;
    if (free < lowDiskBytes) {
      warn(`${text}; images and containers need a few GB`);
      problems += 1;
    } else ok(text);
  }

  const access = await hostAccessCheck(runtime.endpoint);
  if (access === 'closed') ok('checks close this host to student code (iptables rules on each check network)');
  else {
    const why = {
      'open: not root': 'labs is not running as root',
      'open: remote engine': 'the engine is not on this machine',
      'open: no iptables': 'iptables is not available',
    }[access];
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

/**
 * What doctor says of one image of a lab: the versions of its queue clients and what to know about
 * them. A warning when the first start needs network, when redis-py is 8 or later without a pin,
 * or when the image cannot judge a pin.
 */
function clientsLine(image: ImageClients): { text: string; warning: boolean } | undefined {
  // A missing base image has its own warning above, and nothing to read versions from.
  if (image.status === 'base-missing') return undefined;
  if (image.error !== undefined) return { text: `cannot read the clients in ${image.probedImage}: ${image.error}`, warning: true };
  const unjudged = image.probed.filter((p) => p.state === 'unknown').map((p) => p.entry);
  const notes = [
    ...(image.status === 'prepared'
      ? []
      : image.toInstall.length === 0
        ? ["not prepared yet: the lab's first start or check prepares it without network"]
        : [`not prepared yet: the lab's first start or check installs ${image.toInstall.join(', ')}, which needs network`]),
    ...(image.unpinnedRedisPy8 === undefined
      ? []
      : [
          `redis-py ${image.unpinnedRedisPy8} and no pin in the lab: its 5 s socket timeout with retries ends an idle ` +
            `q.consume() after about a minute (TimeoutError); pin "redis>=4.2,<8" in the lab's packages`,
        ]),
    ...(unjudged.length ? [`the image cannot tell whether it satisfies ${unjudged.join(', ')}`] : []),
  ];
  const warning = image.toInstall.length > 0 || image.unpinnedRedisPy8 !== undefined || unjudged.length > 0;
  return { text: [`${versions(image.probed)} in ${image.probedImage}`, ...notes].join('; '), warning };
}
