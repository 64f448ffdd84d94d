/**
 * A student's compose service, as the Compose Specification allows it to be written (short and long
 * forms), to the one `ServiceSpec` provisioning reads. Runs only on a file the specification
 * accepted; values labs cannot read further (a port range, an env_file that is not there) are
 * problems found by `composeServiceValueProblems` first, with their line.
 */
import { posix } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import type { DocPath } from './problem.js';
import { completeReadiness } from './normalise.js';
import { fail, ok, type Parsed, unwrap } from './parsed.js';
import { parsePort } from './ports.js';
import { toArgv } from './shell-words.js';
import { parseVolume } from './volumes.js';
import { outsideWorkspace } from './compose-keys.js';
import { asRecord } from './loose.js';
import type { BuildSpec, HostAccessSpec, Mount, PortBinding, Problem, ReadinessSpec, ServiceSpec } from './types.js';
import type { YamlSource } from './yaml.js';

/**
 * Reads a file of the submission or workspace by its path relative to it ("./.env" → ".env");
 * undefined when there is no such file.
 */
export type ReadSibling = (path: string) => string | undefined;

type Raw = Record<string, unknown>;

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
}

/** `env_file:` entries: a path, or `{path, required}` (required unless it says false). */
function envFiles(service: Raw): { path: string; required: boolean; index: number | undefined }[] {
  const single = !Array.isArray(service.env_file);
  return list(service.env_file).map((entry, index) => {
    const long = asRecord(entry);
    const path = long === undefined ? String(entry) : String(long.path);
    const required = long?.required === undefined ? true : long.required === true || long.required === 'true';
    return { path, required, index: single ? undefined : index };
  });
}

/** A long-syntax volume (`type: bind|volume`) in the short syntax parseVolume reads. */
function volumeText(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  const long = asRecord(entry);
  if (long === undefined || (long.type !== 'bind' && long.type !== 'volume') || typeof long.source !== 'string') return undefined;
  return `${long.source}:${String(long.target)}${long.read_only === true ? ':ro' : ''}`;
}

/** A long-syntax port (`target`, `published`, `protocol`) in the short syntax parsePort reads. */
function portText(entry: unknown): string | number {
  const long = asRecord(entry);
  if (long === undefined) return entry as string | number;
  const published = long.published ?? long.target;
  return `${String(published)}:${String(long.target)}${typeof long.protocol === 'string' ? `/${long.protocol}` : ''}`;
}

/** Compose durations ("30s", "1m30s", "500ms") in milliseconds; undefined when absent or unreadable. */
export function durationMs(text: unknown): number | undefined {
  if (typeof text !== 'string' || text === '') return undefined;
  const units: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  const rest = text.replace(/(\d+(?:\.\d+)?)(us|ms|s|m|h)/g, (_, n: string, unit: string) => {
    total += Number(n) * (units[unit] ?? 0);
    return '';
  });
  return rest === '' ? total : undefined;
}

/**
 * `healthcheck:` as readiness: its test run in the container until it exits 0, for as long as
 * Compose would wait before calling it unhealthy (start_period + interval × retries, at least the
 * default 30 s). `disable: true` or test NONE: no readiness of its own.
 */
function healthReadiness(service: Raw): Partial<ReadinessSpec> | undefined {
  const health = asRecord(service.healthcheck);
  if (health === undefined || health.disable === true || health.disable === 'true') return undefined;
  const test = health.test;
  let command: string[] | undefined;
  if (typeof test === 'string') command = ['sh', '-c', test];
  else if (Array.isArray(test)) {
    const [kind, ...rest] = test.map(String);
    if (kind === 'CMD') command = rest;
    else if (kind === 'CMD-SHELL') command = ['sh', '-c', rest.join(' ')];
  }
  if (command === undefined || command.length === 0) return undefined;
  const retries = Number(health.retries ?? 3);
  const waitMs = (durationMs(health.start_period) ?? 0) + (durationMs(health.interval) ?? 30_000) * (Number.isFinite(retries) ? retries : 3);
  return { kind: 'exec', command, timeoutMs: Math.max(30_000, waitMs) };
}

/** "./" and "." alike: ".". */
function folder(path: string): string {
  return posix
    .normalize(path)
    .replace(/(.)\/$/, '$1')
    .replace(/^\.\/$/, '.');
}

function buildSpec(service: Raw): BuildSpec | undefined {
  const build = service.build;
  if (typeof build === 'string') return { context: folder(build), dockerfile: undefined };
  const long = asRecord(build);
  if (long === undefined) return undefined;
  return {
    context: folder(typeof long.context === 'string' ? long.context : '.'),
    dockerfile: typeof long.dockerfile === 'string' ? long.dockerfile : undefined,
  };
}

function hostAccess(service: Raw): HostAccessSpec | undefined {
  const access: HostAccessSpec = {};
  if (service.privileged === true || service.privileged === 'true') access.privileged = true;
  if (Array.isArray(service.cap_add) && service.cap_add.length) access.capAdd = service.cap_add.map(String);
  if (Array.isArray(service.devices) && service.devices.length)
    access.devices = service.devices.map((d) => (typeof d === 'string' ? d : String(asRecord(d)?.source)));
  if (Array.isArray(service.security_opt) && service.security_opt.length) access.securityOpt = service.security_opt.map(String);
  if (service.pid === 'host') access.pidMode = 'host';
  if (service.ipc === 'host') access.ipcMode = 'host';
  return Object.keys(access).length ? access : undefined;
}

function replicas(service: Raw): number | undefined {
  const value = asRecord(service.deploy)?.replicas ?? service.scale;
  const n = Number(value);
  return value === undefined || !Number.isInteger(n) || n < 0 ? undefined : n;
}

/** The environment: env_file entries first, in order, then `environment:`, which wins (as in Compose). */
function environmentOf(service: Raw, composeDir: string, read: ReadSibling): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of envFiles(service)) {
    const text = read(posix.normalize(posix.join(composeDir, entry.path)));
    if (text !== undefined) Object.assign(env, parseDotenv(text));
  }
  const given = service.environment;
  if (Array.isArray(given)) {
    for (const item of given.map(String)) {
      const eq = item.indexOf('=');
      if (eq === -1) env[item] ??= '';
      else env[item.slice(0, eq)] = item.slice(eq + 1);
    }
  } else {
    for (const [key, value] of Object.entries(asRecord(given) ?? {})) env[key] = value === null ? '' : String(value);
  }
  return env;
}

function argv(value: unknown, what: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  return unwrap(toArgv(Array.isArray(value) ? value.map(String) : String(value)), what);
}

function longVolumeProblem(entry: unknown): string | undefined {
  const long = asRecord(entry);
  if (long === undefined || long.type === 'bind' || long.type === 'volume') return undefined;
  return `volume type "${String(long.type)}" is not supported by labs; use a bind mount (./dir:/path) or a named volume`;
}

/**
 * Values the specification accepts but labs cannot read further, each at its line: a port or volume
 * parseVolume/parsePort cannot read, an env_file that is missing (Compose refuses to start then too)
 * or outside the folder, a service with neither image nor build.
 */
export function composeServiceValueProblems(service: unknown, path: DocPath, source: YamlSource, composeDir: string, read: ReadSibling): Problem[] {
  const entry = asRecord(service);
  if (entry === undefined) return [];
  const problems: Problem[] = [];
  if (entry.image === undefined && entry.build === undefined) {
    problems.push(source.problem(path, 'has neither image: nor build:; Compose needs one of them to make its container', { target: 'key' }));
  }
  // Short forms (strings) are read by serviceValueProblems; long forms (mappings) here.
  list(entry.volumes).forEach((volume, index) => {
    if (typeof volume === 'string') return;
    const unsupported = longVolumeProblem(volume);
    const text = volumeText(volume);
    const parsed: Parsed<Mount | undefined> = unsupported !== undefined ? fail(unsupported) : text === undefined ? ok(undefined) : parseVolume(text);
    if (!parsed.ok) problems.push(source.problem([...path, 'volumes', index], parsed.error));
  });
  list(entry.ports).forEach((port, index) => {
    if (asRecord(port) === undefined) return;
    const parsed = parsePort(portText(port));
    if (!parsed.ok) problems.push(source.problem([...path, 'ports', index], parsed.error));
  });
  for (const file of envFiles(entry)) {
    const at = file.index === undefined ? [...path, 'env_file'] : [...path, 'env_file', file.index];
    if (outsideWorkspace(file.path)) problems.push(source.problem(at, `${file.path} is outside your folder; keep the env file next to the compose file`));
    else if (file.required && read(posix.normalize(posix.join(composeDir, file.path))) === undefined) {
      problems.push(source.problem(at, `${file.path} does not exist (Compose refuses to start without it; add required: false to make it optional)`));
    }
  }
  return problems;
}

/**
 * The service as labs provisions it. A built service (`build:`) keeps its image name for `labs
 * start` to tag the build with (a generated one when it has none); grading replaces it with the
 * lab's image (compose.ts).
 */
export function normaliseComposeService(name: string, raw: unknown, redisService: string, composeDir: string, read: ReadSibling): ServiceSpec {
  const service = asRecord(raw) ?? {};
  const build = buildSpec(service);
  const dependsOn = service.depends_on;
  const health = healthReadiness(service);
  const spec: ServiceSpec = {
    name,
    image: typeof service.image === 'string' ? service.image : `labs-build/${name}`,
    command: argv(service.command, `services.${name}.command`),
    entrypoint: argv(service.entrypoint, `services.${name}.entrypoint`),
    environment: environmentOf(service, composeDir, read),
    mounts: list(service.volumes)
      .map(volumeText)
      .filter((text): text is string => text !== undefined)
      .map((text) => unwrap(parseVolume(text), `volume ${text}`)),
    ports: list(service.ports).map((port): PortBinding => unwrap(parsePort(portText(port)), `port ${String(portText(port))}`)),
    user: service.user === undefined || service.user === null ? undefined : String(service.user),
    workingDir: typeof service.working_dir === 'string' ? service.working_dir : undefined,
    dependsOn: Array.isArray(dependsOn) ? dependsOn.map(String) : Object.keys(asRecord(dependsOn) ?? {}),
    packages: { pip: [], npm: [] },
    readiness: completeReadiness(name === redisService ? undefined : health, name === redisService),
    student: false,
  };
  if (build !== undefined) spec.build = build;
  const count = replicas(service);
  if (count !== undefined) spec.replicas = count;
  if (service.tty === true) spec.tty = true;
  if (service.stdin_open === true) spec.openStdin = true;
  if (typeof service.hostname === 'string') spec.hostname = service.hostname;
  const access = hostAccess(service);
  if (access !== undefined) spec.hostAccess = access;
  return spec;
}
