/**
 * What the grader asks of a container engine, in the lab's language: the seam between provisioning
 * and everything that uses containers (sessions, workspaces, batch, doctor). `DockerRuntime`
 * (docker.ts) is its one real implementation; unit tests pass fakes of the few methods they need.
 * Shaped after testcontainers-node's ContainerClient: engine objects are named by id, results are
 * plain data, and every failure is a LabsError with a stable code.
 *
 * Errors every method may throw: DOCKER_UNREACHABLE (the engine does not answer at `endpoint`),
 * DOCKER_FAILED (the engine refused, with its message). Others are named where they apply.
 */
import type { Readable, Writable } from 'node:stream';
import type { DockerEndpoint } from './connect.js';
import type { OutputLineEvent } from './streams.js';

export interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  state: string;
  status: string;
  labels: Record<string, string>;
  ports: { hostIp: string; hostPort: number; containerPort: number }[];
}

export interface ResourceSummary {
  id: string;
  name: string;
  labels: Record<string, string>;
}

export interface ContainerCreate {
  name: string;
  image: string;
  cmd?: string[];
  entrypoint?: string[];
  env?: Record<string, string>;
  user?: string;
  workingDir?: string;
  labels: Record<string, string>;
  /** A network's name, or `container:<id>`: join that container's network namespace (no aliases then). */
  network?: string;
  aliases?: string[];
  binds?: string[];
  /** Named volumes: engine volume name → target. */
  volumes?: { source: string; target: string; readOnly: boolean }[];
  ports?: { hostPort: number; containerPort: number; protocol: 'tcp' | 'udp' }[];
  autoRemove?: boolean;
  tty?: boolean;
  /** Containment for untrusted code (ARCHITECTURE.md, "Untrusted code"). */
  confine?: Confinement;
  /** Capabilities kept on top of a confinement that drops all (run/supervisor.py needs three). */
  capAdd?: string[];
  /** Keep stdin open, for `attach`. */
  openStdin?: boolean;
  /** Keep no log of the container's output (what reads it attaches). */
  noLog?: boolean;
  /** Publish these container ports on 127.0.0.1 at ports the engine picks. */
  publishRandom?: number[];
  hostname?: string;
  /**
   * What a student's compose file asks for on their own machine (`labs start` only; grading refuses
   * it, lab/compose-keys.ts): privileged, devices ("HOST[:CONTAINER[:PERMS]]"), security options,
   * the host's pid or ipc namespace. `capAdd` above is the other half.
   */
  hostAccess?: { privileged?: boolean; devices?: string[]; securityOpt?: string[]; pidMode?: string; ipcMode?: string };
}

/** A build's result: it failed with the engine's message, during `step` ("Step 3/5 : RUN …"). */
export type BuildOutcome = { ok: true } | { ok: false; error: string; step: string | undefined };

export interface Confinement {
  memoryBytes: number;
  nanoCpus: number;
  pids: number;
  /** Mount point → size in bytes; everything else is read-only. */
  tmpfs: Record<string, number>;
  /** Mount point → size in bytes of a tmpfs only root may write (mode 0755): the script containers' work folder. */
  rootTmpfs?: Record<string, number>;
  /** Bound on what the engine keeps of the container's output. */
  logBytes: number;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface PullProgress {
  status: string;
  id?: string;
  current?: number;
  total?: number;
}

/** How `execAttached` wires a command to the caller's streams. */
export interface ExecAttachOptions {
  tty: boolean;
  stdin?: Readable;
  stdout: Writable;
  stderr: Writable;
  workingDir?: string;
  env?: Record<string, string>;
  size?: { rows: number; columns: number };
  /** Stops the command in the container when aborted. */
  signal?: AbortSignal;
}

export interface ContainerRuntime {
  /** Where the engine is reached (its socket or TCP address) and what chose it. */
  readonly endpoint: DockerEndpoint;

  ping(): Promise<void>;
  version(): Promise<{ version: string; apiVersion: string; os: string; arch: string }>;
  info(): Promise<{ dockerRootDir: string; storageDriver: string; cgroupVersion: string; containers: number }>;

  // ---- images ----
  /** Image id, or undefined when the engine does not have it. */
  imageId(name: string): Promise<string | undefined>;
  /** Pulls an image; IMAGE_UNAVAILABLE when it cannot be had. */
  pull(name: string, onProgress: (event: PullProgress) => void): Promise<void>;
  /**
   * Builds `tag` from `contextDir` (`files`: the context's files, relative to it; the engine applies
   * its .dockerignore) with the engine's classic builder, each line of its output to `onLine`. A build
   * that fails is returned (the engine's error and the last step it started), not thrown: it is the
   * Dockerfile author's failure. Throws DOCKER_UNREACHABLE / DOCKER_FAILED when the engine fails.
   */
  buildImage(spec: { contextDir: string; files: string[]; dockerfile: string | undefined; tag: string }, onLine: (line: string) => void): Promise<BuildOutcome>;
  /** The parts of an image's config that a commit must restore. */
  imageConfig(name: string): Promise<{ entrypoint: string[] | null; cmd: string[] | null; labels: Record<string, string> }>;
  /** Commits a container's file system as a new image; `changes` are Dockerfile instructions. Resolves with the image id. */
  commit(containerId: string, repo: string, tag: string, changes: string[]): Promise<string>;
  tagImage(source: string, repo: string, tag: string): Promise<void>;

  // ---- networks and volumes (removal of what is gone is not an error) ----
  /** Resolves with the network's id. */
  createNetwork(name: string, labels: Record<string, string>, internal?: boolean, driverOptions?: Record<string, string>): Promise<string>;
  listNetworks(labelFilters: string[]): Promise<ResourceSummary[]>;
  removeNetwork(id: string): Promise<void>;
  createVolume(name: string, labels: Record<string, string>): Promise<void>;
  listVolumes(labelFilters: string[]): Promise<ResourceSummary[]>;
  removeVolume(name: string): Promise<void>;
  connectNetwork(network: string, containerId: string, options?: { aliases?: string[]; ipv4?: string }): Promise<void>;
  disconnectNetwork(network: string, containerId: string): Promise<void>;

  // ---- containers ----
  listContainers(labelFilters: string[]): Promise<ContainerSummary[]>;
  /** Resolves with the container's id. */
  createContainer(spec: ContainerCreate): Promise<string>;
  /** Starts a container (one already running is fine); a port that is taken is PORT_IN_USE naming it. */
  startContainer(id: string, what: string): Promise<void>;
  /** `ip`: network name → the container's IPv4 address on it. */
  inspectContainer(id: string): Promise<{ running: boolean; exitCode: number; status: string; ip: Record<string, string> }>;
  inspectContainerState(id: string): Promise<{ oomKilled: boolean; exitCode: number }>;
  /** Resolves with the exit code once the container stops. */
  waitContainer(id: string): Promise<number>;
  /** Idempotent: a container already gone, or being removed, is fine. */
  removeContainer(id: string): Promise<void>;
  /** Idempotent: a container that is not running is fine. */
  killContainer(id: string, signal?: string): Promise<void>;
  /** Copies a tar archive into a (possibly not yet started) container, at `path`. */
  putArchive(id: string, path: string, tar: Buffer): Promise<void>;
  /** The 127.0.0.1 port the engine picked for a container port published with `publishRandom`. */
  hostPort(id: string, containerPort: number): Promise<number>;

  // ---- output ----
  /** Last `lines` lines of a container's output (both streams), for error messages. */
  logsTail(id: string, lines?: number): Promise<string>;
  /** Streams a container's logs (demultiplexed) into the given writables; resolves when they end or `signal` aborts. */
  streamLogs(id: string, out: Writable, err: Writable, options: { follow: boolean; tail?: number; signal?: AbortSignal }): Promise<void>;
  /**
   * Follows a container's output with the engine's arrival timestamps, a line at a time, until the
   * container's output ends or `signal` aborts. At most `maxBytes` are delivered; the rest is counted.
   */
  followLines(
    id: string,
    onLine: (line: OutputLineEvent) => void,
    options: { maxBytes: number; signal?: AbortSignal },
  ): Promise<{ bytes: number; truncated: boolean }>;
  /**
   * Attaches to a created container's stdin, stdout and stderr (before it starts, so that nothing
   * it prints is missed). `closed` resolves once its output ended: it exited, or was removed.
   */
  attach(id: string, onStdout: (chunk: Buffer) => void, onStderr: (chunk: Buffer) => void): Promise<{ write: (data: string) => void; closed: Promise<void> }>;

  // ---- commands in running containers ----
  /**
   * Runs a command and collects its output (bounded, 1 MiB a stream). DOCKER_FAILED when it does
   * not finish within `timeoutMs`; CONTAINER_GONE when the container is not running.
   */
  exec(id: string, cmd: string[], options?: { user?: string; workingDir?: string; env?: Record<string, string>; timeoutMs?: number }): Promise<ExecResult>;
  /**
   * Runs a command, its output a line at a time with the time each line arrived here; at most
   * `maxBytes` are delivered, the rest is read and counted (a flood never blocks the command).
   * Resolves once the command started; `finished` once its output ended. CONTAINER_GONE when the
   * container is not running, so the caller can replace it.
   */
  execLines(
    id: string,
    cmd: string[],
    onLine: (line: OutputLineEvent) => void,
    options: { user?: string; workingDir?: string; maxBytes: number },
  ): Promise<{ finished: Promise<{ exitCode: number; bytes: number; truncated: boolean }> }>;
  /**
   * Starts a command attached to the caller's streams: a TTY session when `tty` is set (the caller
   * handles raw mode and resizes through `resize`). `wait` resolves with the command's exit code;
   * aborting `signal` stops the command in the container.
   */
  execAttached(
    id: string,
    cmd: string[],
    options: ExecAttachOptions,
  ): Promise<{ wait: Promise<number>; resize: (rows: number, columns: number) => Promise<void> }>;
}
