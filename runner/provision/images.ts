/**
 * Images: a present image is used, a missing one is pulled with progress; packages a lab installs
 * are baked once into a prepared image, cached by a hash of the base image and the package lists.
 * Only what is missing is installed, so a base image that already has everything needs no network.
 */
import { createHash } from 'node:crypto';
import { LabsError } from '../errors.js';
import type { DockerRuntime, PullProgress } from './docker.js';
import { Label, currentOwner } from './labels.js';

export type ImageEvent =
  | { type: 'pull'; image: string; progress: PullProgress }
  | { type: 'pulled'; image: string }
  | { type: 'prepare'; image: string; missing: string[] }
  | { type: 'prepared'; image: string; tag: string; ms: number };

export interface Packages {
  pip: string[];
  npm: string[];
}

/** Bump when the way prepared images are made changes, so old ones are not reused. */
const recipeVersion = '1';
export const preparedRepo = 'labs-prepared';

export async function ensureImage(runtime: DockerRuntime, image: string, onEvent: (e: ImageEvent) => void = () => {}): Promise<string> {
  const present = await runtime.imageId(image);
  if (present) return present;
  await runtime.pull(image, (progress) => onEvent({ type: 'pull', image, progress }));
  onEvent({ type: 'pulled', image });
  const pulled = await runtime.imageId(image);
  if (!pulled) {
    throw new LabsError('IMAGE_UNAVAILABLE', `image ${image} was pulled but the engine does not list it`, {
      hint: `run \`docker pull ${image}\` and try again`,
    });
  }
  return pulled;
}

export function preparedTag(baseImageId: string, packages: Packages): string {
  const hash = createHash('sha256')
    .update(JSON.stringify({ recipeVersion, baseImageId, pip: [...packages.pip].sort(), npm: [...packages.npm].sort() }))
    .digest('hex');
  return hash.slice(0, 16);
}

/** Distribution name from a pip requirement ("redis>=4" → "redis"). */
export function pipName(requirement: string): string {
  return requirement.split(/[<>=!~;\[\s]/)[0] ?? requirement;
}

/** Package name from an npm spec ("ioredis@5" → "ioredis", "@scope/x@1" → "@scope/x"). */
export function npmName(spec: string): string {
  const at = spec.lastIndexOf('@');
  return at > 0 ? spec.slice(0, at) : spec;
}

/**
 * A shell script that prints the packages missing from the image, one per line, prefixed by
 * "pip " or "npm ". Written for POSIX sh because images differ in what else they have.
 */
export function missingPackagesScript(packages: Packages): string {
  const lines: string[] = [];
  for (const req of packages.pip) {
    const dist = pipName(req);
    lines.push(
      `python3 -c 'import importlib.metadata as m, sys; m.version(sys.argv[1])' ${shellQuote(dist)} >/dev/null 2>&1 || echo ${shellQuote(`pip ${req}`)}`,
    );
  }
  for (const spec of packages.npm) {
    const name = npmName(spec);
    lines.push(
      `NODE_PATH="\${NODE_PATH:-/usr/local/lib/node_modules}" node -e 'require.resolve(process.argv[1])' ${shellQuote(name)} >/dev/null 2>&1 || echo ${shellQuote(`npm ${spec}`)}`,
    );
  }
  return lines.join('\n');
}

export function installScript(missing: Packages): string {
  const steps: string[] = ['set -e'];
  if (missing.pip.length) steps.push(`python3 -m pip install --no-cache-dir --disable-pip-version-check -q ${missing.pip.map(shellQuote).join(' ')}`);
  if (missing.npm.length) steps.push(`npm install -g --no-audit --no-fund --loglevel=error ${missing.npm.map(shellQuote).join(' ')}`);
  return steps.join('\n');
}

export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_.\/:=@+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Labels of a container that makes an image: session labels too, so that `labs prune` sweeps one a killed run left. */
export function prepareLabels(): Record<string, string> {
  return { [Label.role]: 'prepare', [Label.session]: `prepare-${process.pid}`, [Label.mode]: 'prepare', [Label.owner]: currentOwner() };
}

/** The image to run for a service: the base itself when it needs no packages, else a prepared one. */
export async function prepareImage(
  runtime: DockerRuntime,
  image: string,
  packages: Packages,
  onEvent: (e: ImageEvent) => void = () => {},
): Promise<string> {
  const baseId = await ensureImage(runtime, image, onEvent);
  if (packages.pip.length === 0 && packages.npm.length === 0) return image;
  const tag = preparedTag(baseId, packages);
  const prepared = `${preparedRepo}:${tag}`;
  if (await runtime.imageId(prepared)) return prepared;

  const started = Date.now();
  const labels = { ...prepareLabels(), 'labs.prepared.from': image };
  const probe = await runOnce(runtime, image, missingPackagesScript(packages), labels);
  const missing: Packages = { pip: [], npm: [] };
  for (const line of probe.output.split('\n')) {
    if (line.startsWith('pip ')) missing.pip.push(line.slice(4));
    if (line.startsWith('npm ')) missing.npm.push(line.slice(4));
  }
  onEvent({ type: 'prepare', image, missing: [...missing.pip, ...missing.npm] });

  if (missing.pip.length === 0 && missing.npm.length === 0) {
    // Nothing to install: remember that under the prepared name so the probe runs only once.
    await runtime.tagImage(image, preparedRepo, tag);
  } else {
    const install = await runOnce(runtime, image, installScript(missing), labels, { keep: true });
    try {
      if (install.exitCode !== 0) {
        throw new LabsError(
          'IMAGE_PREPARE_FAILED',
          `installing ${[...missing.pip, ...missing.npm].join(', ')} into ${image} failed (exit ${install.exitCode})`,
          {
            details: installerWords(install.output),
            hint: 'packages are installed once, with network access; check your connection (or a proxy) and run the command again',
          },
        );
      }
      await runtime.commit(install.containerId, preparedRepo, tag, await commitChanges(runtime, image, missing, {
        [Label.role]: 'prepared',
        'labs.prepared.from': image,
        'labs.prepared.packages': [...packages.pip, ...packages.npm].join(' '),
      }));
    } finally {
      await runtime.removeContainer(install.containerId);
    }
  }
  onEvent({ type: 'prepared', image, tag: prepared, ms: Date.now() - started });
  return prepared;
}

/**
 * What an installer said that matters: its error lines (pip puts the reason at the top of a long
 * explanation) and its last lines, at most a dozen in all.
 */
export function installerWords(output: string): string[] {
  const lines = output.trimEnd().split('\n');
  const errors = lines.filter((line) => /^(error|ERROR|npm ERR!|npm error)\b/.test(line)).slice(0, 6);
  const tail = lines.slice(-6).filter((line) => !errors.includes(line));
  return [...errors, ...(errors.length && tail.length ? ['…'] : []), ...tail];
}

/**
 * The install container ran `sh -c script`; a commit would keep that as the image's command, so the
 * base image's own entrypoint and command are written back. Global npm modules are only found by
 * require() through NODE_PATH, which official node images do not set.
 */
async function commitChanges(runtime: DockerRuntime, image: string, missing: Packages, labels: Record<string, string>): Promise<string[]> {
  const base = await runtime.imageConfig(image);
  const changes = [`ENTRYPOINT ${JSON.stringify(base.entrypoint ?? [])}`, `CMD ${JSON.stringify(base.cmd ?? [])}`];
  if (missing.npm.length) changes.push('ENV NODE_PATH=/usr/local/lib/node_modules');
  for (const [key, value] of Object.entries(labels)) changes.push(`LABEL ${JSON.stringify(key)}=${JSON.stringify(value)}`);
  return changes;
}

async function runOnce(
  runtime: DockerRuntime,
  image: string,
  script: string,
  labels: Record<string, string>,
  options: { keep?: boolean } = {},
): Promise<{ containerId: string; exitCode: number; output: string }> {
  const id = await runtime.createContainer({
    name: `labs-prepare-${process.pid}-${Date.now().toString(36)}`,
    image,
    entrypoint: ['/bin/sh', '-c'],
    cmd: [script],
    user: '0',
    labels,
  });
  try {
    await runtime.startContainer(id, `preparing ${image}`);
    const exitCode = await runtime.waitContainer(id);
    const output = await runtime.logsTail(id, 200);
    return { containerId: id, exitCode, output };
  } finally {
    if (!options.keep) await runtime.removeContainer(id);
  }
}

/**
 * The image of each service, prepared; the same base image with the same packages is prepared once
 * even when several services use it.
 */
export async function prepareServiceImages(
  runtime: DockerRuntime,
  services: { name: string; image: string; packages: Packages }[],
  onEvent?: (e: ImageEvent) => void,
): Promise<Record<string, string>> {
  const byKey = new Map<string, Promise<string>>();
  const result: Record<string, string> = {};
  await Promise.all(
    services.map(async (service) => {
      const key = JSON.stringify([service.image, service.packages]);
      if (!byKey.has(key)) byKey.set(key, prepareImage(runtime, service.image, service.packages, onEvent));
      result[service.name] = await byKey.get(key)!;
    }),
  );
  return result;
}
