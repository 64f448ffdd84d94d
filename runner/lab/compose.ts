/**
 * Compose files: the documented subset labs reads (README.md, "Writing a lab"), validated with positions, and a
 * compose lab's services resolved from the student's own file with the lab's overlays merged in.
 */
import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { LabsError } from '../errors.js';
import { composeFileSchema } from './schema.js';
import type { Lab, Problem, ServiceOverlaySpec, ServiceSpec } from './types.js';
import { completeReadiness, normaliseService } from './normalise.js';
import { errorCount, formatProblem, plural } from './problem.js';
import { checkSchema } from './schema-problems.js';
import { serviceValueProblems } from './service-values.js';
import { meantSuffix } from './suggest.js';
import { parseYaml, type YamlSource } from './yaml.js';

export interface ComposeLoad {
  /** Undefined when the file has errors. */
  services: Record<string, ServiceSpec> | undefined;
  problems: Problem[];
  /** The parsed file, to locate further problems (undefined when it could not be read). */
  source: YamlSource | undefined;
}

function composeUnknownKey(key: string, known: readonly string[]): string {
  const suggestion = meantSuffix(key, known);
  return suggestion === '' ? `unknown key "${key}": labs supports ${known.join(', ')}` : `unknown key "${key}"${suggestion}`;
}

function fileProblem(file: string, message: string): Problem {
  return { file, line: 1, col: 1, path: '', message, severity: 'error' };
}

/**
 * Reads and checks a compose file. Never throws: a file that cannot be read is a problem at 1:1
 * (ENOENT: "the compose file does not exist").
 */
export async function loadComposeFile(file: string, redisService = 'redis-db'): Promise<ComposeLoad> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? 'the compose file does not exist' : `cannot read the compose file (${code ?? String(error)})`;
    return { services: undefined, problems: [fileProblem(file, message)], source: undefined };
  }
  return parseComposeFile(text, file, redisService);
}

/** Pure: a compose file's text checked as loadComposeFile does; `file` is how the problems name it. */
export function parseComposeFile(text: string, file: string, redisService = 'redis-db'): ComposeLoad {
  const source = parseYaml(text, file);
  if (source.value === undefined) return { services: undefined, problems: source.syntaxProblems, source };

  const { data, problems } = checkSchema(composeFileSchema, source.value, source, { unknownKey: composeUnknownKey });
  problems.push(...source.syntaxProblems);
  const raw = (source.value as { services?: unknown } | null)?.services;
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    const names = Object.keys(raw);
    for (const [name, service] of Object.entries(raw as Record<string, unknown>)) {
      problems.push(...serviceValueProblems(service, ['services', name], source));
      const dependsOn = (service as { depends_on?: unknown } | null)?.depends_on;
      const needed = Array.isArray(dependsOn) ? dependsOn : dependsOn && typeof dependsOn === 'object' ? Object.keys(dependsOn) : [];
      needed.forEach((other: unknown, index) => {
        if (typeof other === 'string' && !names.includes(other)) {
          const path = Array.isArray(dependsOn) ? ['services', name, 'depends_on', index] : ['services', name, 'depends_on', other];
          problems.push(source.problem(path, `no service "${other}" in this file${meantSuffix(other, names)}`));
        }
      });
    }
  }
  if (data === undefined || errorCount(problems) > 0) return { services: undefined, problems, source };
  const services: Record<string, ServiceSpec> = {};
  for (const [name, service] of Object.entries(data.services)) services[name] = normaliseService(name, service, redisService);
  return { services, problems, source };
}

/** Services the lab needs by name in its compose file: Redis, every overlay, the scripts' services. */
export function requiredComposeServices(lab: Pick<Lab, 'redisService' | 'services' | 'scripts'>): string[] {
  const names = [lab.redisService, ...Object.keys(lab.services)];
  for (const script of [lab.scripts.producer, lab.scripts.consumer]) if (script) names.push(script.service);
  return [...new Set(names)];
}

export function missingServiceProblems(
  required: readonly string[],
  services: Record<string, unknown>,
  source: YamlSource,
  labId: string,
): Problem[] {
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
    readiness: completeReadiness(overlay.readiness, spec.name === redisService),
    student: overlay.student ?? spec.student,
  };
}

/**
 * Either the services to provision, or why a compose lab's file cannot give them: the file (the
 * lab's `compose:`, normalised: `docker-compose.yml`), `missing` when there is no such file, and its
 * problems (errors and warnings, each located in the file).
 */
export type LabServices =
  | { services: Record<string, ServiceSpec>; unusable?: undefined }
  | { services?: undefined; unusable: UnusableComposeFile };

export interface UnusableComposeFile {
  file: string;
  missing: boolean;
  problems: Problem[];
}

/**
 * Pure: a lab's services. A lab without `compose:` has its own (`compose` is ignored); a compose lab
 * takes them from its compose file as loaded (undefined: there is none), which is the student's and
 * may differ from the starter, with the lab's overlays merged in. That file cannot be used when it
 * has errors or lacks a service the lab needs.
 */
export function labServices(lab: Lab, compose: ComposeLoad | undefined): LabServices {
  if (lab.compose === undefined) {
    const services: Record<string, ServiceSpec> = {};
    for (const [name, service] of Object.entries(lab.services)) if (!('overlay' in service)) services[name] = service;
    return { services };
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
    services[name] = merge(spec, overlay !== undefined && 'overlay' in overlay ? overlay : undefined, lab.redisService);
  }
  return { services };
}

/**
 * The services to provision for a lab from a workspace: its own for a lab without `compose:`;
 * otherwise those of `<workspaceDir>/<lab.compose>`, the lab's overlays merged in. Throws
 * WORKSPACE_INVALID (the file's problems as details, relative to the workspace) when that file is
 * missing or cannot be used. Grading does not come here: a submission's file is its student's
 * input, graded as failed checks (session/check.ts).
 */
export async function resolveServices(lab: Lab, workspaceDir: string): Promise<Record<string, ServiceSpec>> {
  const file = lab.compose === undefined ? undefined : join(workspaceDir, lab.compose);
  const resolved = labServices(lab, file === undefined ? undefined : await loadComposeFile(file, lab.redisService));
  if (resolved.services !== undefined) return resolved.services;
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
