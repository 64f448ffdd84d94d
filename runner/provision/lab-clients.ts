/**
 * Which queue clients a lab's scripts get: for each image its student services run, the versions
 * of hotqueue and redis-py (Python labs) or ioredis (Node.js labs) that `labs start` would give
 * them, for `labs doctor`. Read-only and offline: it never pulls, installs or prepares; an image
 * not prepared yet is probed as it is, and what preparing it would install is named.
 */
import { major, valid } from '@renovatebot/pep440';
import { isLabsError } from '../errors.js';
import { parseNpmSpec, parsePipRequirement } from '../lab/package-specs.js';
import type { Lab, ServiceSpec } from '../lab/types.js';
import type { ContainerRuntime } from './runtime.js';
import { type Packages, type ProbedPackage, preparedRepo, preparedTag, probePackages } from './images.js';
import { toInstall } from './package-probe.js';

/** One image of a lab: the student services that run it with the same packages. */
export interface ImageClients {
  /** The lab's services that run it, e.g. ["python1", "python2"]. */
  services: string[];
  /** The base image as the lab or its compose file names it. */
  image: string;
  /** The lab's entries for these services, as written. */
  packages: Packages;
  /**
   * `prepared`: the image `labs start` runs exists (the prepared one, or the base when the lab
   * installs nothing); `not-prepared`: the base is there, the prepared image not yet;
   * `base-missing`: the base image is not on this engine (`labs start` would pull it).
   */
  status: 'prepared' | 'not-prepared' | 'base-missing';
  /** The image probed: the prepared one, or the base when not prepared; undefined when the base is missing. */
  probedImage: string | undefined;
  /** The lab's entries, then the runtime's clients the lab does not name, as found in `probedImage`. */
  probed: ProbedPackage[];
  /** When not prepared: the entries `labs start` would install, which needs network. */
  toInstall: string[];
  /** The installed redis-py version when it is 8 or later and the lab does not pin redis. */
  unpinnedRedisPy8: string | undefined;
  /** Why the probe could not run (a LabsError's message), if it could not. */
  error: string | undefined;
}

export interface LabClients {
  lab: Lab;
  images: ImageClients[];
}

/** The clients each runtime's scripts use: the course's hotqueue over redis-py, or ioredis. */
const runtimeClients: Record<Lab['runtime'], Packages> = {
  python: { pip: ['hotqueue', 'redis'], npm: [] },
  node: { pip: [], npm: ['ioredis'] },
};

/** PEP 503's normal form of a distribution name: "Hot_Queue" and "hot-queue" are one. */
const normalName = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, '-');
const pipNameOf = (entry: string): string | undefined => {
  const parsed = parsePipRequirement(entry);
  return parsed.ok ? normalName(parsed.value.name) : undefined;
};
const npmNameOf = (entry: string): string | undefined => {
  const parsed = parseNpmSpec(entry);
  return parsed.ok ? parsed.value.name : undefined;
};

/** The lab's entries plus the runtime's clients it does not name (unpinned: only their version is read). */
export function entriesToProbe(runtime: Lab['runtime'], packages: Packages): Packages {
  const pipNames = new Set(packages.pip.map(pipNameOf));
  const npmNames = new Set(packages.npm.map(npmNameOf));
  const clients = runtimeClients[runtime];
  return {
    pip: [...packages.pip, ...clients.pip.filter((name) => !pipNames.has(normalName(name)))],
    npm: [...packages.npm, ...clients.npm.filter((name) => !npmNames.has(name))],
  };
}

/**
 * The redis-py version when it is 8 or later (pre-releases of 8 included) and the lab gives no
 * version specifier for redis: redis-py 8's default 5 s socket timeout with retries cuts a blocking
 * pop that waits with no timeout, so an idle `q.consume()` dies after about a minute.
 */
export function unpinnedRedisPy8(packages: Packages, probed: readonly ProbedPackage[]): string | undefined {
  const redis = probed.find((p) => p.manager === 'pip' && normalName(p.name) === 'redis');
  const installed = redis?.installed;
  if (installed === undefined || valid(installed) === null || major(installed) < 8) return undefined;
  const pinned = packages.pip.some((entry) => {
    const parsed = parsePipRequirement(entry);
    return parsed.ok && normalName(parsed.value.name) === 'redis' && parsed.value.specifier !== '';
  });
  return pinned ? undefined : installed;
}

async function imageClients(runtime: ContainerRuntime, labRuntime: Lab['runtime'], image: string, packages: Packages): Promise<Omit<ImageClients, 'services'>> {
  const result = { image, packages, probed: [], toInstall: [], unpinnedRedisPy8: undefined, error: undefined };
  const baseId = await runtime.imageId(image);
  if (baseId === undefined) return { ...result, status: 'base-missing', probedImage: undefined };
  const installs = packages.pip.length + packages.npm.length > 0;
  const prepared = installs ? `${preparedRepo}:${preparedTag(baseId, packages)}` : image;
  const isPrepared = !installs || (await runtime.imageId(prepared)) !== undefined;
  const probedImage = isPrepared ? prepared : image;
  const status = isPrepared ? 'prepared' : 'not-prepared';
  try {
    const { probed } = await probePackages(runtime, probedImage, entriesToProbe(labRuntime, packages));
    // Only the lab's own entries are installed; the runtime's clients it does not name are only read.
    const needed = toInstall(probed.filter((p) => packages.pip.includes(p.entry) || packages.npm.includes(p.entry)));
    return {
      ...result,
      status,
      probedImage,
      probed,
      toInstall: isPrepared ? [] : [...needed.pip, ...needed.npm],
      unpinnedRedisPy8: unpinnedRedisPy8(packages, probed),
    };
  } catch (error) {
    if (!isLabsError(error)) throw error;
    return { ...result, status, probedImage, error: error.message };
  }
}

/**
 * For each lab with its resolved services, the clients of each image its student services run;
 * an image shared by several services or labs with the same packages is probed once. Throws only
 * what is not a LabsError (a bug); a probe that fails is reported in `error`.
 */
export async function labClients(runtime: ContainerRuntime, labs: readonly { lab: Lab; services: readonly ServiceSpec[] }[]): Promise<LabClients[]> {
  const probes = new Map<string, Promise<Omit<ImageClients, 'services'>>>();
  const result: LabClients[] = [];
  for (const { lab, services } of labs) {
    const groups = new Map<string, { image: string; packages: Packages; services: string[] }>();
    for (const service of services.filter((s) => s.student)) {
      const key = JSON.stringify([service.image, service.packages]);
      const group = groups.get(key) ?? { image: service.image, packages: service.packages, services: [] };
      group.services.push(service.name);
      groups.set(key, group);
    }
    const images: ImageClients[] = [];
    for (const group of groups.values()) {
      const key = JSON.stringify([lab.runtime, group.image, group.packages]);
      if (!probes.has(key)) probes.set(key, imageClients(runtime, lab.runtime, group.image, group.packages));
      images.push({ services: group.services, ...(await probes.get(key)!) });
    }
    result.push({ lab, images });
  }
  return result;
}
