/**
 * Images: a present image is used, a missing one is pulled with progress; packages a lab installs
 * are baked once into a prepared image, cached by a hash of the base image and the package entries
 * (version specifiers included, so a changed pin makes a new image). Only what is missing or does
 * not satisfy its specifier is installed, so a base image that already has everything needs no
 * network.
 */
import { createHash } from 'node:crypto';
import { LabsError } from '../errors.js';
import type { ContainerRuntime, PullProgress } from './runtime.js';
import { Label, currentOwner } from './labels.js';
import { type Packages, type ProbedPackage, packageProbeScript, readProbe, toInstall } from './package-probe.js';
import { shellQuote } from './shell-quote.js';

export type { Packages, ProbedPackage } from './package-probe.js';

export type ImageEvent =
  | { type: 'pull'; image: string; progress: PullProgress }
  | { type: 'pulled'; image: string }
  /** `missing`: the entries to install; `probed`: what the base image has of each entry. */
  | { type: 'prepare'; image: string; missing: string[]; probed: ProbedPackage[] }
  | { type: 'prepared'; image: string; tag: string; ms: number };

/**
 * Bump when the way prepared images are made changes, so old ones are not reused. 2: the probe
 * checks that the installed version satisfies the entry's specifier, not only that it is there.
 */
const recipeVersion = '2';
export const preparedRepo = 'labs-prepared';

export async function ensureImage(runtime: ContainerRuntime, image: string, onEvent: (e: ImageEvent) => void = () => {}): Promise<string> {
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

/**
 * The tag of the prepared image for a base image id and a lab's package entries: 16 hex digits of a
 * hash over both, the entries as written (a changed pin is a new image) in any order.
 */
export function preparedTag(baseImageId: string, packages: Packages): string {
  const hash = createHash('sha256')
    .update(JSON.stringify({ recipeVersion, baseImageId, pip: [...packages.pip].sort(), npm: [...packages.npm].sort() }))
    .digest('hex');
  return hash.slice(0, 16);
}

/** sh that installs the entries (pip and npm as root), failing at the first installer that fails. */
export function installScript(missing: Packages): string {
  const steps: string[] = ['set -e'];
  if (missing.pip.length) steps.push(`python3 -m pip install --no-cache-dir --disable-pip-version-check -q ${missing.pip.map(shellQuote).join(' ')}`);
  if (missing.npm.length) steps.push(`npm install -g --no-audit --no-fund --loglevel=error ${missing.npm.map(shellQuote).join(' ')}`);
  return steps.join('\n');
}

/** Labels of a container that makes an image: session labels too, so that `labs prune` sweeps one a killed run left. */
export function prepareLabels(): Record<string, string> {
  return { [Label.role]: 'prepare', [Label.session]: `prepare-${process.pid}`, [Label.mode]: 'prepare', [Label.owner]: currentOwner() };
}

/**
 * What `image` has of each entry of `packages`, from one short-lived container that needs no
 * network (see package-probe.ts); `output` is what the container printed, for error details.
 */
export async function probePackages(
  runtime: ContainerRuntime,
  image: string,
  packages: Packages,
  labels: Record<string, string> = { ...prepareLabels(), 'labs.prepared.from': image },
): Promise<{ probed: ProbedPackage[]; output: string }> {
  const { output } = await runOnce(runtime, image, packageProbeScript(packages), labels);
  return { probed: readProbe(output, packages), output };
}

/**
 * The image to run for a service: the base itself when it needs no packages, else a prepared one
 * (`labs-prepared:<preparedTag>`), made once: the base tagged when it satisfies every entry, else
 * the base with what is missing or outside its specifier installed. Throws IMAGE_UNAVAILABLE (the
 * pull), IMAGE_PREPARE_FAILED (an install that failed, with the installer's words; or an entry the
 * image cannot judge).
 */
export async function prepareImage(runtime: ContainerRuntime, image: string, packages: Packages, onEvent: (e: ImageEvent) => void = () => {}): Promise<string> {
  const baseId = await ensureImage(runtime, image, onEvent);
  if (packages.pip.length === 0 && packages.npm.length === 0) return image;
  const tag = preparedTag(baseId, packages);
  const prepared = `${preparedRepo}:${tag}`;
  if (await runtime.imageId(prepared)) return prepared;

  const started = Date.now();
  const labels = { ...prepareLabels(), 'labs.prepared.from': image };
  const { probed, output } = await probePackages(runtime, image, packages, labels);
  const unknown = probed.filter((p) => p.state === 'unknown');
  if (unknown.length) throw cannotEvaluate(image, unknown, output);
  const missing = toInstall(probed);
  onEvent({ type: 'prepare', image, missing: [...missing.pip, ...missing.npm], probed });

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
      await runtime.commit(
        install.containerId,
        preparedRepo,
        tag,
        await commitChanges(runtime, image, missing, {
          [Label.role]: 'prepared',
          'labs.prepared.from': image,
          'labs.prepared.packages': [...packages.pip, ...packages.npm].join(' '),
        }),
      );
    } finally {
      await runtime.removeContainer(install.containerId);
    }
  }
  onEvent({ type: 'prepared', image, tag: prepared, ms: Date.now() - started });
  return prepared;
}

/**
 * IMAGE_PREPARE_FAILED for entries the image could not judge: a pin is never taken as satisfied
 * without a look, and installing over a version that may be right would need network for nothing.
 */
function cannotEvaluate(image: string, unknown: readonly ProbedPackage[], output: string): LabsError {
  const what = unknown.map((p) => (p.installed === undefined ? p.entry : `${p.entry} (it has ${p.name} ${p.installed})`)).join(', ');
  const reasons = [...new Set(unknown.flatMap((p) => (p.reason === undefined ? [] : [p.reason])))];
  return new LabsError('IMAGE_PREPARE_FAILED', `cannot tell whether ${image} satisfies ${what}`, {
    details: [...reasons, ...installerWords(output).filter((line) => !line.startsWith('labs-probe'))],
    hint:
      `version specifiers are checked in the image: pip entries with python3 (3.8 or later) and pip or the packaging module, ` +
      `npm entries with node; use such an image, or drop the specifier of ${unknown.map((p) => p.name).join(', ')} in the lab`,
  });
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
async function commitChanges(runtime: ContainerRuntime, image: string, missing: Packages, labels: Record<string, string>): Promise<string[]> {
  const base = await runtime.imageConfig(image);
  const changes = [`ENTRYPOINT ${JSON.stringify(base.entrypoint ?? [])}`, `CMD ${JSON.stringify(base.cmd ?? [])}`];
  if (missing.npm.length) changes.push('ENV NODE_PATH=/usr/local/lib/node_modules');
  for (const [key, value] of Object.entries(labels)) changes.push(`LABEL ${JSON.stringify(key)}=${JSON.stringify(value)}`);
  return changes;
}

async function runOnce(
  runtime: ContainerRuntime,
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
  runtime: ContainerRuntime,
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
