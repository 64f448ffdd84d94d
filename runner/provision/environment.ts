/**
 * One lab environment: a network, the services' containers (aliases set at create time), mounts and
 * ports, readiness. Provisioning is idempotent per session (what exists is reused, what is missing is
 * made) and cleans up what it created when it fails or is interrupted.
 */
import { mkdir, stat, chown } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { LabsError, isLabsError } from '../errors.js';
import type { Lab, ServiceSpec } from '../lab/types.js';
import type { ContainerRuntime } from './runtime.js';
import { type BuildEvent, buildServices } from './build.js';
import { type ImageEvent, prepareServiceImages } from './images.js';
import { Label, type SessionIdentity, resourceName, sessionLabels } from './labels.js';
import { waitReady } from './readiness.js';
import { settleAll } from './settle.js';
import { removeSession } from './teardown.js';

export type ProvisionEvent =
  | ImageEvent
  | BuildEvent
  | { type: 'network'; name: string; reused: boolean }
  | { type: 'container'; service: string; name: string; action: 'created' | 'started' | 'reused' }
  | { type: 'ready'; service: string; ms: number }
  /**
   * A workspace service that runs the student's own files ended while starting (a starter's TODOs, a
   * crash on import): start goes on with the others and reports it; anywhere else it is NOT_READY.
   */
  | { type: 'exited'; service: string; exitCode: number }
  | { type: 'data-dir'; path: string; owner: string }
  /** A note on the workspace's compose file (a key labs ignores, one grading would refuse), `file:line:col path: …`. */
  | { type: 'note'; text: string };

export interface ProvisionOptions {
  runtime: ContainerRuntime;
  lab: Lab;
  services: Record<string, ServiceSpec>;
  identity: SessionIdentity;
  /** Bind-mount sources and the student's files are relative to it. */
  workspaceDir: string;
  /** Bind-mount the workspace at the lab's workdir in student services (workspace mode). */
  mountStudentFiles: boolean;
  internalNetwork?: boolean;
  onEvent?: (event: ProvisionEvent) => void;
  signal?: AbortSignal;
}

export interface ServiceContainer {
  service: string;
  id: string;
  name: string;
}

export interface Environment {
  identity: SessionIdentity;
  network: string;
  containers: Record<string, ServiceContainer>;
}

/**
 * One lab environment for a session (idempotent: what exists is reused, what is missing is made): a
 * network, the services' containers, mounts, ports, readiness. What it created is removed when it
 * fails. Throws INTERRUPTED (`signal`), NOT_READY, PORT_IN_USE, DOCKER_FAILED and the images' errors.
 */
export async function provision(options: ProvisionOptions): Promise<Environment> {
  const { runtime, identity, signal } = options;
  const onEvent = options.onEvent ?? (() => {});
  const existing = await runtime.listContainers([`${Label.session}=${identity.session}`]);
  const createdSomething = { value: false };
  try {
    signal?.throwIfAborted();
    const services = await buildServices(runtime, Object.values(options.services), options.workspaceDir, identity, onEvent);
    signal?.throwIfAborted();
    const images = await prepareServiceImages(runtime, services, onEvent);
    signal?.throwIfAborted();

    const network = resourceName(identity);
    const networks = await runtime.listNetworks([`${Label.session}=${identity.session}`]);
    if (!networks.some((n) => n.name === network)) {
      createdSomething.value = true;
      await runtime.createNetwork(network, sessionLabels(identity), options.internalNetwork ?? false);
    }
    onEvent({ type: 'network', name: network, reused: networks.length > 0 });

    const containers: Record<string, ServiceContainer> = {};
    const replicas = services.flatMap(replicasOf);
    // Every container is created at once; each waits for its dependencies' start and readiness only to start.
    const toStart = new Map<string, string>();
    await settleAll(
      replicas.map(async ({ key, service }) => {
        const name = resourceName(identity, key);
        const found = existing.find((c) => c.labels[Label.service] === key);
        if (found?.state === 'running') {
          containers[key] = { service: key, id: found.id, name };
          onEvent({ type: 'container', service: key, name, action: 'reused' });
          return;
        }
        let id = found?.id;
        if (!id) {
          createdSomething.value = true;
          id = await createServiceContainer(options, service, images[service.name] ?? service.image, network, name, key);
          onEvent({ type: 'container', service: key, name, action: 'created' });
        }
        toStart.set(key, id);
      }),
    );
    // As Compose starts a service after those in its depends_on, and here once they are ready too:
    // the jobs-api worker started beside Redis died of "Connection refused" in about one start of three.
    for (const level of startLevels(services)) {
      const now = replicas.filter((r) => level.includes(r.service.name));
      await settleAll(
        now.map(async ({ key }) => {
          const id = toStart.get(key);
          if (id === undefined) return;
          signal?.throwIfAborted();
          await runtime.startContainer(id, `service ${key}`);
          const name = resourceName(identity, key);
          onEvent({ type: 'container', service: key, name, action: 'started' });
          containers[key] = { service: key, id, name };
        }),
      );
      await Promise.all(
        now.map(async ({ key, service }) => {
          const container = containers[key];
          if (!container) return;
          try {
            const ms = await waitReady(runtime, container.id, key, service.readiness, { signal });
            onEvent({ type: 'ready', service: key, ms });
          } catch (error) {
            if (!(service.student && options.mountStudentFiles && isLabsError(error) && error.code === 'NOT_READY')) throw error;
            const state = await runtime.inspectContainer(container.id);
            if (state.running) throw error;
            onEvent({ type: 'exited', service: key, exitCode: state.exitCode });
          }
        }),
      );
    }
    return { identity, network, containers };
  } catch (error) {
    // Leave nothing half-made behind; a session that already ran before this call is kept.
    if (existing.length === 0 && createdSomething.value) await removeSession(runtime, identity.session);
    if (signal?.aborted) throw new LabsError('INTERRUPTED', 'interrupted: removed what had been created', { cause: error });
    throw error;
  }
}

/**
 * The order services start in, as levels: each service after every service of its `dependsOn`
 * (Compose's depends_on), services of one level together. A dependency that is not among `services`
 * is ignored; services in a cycle (which Compose refuses) start together in the last level.
 */
export function startLevels(services: readonly ServiceSpec[]): string[][] {
  const names = new Set(services.map((s) => s.name));
  const waiting = new Map(services.map((s) => [s.name, new Set(s.dependsOn.filter((d) => names.has(d) && d !== s.name))]));
  const levels: string[][] = [];
  while (waiting.size) {
    const level = [...waiting].filter(([, deps]) => deps.size === 0).map(([name]) => name);
    if (!level.length) {
      levels.push([...waiting.keys()]);
      break;
    }
    for (const name of level) waiting.delete(name);
    for (const deps of waiting.values()) for (const name of level) deps.delete(name);
    levels.push(level);
  }
  return levels;
}

/**
 * The containers of a service: Compose's replicas (deploy.replicas, scale) as `python2`,
 * `python2-2`, `python2-3`, each its own service label (so `labs shell python2-2` reaches it) and
 * all reachable by the service's name, as in Compose. Replicas 0: none.
 */
export function replicasOf(service: ServiceSpec): { key: string; service: ServiceSpec }[] {
  const count = service.replicas ?? 1;
  return Array.from({ length: count }, (_, i) => ({ key: i === 0 ? service.name : `${service.name}-${i + 1}`, service }));
}

async function createServiceContainer(
  options: ProvisionOptions,
  service: ServiceSpec,
  image: string,
  network: string,
  name: string,
  key: string = service.name,
): Promise<string> {
  const { runtime, identity, lab, workspaceDir } = options;
  const binds: string[] = [];
  const volumes: { source: string; target: string; readOnly: boolean }[] = [];
  for (const mount of service.mounts) {
    if (mount.kind === 'bind') {
      const source = isAbsolute(mount.source) ? mount.source : resolve(workspaceDir, mount.source);
      await ensureBindSource(options, service, image, source);
      binds.push(`${source}:${mount.target}${mount.readOnly ? ':ro' : ''}`);
    } else {
      const volumeName = resourceName(identity, mount.name);
      const known = await runtime.listVolumes([`${Label.session}=${identity.session}`]);
      if (!known.some((v) => v.name === volumeName)) {
        await runtime.createVolume(volumeName, sessionLabels(identity, { [Label.service]: service.name }));
      }
      volumes.push({ source: volumeName, target: mount.target, readOnly: mount.readOnly });
    }
  }
  if (service.student && options.mountStudentFiles) binds.push(`${resolve(workspaceDir)}:${lab.workdir}`);

  return runtime.createContainer({
    name,
    image,
    cmd: service.command,
    entrypoint: service.entrypoint,
    env: service.environment,
    user: service.user,
    workingDir: service.workingDir ?? (service.student ? lab.workdir : undefined),
    labels: sessionLabels(identity, { [Label.service]: key }),
    network,
    aliases: [service.name],
    binds,
    volumes,
    // A second replica cannot publish the same host port; Compose fails there too, labs publishes once.
    ports: key === service.name ? service.ports : [],
    tty: service.tty,
    openStdin: service.openStdin,
    hostname: service.hostname,
    capAdd: service.hostAccess?.capAdd,
    hostAccess: service.hostAccess,
  });
}

/**
 * Docker creates a missing bind-mount source as root, which a service running as another user (the
 * course's Redis runs as 1000:1000) cannot write. Make it first, owned by the service's user.
 */
async function ensureBindSource(options: ProvisionOptions, service: ServiceSpec, image: string, source: string): Promise<void> {
  let created = false;
  try {
    await stat(source);
  } catch {
    await mkdir(source, { recursive: true });
    created = true;
  }
  const uid = service.user ? Number(service.user.split(':')[0]) : NaN;
  if (!Number.isInteger(uid)) return;
  const gid = Number(service.user?.split(':')[1] ?? uid);
  const info = await stat(source);
  if (!info.isDirectory() || info.uid === uid || (info.mode & 0o002) !== 0) return;
  const owner = `${uid}:${Number.isInteger(gid) ? gid : uid}`;
  if (process.getuid?.() === 0) {
    await chown(source, uid, Number.isInteger(gid) ? gid : uid);
  } else if (created || info.uid === process.getuid?.()) {
    // Not root here: a short-lived helper container (root inside) hands the folder over.
    await chownWithHelper(options, image, source, owner);
  } else {
    return;
  }
  options.onEvent?.({ type: 'data-dir', path: source, owner });
}

async function chownWithHelper(options: ProvisionOptions, image: string, source: string, owner: string): Promise<void> {
  const { runtime, identity } = options;
  const id = await runtime.createContainer({
    name: resourceName(identity, `chown-${Date.now().toString(36)}`),
    image,
    entrypoint: ['chown', owner, '/target'],
    cmd: [],
    user: '0',
    labels: sessionLabels(identity, { [Label.role]: 'chown' }),
    binds: [`${source}:/target`],
  });
  try {
    await runtime.startContainer(id, 'the data folder helper');
    const code = await runtime.waitContainer(id);
    if (code !== 0) {
      throw new LabsError('DOCKER_FAILED', `could not make ${source} writable for user ${owner} (chown exit ${code})`, {
        hint: `run \`sudo chown ${owner} ${source}\` and start again`,
      });
    }
  } finally {
    await runtime.removeContainer(id);
  }
}
