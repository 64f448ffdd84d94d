/**
 * Schema output → `Lab`: every shape the YAML allows (string or argv, map or list, "6379:6379")
 * is resolved here once, so provisioning and checks read one form. Runs only on validated input.
 */
import type { ComposeService, LabInput, LabServiceInput, Readiness, ServiceOverlay } from './schema.js';
import type { Lab, ReadinessSpec, ServiceOverlaySpec, ServiceSpec } from './types.js';
import { toEnvironment } from './environment.js';
import { unwrap } from './parsed.js';
import { parsePort } from './ports.js';
import { toArgv } from './shell-words.js';
import { parseVolume } from './volumes.js';

const readinessTimeoutMs = 30_000;
const redisPort = 6379;

export interface LabLocation {
  dir: string;
  file: string;
  templatesDir: string;
}

/** Redis answers PING on 6379; any other service is ready once its container runs. */
export function completeReadiness(given: Partial<ReadinessSpec> | undefined, isRedis: boolean): ReadinessSpec {
  const kind = given?.kind ?? (isRedis ? 'redis' : 'running');
  return {
    kind,
    port: given?.port ?? (kind === 'redis' ? redisPort : 0),
    command: given?.command,
    timeoutMs: given?.timeoutMs ?? readinessTimeoutMs,
  };
}

function partialReadiness(readiness: Readiness | undefined): Partial<ReadinessSpec> | undefined {
  if (readiness === undefined) return undefined;
  const partial: Partial<ReadinessSpec> = { kind: readiness.kind };
  if (readiness.port !== undefined) partial.port = readiness.port;
  if (readiness.command !== undefined) partial.command = readiness.command;
  if (readiness.timeout_ms !== undefined) partial.timeoutMs = readiness.timeout_ms;
  return partial;
}

/** The student contract: REDIS_IP holds the Redis service's name, unless the lab sets it itself. */
function withRedisIp(environment: Record<string, string>, redisService: string): Record<string, string> {
  return { REDIS_IP: redisService, ...environment };
}

/** A service written in full: a lab.yaml service of a lab without `compose:`, or a compose file's service. */
export function normaliseService(name: string, input: LabServiceInput | ComposeService, redisService: string): ServiceSpec {
  const extras: Partial<LabServiceInput> = input;
  const student = extras.student ?? false;
  const environment = toEnvironment(input.environment);
  const dependsOn = input.depends_on;
  return {
    name,
    image: input.image,
    command: input.command === undefined ? undefined : unwrap(toArgv(input.command), `services.${name}.command`),
    entrypoint: input.entrypoint === undefined ? undefined : unwrap(toArgv(input.entrypoint), `services.${name}.entrypoint`),
    environment: student ? withRedisIp(environment, redisService) : environment,
    mounts: (input.volumes ?? []).map((volume) => unwrap(parseVolume(volume), `volume ${volume}`)),
    ports: (input.ports ?? []).map((port) => unwrap(parsePort(port), `port ${port}`)),
    user: input.user === undefined ? undefined : String(input.user),
    workingDir: input.working_dir,
    dependsOn: dependsOn === undefined ? [] : Array.isArray(dependsOn) ? [...dependsOn] : Object.keys(dependsOn),
    packages: { pip: extras.packages?.pip ?? [], npm: extras.packages?.npm ?? [] },
    readiness: completeReadiness(partialReadiness(extras.readiness), name === redisService),
    student,
  };
}

/** What a compose lab's lab.yaml adds to a compose file's service (merged by `resolveServices`). */
export function normaliseOverlay(input: ServiceOverlay, redisService: string): ServiceOverlaySpec {
  const environment = toEnvironment(input.environment);
  return {
    overlay: true,
    environment: input.student === true ? withRedisIp(environment, redisService) : environment,
    packages: input.packages === undefined ? undefined : { pip: input.packages.pip ?? [], npm: input.packages.npm ?? [] },
    readiness: partialReadiness(input.readiness),
    student: input.student,
  };
}

export function normaliseLab(input: LabInput, location: LabLocation): Lab {
  const services: Lab['services'] = {};
  for (const [name, service] of Object.entries(input.services)) {
    services[name] = input.compose === undefined && 'image' in service ? normaliseService(name, service, input.redis) : normaliseOverlay(service, input.redis);
  }
  return {
    id: input.id,
    title: input.title,
    summary: input.summary,
    runtime: input.runtime,
    workdir: input.workdir,
    redisService: input.redis,
    compose: input.compose,
    services,
    files: input.files.map((file) => ({ path: file.path, role: file.role ?? 'other', description: file.description })),
    scripts: input.scripts,
    nextSteps: input.next_steps,
    checks: input.checks,
    ...location,
  };
}
