/**
 * Compose's `build:` in `labs start`: each built service's image made from the workspace, its output
 * shown as progress, a failed build the student's error with the step that failed. Grading never
 * comes here (lab/compose.ts runs a built service in the lab's image instead).
 */
import { readdir } from 'node:fs/promises';
import { join, posix, relative, resolve } from 'node:path';
import { LabsError } from '../errors.js';
import type { ServiceSpec } from '../lab/types.js';
import type { ContainerRuntime } from './runtime.js';
import type { SessionIdentity } from './labels.js';

export type BuildEvent = { type: 'build'; service: string; line: string } | { type: 'built'; service: string; image: string; ms: number };

/** labs's own state and version control are never part of a build's context. */
const skipped = new Set(['.labs', '.git']);

/** Every file under `dir`, relative to it with "/" (the engine applies .dockerignore to these). */
export async function contextFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      if (skipped.has(entry.name)) continue;
      const full = join(folder, entry.name);
      if (entry.isDirectory()) await walk(full);
      else files.push(relative(dir, full).split('\\').join('/'));
    }
  };
  await walk(dir);
  return files.sort();
}

/** The tag a service's build gets: its `image:` (Compose tags the build with it), else one per lab and service. */
export function buildTag(identity: Pick<SessionIdentity, 'lab'>, service: ServiceSpec): string {
  return service.image.startsWith('labs-build/') ? `labs-build/${identity.lab}-${service.name}` : service.image;
}

const shownLines = 20;

/**
 * Builds every service that has `build:`, one after another (two cores; builds compete), and
 * returns the services with their images replaced by the built tags. Throws WORKSPACE_INVALID when
 * a build fails (the message names the service and the failing step; details: the build's last
 * lines) or its context folder is missing.
 */
export async function buildServices(
  runtime: ContainerRuntime,
  services: readonly ServiceSpec[],
  workspaceDir: string,
  identity: SessionIdentity,
  onEvent: (event: BuildEvent) => void,
): Promise<ServiceSpec[]> {
  const result: ServiceSpec[] = [];
  for (const service of services) {
    if (service.build === undefined) {
      result.push(service);
      continue;
    }
    const contextDir = resolve(workspaceDir, service.build.context);
    const files = await contextFiles(contextDir).catch((error: NodeJS.ErrnoException) => {
      throw new LabsError(
        'WORKSPACE_INVALID',
        `cannot build ${service.name}: its build context ${service.build?.context} cannot be read (${error.code ?? error.message})`,
        {
          hint: 'make build: (or build.context:) name a folder in your workspace, like . or ./api',
        },
      );
    });
    const tag = buildTag(identity, service);
    const started = Date.now();
    const tail: string[] = [];
    const outcome = await runtime.buildImage(
      {
        contextDir,
        files,
        dockerfile: service.build.dockerfile === undefined ? undefined : posix.normalize(service.build.dockerfile),
        tag,
      },
      (line) => {
        tail.push(line);
        if (tail.length > shownLines) tail.shift();
        onEvent({ type: 'build', service: service.name, line });
      },
    );
    if (!outcome.ok) {
      const at = outcome.step === undefined ? '' : ` at ${outcome.step}`;
      throw new LabsError('WORKSPACE_INVALID', `building ${service.name} failed${at}: ${outcome.error}`, {
        details: tail,
        hint: `fix the Dockerfile of ${service.name} (${posix.join(service.build.context, service.build.dockerfile ?? 'Dockerfile')}), then run labs start again; \`docker build ${service.build.context}\` shows the same`,
      });
    }
    onEvent({ type: 'built', service: service.name, image: tag, ms: Date.now() - started });
    result.push({ ...service, image: tag });
  }
  return result;
}
