/**
 * Stage 3 for a student's compose file, after the Compose Specification accepted it: what labs does
 * with each key (README.md, "Compose files"). A key is honoured, or ignored with a one-line note
 * because labs must own what it sets, or unsafe: refused when grading (the sandbox of ARCHITECTURE.md,
 * "Untrusted code") and run with a warning in `labs start` unless it would touch labs's own
 * resources. Pure: problems as data, located in the file.
 */
import { posix } from 'node:path';
import { composeSpecKeys } from './compose-spec.js';
import { asRecord } from './loose.js';
import type { DocPath } from './problem.js';
import type { Problem } from './types.js';
import type { YamlSource } from './yaml.js';

/** What the file is read for: grading a submission (check, grade) or a workspace (start and the rest). */
export type ComposePurpose = 'grade' | 'start';

/** Service keys labs applies as Compose does (README.md lists what each means in labs). */
const honouredServiceKeys = [
  'build',
  'image',
  'command',
  'entrypoint',
  'environment',
  'env_file',
  'volumes',
  'ports',
  'expose',
  'user',
  'working_dir',
  'depends_on',
  'healthcheck',
  'networks',
  'deploy',
  'scale',
  'tty',
  'stdin_open',
  'init',
  'hostname',
] as const;

/** Keys labs must own, each with the one line that says why it is not applied. */
const ownedServiceKeys: Record<string, string> = {
  container_name: 'labs names containers per session, so that two workspaces or two gradings never clash',
  restart: 'labs restarts nothing by itself: a crash during a check must count as a crash',
  labels: 'labs labels its containers itself, to find and remove them',
  profiles: 'labs starts every service the lab needs',
  pull_policy: 'labs pulls an image only when it is missing',
};

/**
 * Top-level keys: the note on each that labs ignores; undefined for those it reads, and for
 * `version`, which Compose itself ignores (obsolete): the course's own file has it.
 */
const topLevelNotes: Record<string, string | undefined> = {
  version: undefined,
  name: 'labs names each session itself',
  services: undefined,
  volumes: undefined,
  networks: undefined,
};

/** `~/x`, `/x` and `../x` leave the workspace; `./x` and `x/…` (as written in a bind source) do not. */
export function outsideWorkspace(source: string): boolean {
  if (source.startsWith('~') || posix.isAbsolute(source)) return true;
  return posix.normalize(source).split('/')[0] === '..';
}

/** Where a bind mount would reach labs's own resources: the engine's socket, the workspace's state. */
function touchesLabs(source: string): string | undefined {
  if (/(^|\/)docker\.sock$/.test(source)) return "it hands the container the Docker engine that runs labs's containers";
  if (/^(\.\/)?\.labs(\/|$)/.test(posix.normalize(source))) return "it exposes labs's own state of this workspace (.labs/)";
  return undefined;
}

interface Unsafe {
  path: DocPath;
  why: string;
  /** Refused in `labs start` too: it would touch labs's own resources. */
  refusedInStart?: boolean;
}

const hostModes = ['pid', 'ipc', 'uts', 'userns_mode', 'cgroup'] as const;

/** Every value in one service that would open the grading sandbox. */
function unsafeValues(service: Record<string, unknown>, at: DocPath): Unsafe[] {
  const found: Unsafe[] = [];
  if (service.privileged === true || service.privileged === 'true') {
    found.push({ path: [...at, 'privileged'], why: 'a privileged container has every capability and every device of the host' });
  }
  if (service.network_mode !== undefined) {
    const mode = String(service.network_mode);
    if (mode === 'host') {
      found.push({ path: [...at, 'network_mode'], why: "host networking shares the host's network with the container", refusedInStart: true });
    } else if (mode !== 'bridge' && mode !== 'default') {
      found.push({
        path: [...at, 'network_mode'],
        why: `network_mode "${mode}" takes the container off the lab's network, where the other services find it by name`,
        refusedInStart: true,
      });
    }
  }
  for (const key of hostModes) {
    if (service[key] === 'host')
      found.push({ path: [...at, key], why: `${key}: host shares the host's ${key.replace('_mode', '')} namespace with the container` });
  }
  if (Array.isArray(service.cap_add) && service.cap_add.length > 0)
    found.push({ path: [...at, 'cap_add'], why: 'added capabilities give the container powers over the host' });
  if (Array.isArray(service.devices) && service.devices.length > 0)
    found.push({ path: [...at, 'devices'], why: "devices give the container the host's hardware" });
  if (Array.isArray(service.security_opt) && service.security_opt.length > 0)
    found.push({ path: [...at, 'security_opt'], why: 'security options can switch off the confinement grading relies on' });
  if (service.use_api_socket === true)
    found.push({ path: [...at, 'use_api_socket'], why: "it hands the container the Docker engine that runs labs's containers", refusedInStart: true });
  const volumes = Array.isArray(service.volumes) ? service.volumes : [];
  volumes.forEach((volume: unknown, index) => {
    const source = bindSource(volume);
    if (source === undefined) return;
    const touching = touchesLabs(source);
    if (touching !== undefined) found.push({ path: [...at, 'volumes', index], why: touching, refusedInStart: true });
    else if (outsideWorkspace(source))
      found.push({ path: [...at, 'volumes', index], why: `${source} is outside your folder; mount only paths in it, like ./data` });
  });
  const ports = Array.isArray(service.ports) ? service.ports : [];
  ports.forEach((port: unknown, index) => {
    const ip = hostIp(port);
    if (ip !== undefined && ip !== '127.0.0.1') {
      found.push({
        path: [...at, 'ports', index],
        why: `it publishes on ${ip}, open to other machines; write the port without an address (labs publishes on 127.0.0.1)`,
      });
    }
  });
  return found;
}

/** The source of a bind mount (short syntax with a path, or long `type: bind`); undefined otherwise. */
function bindSource(volume: unknown): string | undefined {
  if (typeof volume === 'string') {
    const source = volume.split(':')[0] ?? '';
    return source.startsWith('.') || source.startsWith('/') || source.startsWith('~') ? source : undefined;
  }
  const long = asRecord(volume);
  return long?.type === 'bind' && typeof long.source === 'string' ? long.source : undefined;
}

/** The host address a port entry names ("0.0.0.0:6379:6379", `host_ip:`), or undefined. */
export function hostIp(port: unknown): string | undefined {
  if (typeof port === 'string') {
    const match = /^(\d+\.\d+\.\d+\.\d+|\[[0-9a-fA-F:.]*\]):[^:]*:/.exec(port);
    return match?.[1];
  }
  const long = asRecord(port);
  return typeof long?.host_ip === 'string' ? long.host_ip : undefined;
}

/**
 * Notes for ignored keys (warnings), unsafe values (errors when grading; warnings in `labs start`,
 * errors there too where they touch labs's own resources), and references Compose itself refuses:
 * a named volume or network a service uses that the file does not declare.
 */
export function composeKeyProblems(file: unknown, source: YamlSource, purpose: ComposePurpose): Problem[] {
  const root = asRecord(file);
  if (root === undefined) return [];
  const problems: Problem[] = [];
  const note = (path: DocPath, message: string): void => void problems.push(source.problem(path, message, { target: 'key', severity: 'warning' }));
  // Only keys the specification knows get a note: any other is already its error (compose-spec.ts).
  const known = composeSpecKeys();
  for (const key of Object.keys(root)) {
    const why = topLevelNotes[key];
    if (why !== undefined) note([key], `${key} is ignored: ${why}`);
    else if (!(key in topLevelNotes) && known.topLevel.includes(key)) note([key], `${key} is ignored: labs does not use it`);
  }
  const volumes = Object.keys(asRecord(root.volumes) ?? {});
  const networks = ['default', ...Object.keys(asRecord(root.networks) ?? {})];
  for (const [name, value] of Object.entries(asRecord(root.services) ?? {})) {
    const service = asRecord(value);
    if (service === undefined) continue;
    const at = ['services', name];
    for (const key of Object.keys(service)) {
      if ((honouredServiceKeys as readonly string[]).includes(key) || !known.service.includes(key)) continue;
      const owned = ownedServiceKeys[key];
      if (owned !== undefined) note([...at, key], `${key} is ignored: ${owned}`);
      else if (!unsafeKeys.has(key)) note([...at, key], `${key} is ignored: labs does not apply it`);
    }
    const deploy = asRecord(service.deploy);
    for (const key of Object.keys(deploy ?? {})) {
      if (key !== 'replicas') note([...at, 'deploy', key], `deploy.${key} is ignored: labs applies only deploy.replicas`);
    }
    if (purpose === 'grade' && (deploy?.replicas !== undefined || service.scale !== undefined)) {
      note([...at, deploy?.replicas !== undefined ? 'deploy' : 'scale'], 'replicas are ignored in a check: each check starts the containers it needs');
    }
    for (const unsafe of unsafeValues(service, at)) {
      const refused = purpose === 'grade' || unsafe.refusedInStart === true;
      problems.push(
        source.problem(
          unsafe.path,
          purpose === 'grade'
            ? `refused when grading: ${unsafe.why}${unsafe.why.includes(';') ? '' : '; remove it, the lab does not need it'}`
            : refused
              ? `refused: ${unsafe.why}`
              : `runs on your machine, but grading refuses it: ${unsafe.why}`,
          {
            severity: refused ? 'error' : 'warning',
            target: 'key',
          },
        ),
      );
    }
    (Array.isArray(service.volumes) ? service.volumes : []).forEach((volume: unknown, index) => {
      const named = namedVolume(volume);
      if (named !== undefined && !volumes.includes(named)) {
        problems.push(
          source.problem([...at, 'volumes', index], `the volume "${named}" is not declared: add it under the top-level volumes: key, as Compose requires`),
        );
      }
    });
    const used = Array.isArray(service.networks) ? service.networks : Object.keys(asRecord(service.networks) ?? {});
    used.forEach((network: unknown, index) => {
      if (typeof network !== 'string' || networks.includes(network)) return;
      const path = Array.isArray(service.networks) ? [...at, 'networks', index] : [...at, 'networks', network];
      problems.push(source.problem(path, `the network "${network}" is not declared: add it under the top-level networks: key, as Compose requires`));
    });
  }
  return problems;
}

const unsafeKeys = new Set([
  'privileged',
  'network_mode',
  'pid',
  'ipc',
  'uts',
  'userns_mode',
  'cgroup',
  'cap_add',
  'devices',
  'security_opt',
  'use_api_socket',
]);

/** The volume name of a named-volume entry ("cache:/root/.cache", `type: volume`), or undefined. */
function namedVolume(volume: unknown): string | undefined {
  if (typeof volume === 'string') {
    const [source, target] = volume.split(':');
    if (target === undefined || source === undefined || source === '') return undefined;
    return bindSource(volume) === undefined ? source : undefined;
  }
  const long = asRecord(volume);
  return long?.type === 'volume' && typeof long.source === 'string' ? long.source : undefined;
}
