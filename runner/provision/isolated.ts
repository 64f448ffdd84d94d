/**
 * The environment of one check or grading run (ARCHITECTURE.md, "Untrusted code"): its own internal
 * network with no route out, or a batch slot's (`openLabNetwork`); the real Redis under a name
 * students do not know, in a Redis home's network namespace (`startRedisHome`); the wire recorder
 * standing in as the lab's Redis service (`redis-db`); the student's files never bind-mounted
 * (written by each script container's supervisor, or copied into a volume for an image without
 * one: `filesVolume`). Only the grader reaches Redis, through a second network
 * (session-networks.ts): at its address there with a local engine on Linux, else through a port
 * published on 127.0.0.1.
 */
import { randomBytes } from 'node:crypto';
import { LabsError } from '../errors.js';
import type { Lab, ServiceSpec } from '../lab/types.js';
import { type ArchiveEntry, ownedDirectories, tarArchive } from './archive.js';
import type { Confinement, ContainerRuntime } from './runtime.js';
import { type ImageEvent, ensureImage, prepareServiceImages } from './images.js';
import { Label, type SessionIdentity, resourceName, sessionLabels } from './labels.js';
import { answersPing, waitForLine, waitReady } from './readiness.js';
import { recorderScript } from './recorder/files.js';
import { recorderDir, recorderImage } from './recorder/image.js';
import { settleAll } from './settle.js';
import { removeSession } from './teardown.js';
import { type HostAccess, closeHostAccess, removeHostRules } from './firewall.js';
import { type GraderNetwork, sessionNetworks } from './session-networks.js';

export interface IsolatedOptions {
  runtime: ContainerRuntime;
  lab: Lab;
  /** The services as the submission defines them (a compose lab: from its compose file). */
  services: Record<string, ServiceSpec>;
  identity: SessionIdentity;
  /** The student's files, put in the lab workdir of every student container. */
  files: ArchiveEntry[];
  confine: Confinement;
  /** An image with Node.js: the base of the recorder's image (recorder/image.ts). */
  recorderImage: string;
  /**
   * The lab network a batch slot keeps from one submission to the next (`openLabNetwork`); without
   * it the environment makes its own, under its identity, removed with it.
   */
  labNetwork?: LabNetwork;
  /** The wire recorder a batch slot keeps on that network (`startRecorder`); without it, one of the session's own. */
  recorder?: RecorderHandle;
  /** Where that recorder's Redis lives (`startRedisHome`), given with `recorder`; without it, one of the session's own. */
  redisHome?: RedisHome;
  signal?: AbortSignal;
  onEvent?: (event: ImageEvent) => void;
  /**
   * Called as soon as the lab network is there, while Redis and the recorder still start: the
   * containers scripts run in can start too. Returns what resolves once the work it started
   * settled, which a provisioning that fails waits for before it removes everything.
   */
  onNetwork?: (env: FilesEnvironment) => () => Promise<void>;
}

/** What the containers scripts run in need of the environment (see `onNetwork`). */
export type FilesEnvironment = Pick<
  IsolatedEnvironment,
  'runtime' | 'lab' | 'identity' | 'services' | 'network' | 'images' | 'files' | 'filesVolume' | 'confine'
>;

export interface IsolatedEnvironment {
  runtime: ContainerRuntime;
  lab: Lab;
  identity: SessionIdentity;
  services: Record<string, ServiceSpec>;
  network: string;
  /** The network through which the grader reaches Redis (shared; see session-networks.ts). */
  graderNetwork: string;
  /** Prepared image of each student service. */
  images: Record<string, string>;
  /** The student's files (the supervised script containers get them from their supervisor). */
  files: ArchiveEntry[];
  /**
   * A volume of the session with the files in it, made on first call: only the script containers
   * of an image without python3 (no supervisor) mount it.
   */
  filesVolume: () => Promise<string>;
  confine: Confinement;
  redis: RedisHandle;
  recorder: RecorderHandle;
  /** Whether student code can reach services on the grading host's bridge address. */
  hostAccess: HostAccess;
  /** An address placeholder started ahead of the next rename (`readySpare`), until one takes it. */
  spare?: Promise<string>;
}

/**
 * A lab network with its firewall rules (no route out, none to the grading host), and the shared
 * grader network joined: what a batch slot keeps from one submission to the next.
 */
export interface LabNetwork {
  /** Whose labels it carries: the slot's, or the one session's. */
  identity: SessionIdentity;
  name: string;
  grader: GraderNetwork;
  hostAccess: HostAccess;
}

/**
 * Makes a lab network for `identity` (see session-networks.ts for the waits when the engine's
 * address ranges run out) and closes it to the grading host. Throws DOCKER_FAILED; removes what it
 * made when it fails. `closeLabNetwork` removes it.
 */
export async function openLabNetwork(runtime: ContainerRuntime, identity: SessionIdentity, signal?: AbortSignal): Promise<LabNetwork> {
  try {
    const { network, networkId, grader } = await sessionNetworks(runtime, identity, signal);
    const labAccess = await closeHostAccess(runtime.endpoint, networkId, identity.session);
    return { identity, name: network, grader, hostAccess: labAccess === 'closed' ? grader.access : labAccess };
  } catch (error) {
    await closeLabNetwork(runtime, identity);
    throw error;
  }
}

/**
 * Before a batch slot hands its network to the next session: removes `session`'s Redis (it is in
 * the slot's Redis home, whose port the next Redis takes) and takes its other containers (an
 * address placeholder) off the lab network `network`. Their removal comes later. Throws DOCKER_FAILED.
 */
export async function detachSession(runtime: ContainerRuntime, network: string, session: string): Promise<void> {
  const containers = await runtime.listContainers([`${Label.session}=${session}`]);
  await Promise.all(
    containers.map(async (c) => {
      // Redis is in the slot's Redis home, whose port 6379 the next session's Redis takes.
      if (c.labels[Label.role] === 'redis') return runtime.removeContainer(c.id);
      try {
        await runtime.disconnectNetwork(network, c.id);
      } catch (error) {
        // Not on it (never was, or left already), or gone: what was asked holds.
        if (!/not connected|no such container|not found/i.test((error as Error).message)) throw error;
      }
    }),
  );
}

/**
 * Removes everything labelled with `identity`'s session (its network among them) and its firewall
 * rules: those once its containers are gone, while its networks go (a network's removal took 0.1 to
 * 0.25 s, the rules' 0.05 s after it).
 */
export async function closeLabNetwork(runtime: ContainerRuntime, identity: SessionIdentity): Promise<void> {
  await removeSession(runtime, identity.session, () => removeHostRules((s) => s === identity.session));
}

/** The wire recorder: its container, and the name by which it reaches the real Redis on the lab network. */
export interface RecorderHandle {
  containerId: string;
  upstreamAlias: string;
}

export interface RedisHandle {
  service: ServiceSpec;
  containerId: string;
  /** The grader's way in: its home's address on the grader network, or 127.0.0.1 and a port its home publishes. */
  address: { host: string; port: number };
  /** Whether the grader reaches it at its address on the grader network (see session-networks.ts). */
  direct: boolean;
  /** The container whose network namespace Redis runs in: its addresses, its name for the recorder. */
  home: RedisHome;
  volumes: { source: string; target: string; readOnly: boolean }[];
}

/**
 * A container that only holds a network namespace (on the grader network, and on the lab network
 * as `upstreamAlias`), in which each session's Redis runs (`NetworkMode: container:<id>`). A batch
 * slot keeps it, so a Redis start makes no namespace, no veth pair and no endpoint: measured with
 * the docker CLI on 2 cores, creating, starting and removing a Redis cost 0.38 s of the machine's
 * CPU on two networks and 0.17 s in a kept namespace. Nothing of one Redis stays for the next: a
 * network namespace holds sockets only while a process has them open, and Redis's container has no
 * NET_ADMIN to change interfaces, routes or rules; the container is removed before the next starts.
 */
export interface RedisHome {
  containerId: string;
  /** Redis's name on the lab network, which only the recorder uses. */
  upstreamAlias: string;
  /** The grader's way to Redis on port 6379 in it (see `RedisHandle.address`). */
  address: { host: string; port: number };
  direct: boolean;
}

export const confinement: Confinement = {
  memoryBytes: 256 * 1024 * 1024,
  nanoCpus: 1e9,
  pids: 128,
  tmpfs: { '/tmp': 64 * 1024 * 1024 },
  logBytes: 4 * 1024 * 1024,
};

/** Student code runs as this user: not root, and the uid of the official images' first user. */
export const studentUser = '1000:1000';

/**
 * The environment of one session: Redis and the recorder (and Redis's volumes) of its own, on
 * `options.labNetwork` or a network of its own. Throws WORKSPACE_INVALID (no Redis service),
 * INTERRUPTED, DOCKER_FAILED, NOT_READY and the images' errors; removes what it made when it fails.
 */
export async function provisionIsolated(options: IsolatedOptions): Promise<IsolatedEnvironment> {
  const { runtime, lab, identity, services } = options;
  const redisService = services[lab.redisService];
  if (!redisService) {
    throw new LabsError('WORKSPACE_INVALID', `there is no ${lab.redisService} service to grade against`, {
      hint: `the lab needs a service named ${lab.redisService}; restore it in your compose file`,
    });
  }
  const students = Object.values(services).filter((s) => s.student);
  if (!options.recorder !== !options.redisHome) throw new Error('labs: provisionIsolated takes a recorder and a Redis home together, or neither');
  let settleEarly: (() => Promise<void>) | undefined;
  try {
    const [images, , recorder] = await Promise.all([
      prepareServiceImages(runtime, students, options.onEvent),
      ensureImage(runtime, redisService.image, options.onEvent),
      options.recorder ? undefined : recorderImage(runtime, options.recorderImage, options.onEvent),
    ]);
    options.signal?.throwIfAborted();
    const labNetwork = options.labNetwork ?? (await openLabNetwork(runtime, identity, options.signal));
    const network = labNetwork.name;
    const grader = labNetwork.grader;
    const upstreamAlias = options.redisHome?.upstreamAlias ?? newUpstreamAlias();
    let volume: Promise<string> | undefined;
    const filesVolume = (): Promise<string> => (volume ??= copyFiles(options, students[0] ? images[students[0].name]! : redisService.image));
    settleEarly = options.onNetwork?.({ runtime, lab, identity, services, network, images, files: options.files, filesVolume, confine: options.confine });
    const home = options.redisHome ?? startRedisHome({ runtime, identity, image: recorder!, labNetwork, upstreamAlias, signal: options.signal });
    const [redis, recorderContainer] = await settleAll([
      Promise.resolve(home).then((made) => startRedis(options, redisService, made)),
      options.recorder ?? startRecorder({ runtime, identity, lab, image: recorder!, network, upstreamAlias, signal: options.signal }),
    ]);
    return {
      runtime,
      lab,
      identity,
      services,
      network,
      graderNetwork: grader.name,
      images,
      files: options.files,
      filesVolume,
      confine: options.confine,
      redis,
      recorder: recorderContainer,
      hostAccess: labNetwork.hostAccess,
    };
  } catch (error) {
    // A container still being created would escape the removal, and keep its network.
    await settleEarly?.().catch(() => undefined);
    await closeLabNetwork(runtime, identity);
    if (options.signal?.aborted) throw new LabsError('INTERRUPTED', 'interrupted: removed what had been created', { cause: error });
    throw error;
  }
}

/**
 * Redis as the lab (or the student's compose file) defines it: image, command, user and volumes. A
 * volume or bind mount becomes a session volume, so that a crash and re-creation keeps its files
 * exactly when the definition says so, and nothing of the grader's disk is exposed.
 */
async function startRedis(options: IsolatedOptions, service: ServiceSpec, home: RedisHome): Promise<RedisHandle> {
  const { runtime, identity } = options;
  const volumes: RedisHandle['volumes'] = [];
  for (const mount of service.mounts) {
    const part = mount.kind === 'volume' ? `vol-${mount.name}` : `bind-${mount.source.replace(/[^a-zA-Z0-9_.-]+/g, '_')}`;
    const name = resourceName(identity, part);
    await runtime.createVolume(name, sessionLabels(identity, { [Label.service]: service.name }));
    volumes.push({ source: name, target: mount.target, readOnly: mount.readOnly });
  }
  // A student's ./data is theirs, so writable by the user Redis runs as; a fresh volume is root's.
  // A numeric user is given the volumes through the copy API before Redis first starts (no
  // container of its own); a user name only the image knows, by chown in a helper container.
  const numeric = service.user && volumes.length ? /^(\d+)(?::(\d+))?$/.exec(service.user) : null;
  if (service.user && volumes.length && !numeric) await chownVolumes(options, service, volumes);
  const handle: RedisHandle = { service, containerId: '', address: home.address, direct: home.direct, home, volumes };
  const owner = numeric ? { uid: Number(numeric[1]), gid: Number(numeric[2] ?? numeric[1]) } : undefined;
  await createRedisContainer(runtime, identity, handle, options.signal, owner);
  return handle;
}

/**
 * (Re-)creates the Redis container of `handle` in its home's network namespace and waits until it
 * answers; updates the handle. The Redis before it must be removed first: both would listen on
 * port 6379 of the one namespace. Throws DOCKER_FAILED, NOT_READY (readiness.ts).
 */
export async function createRedisContainer(
  runtime: ContainerRuntime,
  identity: SessionIdentity,
  handle: RedisHandle,
  signal?: AbortSignal,
  /** Gives the volumes to this owner before Redis starts. */
  volumeOwner?: { uid: number; gid: number },
): Promise<void> {
  const { service } = handle;
  const id = await runtime.createContainer({
    name: resourceName(identity, `${service.name}-${randomBytes(3).toString('hex')}`),
    image: service.image,
    cmd: service.command,
    entrypoint: service.entrypoint,
    env: service.environment,
    user: service.user,
    workingDir: service.workingDir,
    labels: sessionLabels(identity, { [Label.service]: service.name, [Label.role]: 'redis' }),
    network: `container:${handle.home.containerId}`,
    volumes: handle.volumes,
  });
  if (volumeOwner)
    await runtime.putArchive(
      id,
      '/',
      await ownedDirectories(
        handle.volumes.map((v) => v.target),
        volumeOwner.uid,
        volumeOwner.gid,
      ),
    );
  await runtime.startContainer(id, `service ${service.name}`);
  handle.containerId = id;
  const readiness = service.readiness.kind === 'redis' ? service.readiness : { kind: 'redis' as const, port: 6379, command: undefined, timeoutMs: 30_000 };
  // Asked the way the grader will ask it, first: no command started in the container. Redis that
  // does not answer there soon is waited for (and explained) the thorough way.
  if ((readiness.port || 6379) === 6379 && (await answersPing(handle.address, 2000, signal))) return;
  await waitReady(runtime, id, service.name, readiness, { signal });
}

async function chownVolumes(options: IsolatedOptions, service: ServiceSpec, volumes: RedisHandle['volumes']): Promise<void> {
  const { runtime, identity } = options;
  const owner = service.user!.includes(':') ? service.user! : `${service.user}:${service.user}`;
  const id = await runtime.createContainer({
    name: resourceName(identity, `chown-${randomBytes(3).toString('hex')}`),
    image: service.image,
    entrypoint: ['chown', owner, ...volumes.map((v) => v.target)],
    cmd: [],
    user: '0',
    labels: sessionLabels(identity, { [Label.role]: 'chown' }),
    volumes: volumes.map((v) => ({ ...v, readOnly: false })),
    network: 'none',
  });
  try {
    await runtime.startContainer(id, 'the volume helper');
    const code = await runtime.waitContainer(id);
    if (code !== 0) throw new LabsError('DOCKER_FAILED', `could not give ${service.name}'s volumes to user ${owner} (chown exit ${code})`);
  } finally {
    await runtime.removeContainer(id);
  }
}

/** A name for the real Redis on a lab network that students do not know: only the recorder uses it. */
export function newUpstreamAlias(): string {
  return `upstream-${randomBytes(6).toString('hex')}`;
}

/**
 * Starts a Redis home (`RedisHome`) from `image` (any image with `sleep`: the recorder's) on the
 * grader network and on `labNetwork` as `upstreamAlias`, publishing port 6379 on 127.0.0.1 where the
 * grader cannot reach the grader network directly. Throws DOCKER_FAILED.
 */
export async function startRedisHome(options: {
  runtime: ContainerRuntime;
  identity: SessionIdentity;
  image: string;
  labNetwork: LabNetwork;
  upstreamAlias: string;
  signal?: AbortSignal;
}): Promise<RedisHome> {
  const { runtime, identity, labNetwork, upstreamAlias } = options;
  const { grader } = labNetwork;
  const id = await runtime.createContainer({
    name: resourceName(identity, `redis-home-${randomBytes(3).toString('hex')}`),
    image: options.image,
    entrypoint: ['sleep', 'infinity'],
    cmd: [],
    user: '65534:65534',
    labels: sessionLabels(identity, { [Label.role]: 'redis-home' }),
    network: grader.name,
    publishRandom: grader.direct ? undefined : [6379],
  });
  await runtime.connectNetwork(labNetwork.name, id, { aliases: [upstreamAlias] });
  options.signal?.throwIfAborted();
  await runtime.startContainer(id, 'the home of Redis');
  const address = grader.direct
    ? { host: (await runtime.inspectContainer(id)).ip[grader.name] ?? '', port: 6379 }
    : { host: '127.0.0.1', port: await runtime.hostPort(id, 6379) };
  return { containerId: id, upstreamAlias, address, direct: grader.direct };
}

/**
 * Starts the wire recorder from `image` (recorder/image.ts) on `network`, as the lab's Redis service,
 * forwarding to `upstreamAlias`; resolves once it listens. Throws DOCKER_FAILED, NOT_READY.
 */
export async function startRecorder(options: {
  runtime: ContainerRuntime;
  identity: SessionIdentity;
  lab: Lab;
  image: string;
  network: string;
  upstreamAlias: string;
  signal?: AbortSignal;
}): Promise<RecorderHandle> {
  const { runtime, identity, lab, upstreamAlias } = options;
  const id = await runtime.createContainer({
    name: resourceName(identity, `recorder-${randomBytes(3).toString('hex')}`),
    image: options.image,
    entrypoint: ['node', `${recorderDir}/${recorderScript}`],
    cmd: [],
    env: { UPSTREAM_HOST: upstreamAlias, UPSTREAM_PORT: '6379', LISTEN_PORT: '6379' },
    user: '65534:65534',
    labels: sessionLabels(identity, { [Label.role]: 'recorder' }),
    network: options.network,
    aliases: [lab.redisService],
  });
  await runtime.startContainer(id, 'the wire recorder');
  // It says when it listens; reading that is cheaper than starting a probe in it.
  await waitForLine(runtime, id, 'the wire recorder', (text) => text.includes('"e":"listening"'), 15_000, options.signal);
  return { containerId: id, upstreamAlias };
}

/** The student's files into a session volume, through a container that is created and never run. */
async function copyFiles(options: IsolatedOptions, image: string): Promise<string> {
  const { runtime, identity, lab } = options;
  const volume = resourceName(identity, 'files');
  await runtime.createVolume(volume, sessionLabels(identity, { [Label.role]: 'files' }));
  const id = await runtime.createContainer({
    name: resourceName(identity, `files-${randomBytes(3).toString('hex')}`),
    image,
    entrypoint: ['true'],
    cmd: [],
    labels: sessionLabels(identity, { [Label.role]: 'files' }),
    volumes: [{ source: volume, target: lab.workdir, readOnly: false }],
    network: 'none',
  });
  try {
    await runtime.putArchive(id, lab.workdir, await tarArchive(options.files));
  } finally {
    await runtime.removeContainer(id);
  }
  return volume;
}

/** Orders IPv4 addresses numerically. */
export function compareIPv4(a: string, b: string): number {
  const n = (ip: string): number => ip.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
  return n(a) - n(b);
}

/**
 * Gives the recorder (`redis-db`) a new address by trading places with `otherId`, a script container
 * on the lab network that serves no run now: both leave, and the one whose address is lower comes
 * back first (the engine hands out the lowest free address), so the script container takes the
 * recorder's old address and the recorder the script container's, or a lower one. Nothing answers
 * as Redis at the old address then: trading with Redis's home left Redis itself there, unrecorded,
 * for a script with that address written in. No container is started (an address placeholder, the
 * fallback should the engine hand the old address back, cost 0.23 s of CPU per submission in a
 * batch). Resolves with the recorder's two addresses and the script container's new one; throws
 * DOCKER_FAILED.
 */
export async function tradeRecorderAddress(env: IsolatedEnvironment, otherId: string): Promise<{ from: string; to: string; other: string }> {
  const { runtime, network } = env;
  const id = env.recorder.containerId;
  const addressOf = async (c: string): Promise<string> => (await runtime.inspectContainer(c)).ip[network] ?? '';
  const [from, theirs] = await Promise.all([addressOf(id), addressOf(otherId)]);
  await runtime.disconnectNetwork(network, id);
  await runtime.disconnectNetwork(network, otherId);
  const recorderBack = (): Promise<void> => runtime.connectNetwork(network, id, { aliases: [env.lab.redisService] });
  const otherBack = (): Promise<void> => runtime.connectNetwork(network, otherId);
  if (theirs && compareIPv4(theirs, from) < 0) {
    await recorderBack();
    await otherBack();
  } else {
    await otherBack();
    await recorderBack();
  }
  let to = await addressOf(id);
  if (to === from) to = await moveWithPlaceholder(env, startPlaceholder(env));
  if (!to || to === from)
    throw new LabsError('DOCKER_FAILED', `could not move ${env.lab.redisService} to a new address (still ${from})`, { hint: 'this is a bug in labs' });
  return { from, to, other: await addressOf(otherId) };
}

/**
 * The recorder (Redis, as the scripts reach it) answers to `name` on the lab network, and to nothing
 * else: it leaves the network and joins it again under that alias. With `move`, at a new address:
 * the engine gives the lowest free one, its own again, so an address placeholder takes that one
 * first. Connections to it are cut. Resolves with both addresses; DOCKER_FAILED when it could not move.
 */
export async function renameRecorder(env: IsolatedEnvironment, name: string, move: boolean): Promise<{ from: string; to: string }> {
  const { runtime, network } = env;
  const id = env.recorder.containerId;
  // The placeholder's start (0.6 s on a loaded engine), when it was not readied ahead (`readySpare`),
  // overlaps the first reconnection, which alone moves the recorder only when a lower address is
  // free. Settled before this returns, so that no container is still being made when the session's
  // are removed.
  const spare = move ? takeSpare(env) : undefined;
  try {
    const from = (await runtime.inspectContainer(id)).ip[network] ?? '';
    await runtime.disconnectNetwork(network, id);
    await runtime.connectNetwork(network, id, { aliases: [name] });
    let to = (await runtime.inspectContainer(id)).ip[network] ?? '';
    if (spare && to === from) to = await moveWithPlaceholder(env, spare, name);
    if (move && (!to || to === from)) {
      throw new LabsError('DOCKER_FAILED', `could not give ${env.lab.redisService} a new address as ${name} (still ${from})`, {
        hint: 'this is a bug in labs',
      });
    }
    return { from, to };
  } finally {
    await spare?.catch(() => undefined);
  }
}

/**
 * Starts an address placeholder (see `startPlaceholder`) for the next `renameRecorder` with a move,
 * ahead of it: its start took 0.3 to 0.5 s of the rename on 2 cores. Idempotent until a rename takes
 * it. The session settles `env.spare` before it lists its containers for removal.
 */
export function readySpare(env: IsolatedEnvironment): void {
  if (env.spare) return;
  env.spare = startPlaceholder(env);
  // Whoever takes it handles its failure (takeSpare starts another).
  env.spare.catch(() => undefined);
}

/** The placeholder readied ahead, or one started now when there is none (or it failed to start). */
function takeSpare(env: IsolatedEnvironment): Promise<string> {
  const ready = env.spare;
  env.spare = undefined;
  return ready ? ready.catch(() => startPlaceholder(env)) : startPlaceholder(env);
}

/**
 * An address placeholder, started: a container that only sleeps, on the grader network (where no
 * container reaches another) until `moveWithPlaceholder` puts it on the lab network. Removed with
 * the session's containers. Resolves with its id; throws DOCKER_FAILED.
 */
async function startPlaceholder(env: IsolatedEnvironment): Promise<string> {
  const { runtime, identity } = env;
  const placeholder = await runtime.createContainer({
    name: resourceName(identity, `placeholder-${randomBytes(3).toString('hex')}`),
    image: env.redis.service.image,
    entrypoint: ['sleep', '3600'],
    cmd: [],
    labels: sessionLabels(identity, { [Label.role]: 'placeholder' }),
    network: env.graderNetwork,
    confine: env.confine,
  });
  await runtime.startContainer(placeholder, 'an address placeholder');
  return placeholder;
}

/** Moves the recorder off its address, which the placeholder takes meanwhile; its new address. */
async function moveWithPlaceholder(env: IsolatedEnvironment, placeholder: Promise<string>, alias = env.lab.redisService): Promise<string> {
  const { runtime, network } = env;
  const id = env.recorder.containerId;
  await runtime.disconnectNetwork(network, id);
  await runtime.connectNetwork(network, await placeholder);
  await runtime.connectNetwork(network, id, { aliases: [alias] });
  return (await runtime.inspectContainer(id)).ip[network] ?? '';
}
