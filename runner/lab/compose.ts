/**
 * Compose files as Compose reads them (README.md, "Compose files"), validated with
 * positions, and a compose lab's services resolved from the student's own file with the lab's
 * overlays merged in.
 */
import { dirname, join, posix } from 'node:path';
import { LabsError } from '../errors.js';
import type { Lab, Problem, ServiceOverlaySpec, ServiceSpec } from './types.js';
import { completeReadiness } from './normalise.js';
import { errorCount, formatProblem, plural, sortProblems } from './problem.js';
import { type ComposePurpose, composeKeyProblems } from './compose-keys.js';
import { type ReadSibling, composeServiceValueProblems, normaliseComposeService } from './compose-service.js';
import { composeSpecProblems } from './compose-spec.js';
import { diskFiles, type LabFiles } from './files.js';
import { serviceValueProblems } from './service-values.js';
import { parseNpmSpec, parsePipRequirement } from './package-specs.js';
import { meantSuffix } from './suggest.js';
import { parseYaml, type YamlSource } from './yaml.js';

export interface ComposeLoad {
  /** Undefined when the file has errors. */
  services: Record<string, ServiceSpec> | undefined;
  /** Errors, and warnings: the notes on keys labs ignores and on what grading would refuse. */
  problems: Problem[];
  /** The parsed file, to locate further problems (undefined when it could not be read). */
  source: YamlSource | undefined;
  /** What the file was read for: a grading replaces built services' images (see labServices). */
  purpose?: ComposePurpose;
}

export interface ComposeReadOptions {
  /** The lab's Redis service (its readiness is Redis's). */
  redisService?: string;
  /** Grading (check, grade) refuses what would open the sandbox; `start` warns (compose-keys.ts). */
  purpose?: ComposePurpose;
  /** The submission's or workspace's other files (env_file), by path relative to it. */
  read?: ReadSibling;
}

function fileProblem(file: string, message: string): Problem {
  return { file, line: 1, col: 1, path: '', message, severity: 'error' };
}

/**
 * Reads and checks a compose file. Never throws: a file that cannot be read is a problem at 1:1
 * (ENOENT: "the compose file does not exist"). Its env_file entries are read next to it.
 */
export async function loadComposeFile(file: string, options: ComposeReadOptions = {}, disk: LabFiles = diskFiles): Promise<ComposeLoad> {
  let text: string;
  try {
    text = await disk.readText(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? 'the compose file does not exist' : `cannot read the compose file (${code ?? String(error)})`;
    return { services: undefined, problems: [fileProblem(file, message)], source: undefined, purpose: options.purpose };
  }
  const dir = dirname(file);
  const read: ReadSibling = (path) => {
    try {
      return disk.readTextSync(join(dir, path));
    } catch {
      return undefined;
    }
  };
  return parseComposeFile(text, file, { read, ...options });
}

/**
 * Pure but for `options.read`: a compose file's text checked in stages (YAML; the Compose
 * Specification's schema; values labs reads further; what labs does with each key) and its
 * services normalised when there is no error. `file` is how the problems name it.
 */
export function parseComposeFile(text: string, file: string, options: ComposeReadOptions = {}): ComposeLoad {
  const { redisService = 'redis-db', purpose = 'start', read = () => undefined } = options;
  const source = parseYaml(text, file, { merge: true });
  if (source.value === undefined) return { services: undefined, problems: source.syntaxProblems, source, purpose };

  const problems = [...source.syntaxProblems, ...composeSpecProblems(source.value, source)];
  // A file may sit in a folder of the submission; its env_file entries are relative to that folder.
  const composeDir = posix.dirname(file.split('\\').join('/'));
  const relativeDir = posix.isAbsolute(composeDir) ? '.' : composeDir;
  const raw = (source.value as { services?: unknown } | null)?.services;
  const entries = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? Object.entries(raw as Record<string, unknown>) : [];
  const names = entries.map(([name]) => name);
  for (const [name, service] of entries) {
    problems.push(...serviceValueProblems(service, ['services', name], source));
    problems.push(...composeServiceValueProblems(service, ['services', name], source, relativeDir, read));
    const dependsOn = (service as { depends_on?: unknown } | null)?.depends_on;
    const needed = Array.isArray(dependsOn) ? dependsOn : dependsOn && typeof dependsOn === 'object' ? Object.keys(dependsOn) : [];
    needed.forEach((other: unknown, index) => {
      if (typeof other === 'string' && !names.includes(other)) {
        const path = Array.isArray(dependsOn) ? ['services', name, 'depends_on', index] : ['services', name, 'depends_on', other];
        problems.push(source.problem(path, `no service "${other}" in this file${meantSuffix(other, names)}`));
      }
    });
  }
  problems.push(...composeKeyProblems(source.value, source, purpose));
  const sorted = sortProblems(problems);
  if (errorCount(sorted) > 0) return { services: undefined, problems: sorted, source, purpose };
  const services: Record<string, ServiceSpec> = {};
  for (const [name, service] of entries) services[name] = normaliseComposeService(name, service, redisService, relativeDir, read);
  return { services, problems: sorted, source, purpose };
}

/** Services the lab needs by name in its compose file: Redis, every overlay, the scripts' services. */
function requiredComposeServices(lab: Pick<Lab, 'redisService' | 'services' | 'scripts'>): string[] {
  const names = [lab.redisService, ...Object.keys(lab.services)];
  for (const script of [lab.scripts.producer, lab.scripts.consumer]) if (script) names.push(script.service);
  return [...new Set(names)];
}

function missingServiceProblems(required: readonly string[], services: Record<string, unknown>, source: YamlSource, labId: string): Problem[] {
  const names = Object.keys(services);
  return required
    .filter((name) => !(name in services))
    .map((name) => source.problem(['services'], `no service "${name}", which lab ${labId} needs${meantSuffix(name, names)}`, { target: 'key' }));
}

function merge(spec: ServiceSpec, overlay: ServiceOverlaySpec | undefined, redisService: string): ServiceSpec {
  if (overlay === undefined) return spec;
  return {
    ...spec,
    // The compose file's own values win: the lab only adds what the student did not set.
    environment: { ...overlay.environment, ...spec.environment },
    packages: overlay.packages ?? spec.packages,
    // The lab's readiness wins over the file's healthcheck: the lab knows what its checks need.
    readiness: overlay.readiness === undefined ? spec.readiness : completeReadiness(overlay.readiness, spec.name === redisService),
    student: overlay.student ?? spec.student,
  };
}

/** The base image a built service is graded in, per lab runtime: the images the course's labs use (labs/<id>/lab.yaml). */
export const gradingImages: Record<Lab['runtime'], string> = { python: 'python:3.10', node: 'node:20' };

/**
 * Either the services to provision, or why a compose lab's file cannot give them: the file (the
 * lab's `compose:`, normalised: `docker-compose.yml`), `missing` when there is no such file, and its
 * problems (errors and warnings, each located in the file).
 */
export type LabServices =
  { services: Record<string, ServiceSpec>; unusable?: undefined; notes: Problem[] } | { services?: undefined; unusable: UnusableComposeFile };

export interface UnusableComposeFile {
  file: string;
  missing: boolean;
  problems: Problem[];
}

/**
 * Pure: a lab's services, and the notes (warnings) on its compose file to show with them. A lab
 * without `compose:` has its own (`compose` is ignored); a compose lab
 * takes them from its compose file as loaded (undefined: there is none), which is the student's and
 * may differ from the starter, with the lab's overlays merged in. That file cannot be used when it
 * has errors or lacks a service the lab needs.
 */
export function labServices(lab: Lab, compose: ComposeLoad | undefined): LabServices {
  if (lab.compose === undefined) {
    const services: Record<string, ServiceSpec> = {};
    for (const [name, service] of Object.entries(lab.services)) if (!('overlay' in service)) services[name] = service;
    return { services, notes: [] };
  }
  const file = posix.normalize(lab.compose);
  compose ??= { services: undefined, problems: [fileProblem(file, 'the compose file does not exist')], source: undefined };
  const problems = [...compose.problems];
  if (compose.services !== undefined && compose.source !== undefined) {
    problems.push(...missingServiceProblems(requiredComposeServices(lab), compose.services, compose.source, lab.id));
  }
  if (compose.source === undefined || compose.services === undefined || errorCount(problems) > 0) {
    return { unusable: { file, missing: compose.source === undefined, problems } };
  }
  const services: Record<string, ServiceSpec> = {};
  for (const [name, spec] of Object.entries(compose.services)) {
    const overlay = lab.services[name];
    const merged = merge(spec, overlay !== undefined && 'overlay' in overlay ? overlay : undefined, lab.redisService);
    // Grading builds nothing (a build runs the student's Dockerfile outside the sandbox's limits):
    // a built service runs in the image the lab prepares from its runtime's base, and its note says which.
    if (compose.purpose === 'grade' && merged.build !== undefined) {
      services[name] = { ...merged, image: gradingImages[lab.runtime], build: undefined };
      problems.push(builtServiceNote(compose.source, name, merged.build, describeGradingImage(gradingImages[lab.runtime], merged.packages)));
    } else services[name] = merged;
  }
  // Only warnings are left here: the notes on ignored keys, what grading would refuse.
  return { services, notes: sortProblems(problems) };
}

/**
 * The image a built service is graded in, as a student reads it: the base and the names of the
 * packages the lab installs in it (its `packages:`), e.g. `python:3.10 with hotqueue, redis, flask`.
 */
function describeGradingImage(base: string, packages: ServiceSpec['packages']): string {
  const names = [...(packages?.pip ?? []).map((entry) => parsePipRequirement(entry)), ...(packages?.npm ?? []).map((entry) => parseNpmSpec(entry))].map(
    (parsed) => (parsed.ok ? parsed.value.name : undefined),
  );
  const known = names.filter((name): name is string => name !== undefined);
  return known.length ? `${base} with ${known.join(', ')}` : base;
}

/** The warning at a built service's `build:` when grading: its Dockerfile is not built, and the image its containers run instead. */
function builtServiceNote(source: YamlSource, service: string, build: NonNullable<ServiceSpec['build']>, image: string): Problem {
  const dockerfile = posix.join(build.context, build.dockerfile ?? 'Dockerfile');
  return source.problem(
    ['services', service, 'build'],
    `${dockerfile} is not built when grading: the checks run ${service} in the lab's image instead, ${image} (what the Dockerfile adds is not there)`,
    { target: 'key', severity: 'warning' },
  );
}

/**
 * The services to provision for a lab from a workspace: its own for a lab without `compose:`;
 * otherwise those of `<workspaceDir>/<lab.compose>`, the lab's overlays merged in; `onNote` gets
 * each of that file's notes (`file:line:col path: warning: …`, relative to the workspace). Throws
 * WORKSPACE_INVALID (the file's problems as details, relative to the workspace) when that file is
 * missing or cannot be used. Grading does not come here: a submission's file is its student's
 * input, graded as failed checks (session/check.ts).
 */
export async function resolveServices(lab: Lab, workspaceDir: string, onNote?: (text: string) => void): Promise<Record<string, ServiceSpec>> {
  const file = lab.compose === undefined ? undefined : join(workspaceDir, lab.compose);
  const resolved = labServices(lab, file === undefined ? undefined : await loadComposeFile(file, { redisService: lab.redisService, purpose: 'start' }));
  if (resolved.services !== undefined) {
    for (const note of resolved.notes) onNote?.(formatProblem(note, workspaceDir));
    return resolved.services;
  }
  const { missing, problems } = resolved.unusable;
  const details = problems.map((p) => formatProblem(p, workspaceDir));
  if (missing) {
    throw new LabsError('WORKSPACE_INVALID', `${file} is missing: lab ${lab.id} takes its services from it`, {
      details,
      hint: `run \`labs start ${lab.id} --dir ${workspaceDir}\` to restore it from the starter`,
    });
  }
  throw new LabsError('WORKSPACE_INVALID', `${lab.compose} in ${workspaceDir} has ${plural(errorCount(problems), 'problem')}`, {
    details,
    hint: `fix the lines listed, or rename the file and run \`labs start ${lab.id} --dir ${workspaceDir}\` to get the starter back`,
  });
}
