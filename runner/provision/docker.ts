/**
 * The Docker engine, through dockerode: the one real `ContainerRuntime` (see runtime.ts) and the only
 * module that imports dockerode. Its failures are LabsErrors that say which endpoint was tried and
 * what to do next. Everything else depends on the interface; only the CLI's context constructs this.
 */
import type { Duplex, Readable, Writable } from 'node:stream';
import Docker from 'dockerode';
import { LabsError } from '../errors.js';
import { type DockerEndpoint, describeEndpoint, resolveDockerEndpoint } from './connect.js';
import type {
  BuildOutcome,
  Confinement,
  ContainerCreate,
  ContainerRuntime,
  ContainerSummary,
  ExecAttachOptions,
  ExecResult,
  PullProgress,
  ResourceSummary,
} from './runtime.js';
import { BoundedText, LineSplitter, type OutputLineEvent, demuxBuffer, demuxInto, onAbort, timestampedLine, writableOf } from './streams.js';

/** Compose's "HOST[:CONTAINER[:PERMS]]" device entry in the engine's form. */
function deviceMapping(entry: string): { PathOnHost: string; PathInContainer: string; CgroupPermissions: string } {
  const [host = entry, container = host, perms = 'rwm'] = entry.split(':');
  return { PathOnHost: host, PathInContainer: container, CgroupPermissions: perms };
}

export class DockerRuntime implements ContainerRuntime {
  readonly endpoint: DockerEndpoint;
  private readonly docker: Docker;

  constructor(endpoint: DockerEndpoint = resolveDockerEndpoint({ env: process.env })) {
    this.endpoint = endpoint;
    this.docker = new Docker(
      endpoint.socketPath ? { socketPath: endpoint.socketPath } : { host: endpoint.host, port: endpoint.port, protocol: endpoint.protocol },
    );
  }

  /** Turns connection failures into one actionable error; other engine errors keep their message. */
  private fail(error: unknown, doing: string): never {
    const err = error as NodeJS.ErrnoException & { statusCode?: number; json?: { message?: string } };
    if (err instanceof LabsError) throw err;
    if (['ECONNREFUSED', 'ENOENT', 'EACCES', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT'].includes(err.code ?? '')) {
      const where = describeEndpoint(this.endpoint);
      const hint =
        err.code === 'EACCES'
          ? `you may not use ${where}: add yourself to the docker group (sudo usermod -aG docker $USER, then log in again) or run with sudo`
          : this.endpoint.source === 'default'
            ? 'start Docker (Docker Desktop, or `sudo systemctl start docker`), or set DOCKER_HOST to your engine'
            : 'start that engine, or unset DOCKER_HOST / choose another context with `docker context use default`';
      throw new LabsError('DOCKER_UNREACHABLE', `Docker is not reachable at ${where} (${err.code})`, {
        hint,
        cause: error,
      });
    }
    const message = err.json?.message ?? err.message ?? String(error);
    throw new LabsError('DOCKER_FAILED', `Docker failed while ${doing}: ${message.trim()}`, {
      hint: 'see `labs doctor`; if it persists, run `labs prune` and try again',
      cause: error,
    });
  }

  private async call<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      this.fail(error, doing);
    }
  }

  async ping(): Promise<void> {
    await this.call('connecting', () => this.docker.ping());
  }

  async version(): Promise<{ version: string; apiVersion: string; os: string; arch: string }> {
    const v = await this.call('asking its version', () => this.docker.version());
    return { version: v.Version, apiVersion: v.ApiVersion, os: v.Os, arch: v.Arch };
  }

  async info(): Promise<{ dockerRootDir: string; storageDriver: string; cgroupVersion: string; containers: number }> {
    const i = await this.call('asking for engine info', () => this.docker.info());
    return {
      dockerRootDir: i.DockerRootDir,
      storageDriver: i.Driver,
      cgroupVersion: i.CgroupVersion ?? '1',
      containers: i.Containers,
    };
  }

  // ---- images -------------------------------------------------------------------------------

  /** Image id, or undefined when the engine does not have it. */
  async imageId(name: string): Promise<string | undefined> {
    try {
      return (await this.docker.getImage(name).inspect()).Id;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      this.fail(error, `inspecting image ${name}`);
    }
  }

  async pull(name: string, onProgress: (event: PullProgress) => void): Promise<void> {
    try {
      const stream = (await this.docker.pull(name)) as Readable;
      await new Promise<void>((resolve, reject) => {
        this.docker.modem.followProgress(
          stream,
          (err: Error | null) => (err ? reject(err) : resolve()),
          (event: { status: string; id?: string; progressDetail?: { current?: number; total?: number }; error?: string }) => {
            if (event.error) return;
            onProgress({
              status: event.status,
              id: event.id,
              current: event.progressDetail?.current,
              total: event.progressDetail?.total,
            });
          },
        );
      });
    } catch (error) {
      if (error instanceof LabsError) throw error;
      const message = (error as { json?: { message?: string }; message?: string }).json?.message ?? (error as Error).message;
      if (/ECONNREFUSED|ENOENT|EACCES/.test(String((error as NodeJS.ErrnoException).code))) this.fail(error, `pulling ${name}`);
      throw new LabsError('IMAGE_UNAVAILABLE', `image ${name} is not on this machine and could not be pulled: ${message.trim()}`, {
        hint: `check your network and the image name, or load it yourself (\`docker pull ${name}\` or \`docker load\`), then run the command again`,
        cause: error,
      });
    }
  }

  /**
   * Builds `tag` from `contextDir` with the engine's classic builder (its output is plain lines, as
   * `docker build` printed them before BuildKit). `files` are the context's files, relative to it;
   * the engine applies the folder's .dockerignore. A build that fails is the Dockerfile's author's
   * failure, so it is returned, not thrown: the engine's error and the last step it started. Throws
   * DOCKER_UNREACHABLE/DOCKER_FAILED when the engine itself fails.
   */
  async buildImage(
    spec: { contextDir: string; files: string[]; dockerfile: string | undefined; tag: string },
    onLine: (line: string) => void,
  ): Promise<BuildOutcome> {
    let stream: Readable;
    try {
      stream = (await this.docker.buildImage(
        { context: spec.contextDir, src: spec.files },
        // No labels: the classic builder adds a step for each, and a session's would defeat its cache.
        { t: spec.tag, dockerfile: spec.dockerfile, version: '1', rm: true, forcerm: true },
      )) as Readable;
    } catch (error) {
      // The engine refuses a Dockerfile it cannot find or parse before it streams anything.
      const { statusCode, json } = error as { statusCode?: number; json?: { message?: string } };
      if ((statusCode === 400 || statusCode === 500) && json?.message) return { ok: false, error: json.message.trim(), step: undefined };
      this.fail(error, `building ${spec.tag}`);
    }
    let step: string | undefined;
    let failure: string | undefined;
    await new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(
        stream,
        (err: Error | null) => (err && failure === undefined ? reject(err) : resolve()),
        (event: { stream?: string; status?: string; error?: string; errorDetail?: { message?: string } }) => {
          if (event.error !== undefined) {
            failure = (event.errorDetail?.message ?? event.error).trim();
            return;
          }
          for (const line of (event.stream ?? event.status ?? '').split('\n')) {
            if (line.trim() === '') continue;
            if (/^Step \d+\/\d+ : /.test(line)) step = line;
            onLine(line);
          }
        },
      );
    }).catch((error: unknown) => this.fail(error, `building ${spec.tag}`));
    return failure === undefined ? { ok: true } : { ok: false, error: failure, step };
  }

  /** The parts of an image's config that a commit must restore. */
  async imageConfig(name: string): Promise<{ entrypoint: string[] | null; cmd: string[] | null; labels: Record<string, string> }> {
    const info = await this.call(`inspecting image ${name}`, () => this.docker.getImage(name).inspect());
    const toArgv = (v: unknown): string[] | null => (Array.isArray(v) ? (v as string[]) : typeof v === 'string' ? [v] : null);
    return { entrypoint: toArgv(info.Config?.Entrypoint), cmd: toArgv(info.Config?.Cmd), labels: info.Config?.Labels ?? {} };
  }

  /** Commits a container's file system as a new image; `changes` are Dockerfile instructions. */
  async commit(containerId: string, repo: string, tag: string, changes: string[]): Promise<string> {
    const container = this.docker.getContainer(containerId);
    const result = (await this.call(`saving image ${repo}:${tag}`, () => container.commit({ repo, tag, changes }))) as { Id: string };
    return result.Id;
  }

  async tagImage(source: string, repo: string, tag: string): Promise<void> {
    await this.call(`tagging ${source}`, () => this.docker.getImage(source).tag({ repo, tag }));
  }

  // ---- networks and volumes -----------------------------------------------------------------

  async createNetwork(name: string, labels: Record<string, string>, internal = false, driverOptions?: Record<string, string>): Promise<string> {
    const network = await this.call(`creating network ${name}`, () =>
      this.docker.createNetwork({ Name: name, Labels: labels, Internal: internal, CheckDuplicate: true, Options: driverOptions }),
    );
    return network.id;
  }

  async listNetworks(labelFilters: string[]): Promise<ResourceSummary[]> {
    const networks = await this.call('listing networks', () => this.docker.listNetworks({ filters: { label: labelFilters } }));
    return networks.map((n) => ({ id: n.Id, name: n.Name, labels: n.Labels ?? {} }));
  }

  async removeNetwork(id: string): Promise<void> {
    await this.ignoreMissing(`removing network ${id}`, () => this.docker.getNetwork(id).remove());
  }

  async createVolume(name: string, labels: Record<string, string>): Promise<void> {
    await this.call(`creating volume ${name}`, () => this.docker.createVolume({ Name: name, Labels: labels }));
  }

  async listVolumes(labelFilters: string[]): Promise<ResourceSummary[]> {
    const result = await this.call('listing volumes', () => this.docker.listVolumes({ filters: { label: labelFilters } }));
    return (result.Volumes ?? []).map((v) => ({ id: v.Name, name: v.Name, labels: v.Labels ?? {} }));
  }

  async removeVolume(name: string): Promise<void> {
    await this.ignoreMissing(`removing volume ${name}`, () => this.docker.getVolume(name).remove());
  }

  // ---- containers ---------------------------------------------------------------------------

  async listContainers(labelFilters: string[]): Promise<ContainerSummary[]> {
    const containers = await this.call('listing containers', () => this.docker.listContainers({ all: true, filters: { label: labelFilters } }));
    return containers.map((c) => ({
      id: c.Id,
      name: (c.Names[0] ?? c.Id).replace(/^\//, ''),
      image: c.Image,
      state: c.State,
      status: c.Status,
      labels: c.Labels ?? {},
      ports: (c.Ports ?? []).filter((p) => p.PublicPort).map((p) => ({ hostIp: p.IP ?? '', hostPort: p.PublicPort, containerPort: p.PrivatePort })),
    }));
  }

  async createContainer(spec: ContainerCreate): Promise<string> {
    const exposed: Record<string, object> = {};
    const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
    for (const p of spec.ports ?? []) {
      const key = `${p.containerPort}/${p.protocol}`;
      exposed[key] = {};
      (bindings[key] ??= []).push({ HostIp: '127.0.0.1', HostPort: String(p.hostPort) });
    }
    for (const port of spec.publishRandom ?? []) {
      exposed[`${port}/tcp`] = {};
      bindings[`${port}/tcp`] = [{ HostIp: '127.0.0.1', HostPort: '' }];
    }
    const container = await this.call(`creating container ${spec.name}`, () =>
      this.docker.createContainer({
        name: spec.name,
        Image: spec.image,
        Cmd: spec.cmd,
        Entrypoint: spec.entrypoint,
        Env: spec.env ? Object.entries(spec.env).map(([k, v]) => `${k}=${v}`) : undefined,
        User: spec.user,
        WorkingDir: spec.workingDir,
        Labels: spec.labels,
        Hostname: spec.hostname,
        Tty: spec.tty ?? false,
        OpenStdin: spec.openStdin ?? false,
        StdinOnce: false,
        ExposedPorts: exposed,
        HostConfig: {
          Binds: spec.binds,
          Mounts: (spec.volumes ?? []).map((v) => ({ Type: 'volume', Source: v.source, Target: v.target, ReadOnly: v.readOnly })),
          PortBindings: bindings,
          NetworkMode: spec.network,
          AutoRemove: spec.autoRemove ?? false,
          Init: true,
          ...(spec.confine ? confinedHostConfig(spec.confine) : {}),
          ...(spec.capAdd ? { CapAdd: spec.capAdd } : {}),
          ...(spec.hostAccess
            ? {
                Privileged: spec.hostAccess.privileged ?? false,
                Devices: (spec.hostAccess.devices ?? []).map(deviceMapping),
                SecurityOpt: spec.hostAccess.securityOpt,
                PidMode: spec.hostAccess.pidMode,
                IpcMode: spec.hostAccess.ipcMode,
              }
            : {}),
          ...(spec.noLog ? { LogConfig: { Type: 'none', Config: {} } } : {}),
        },
        NetworkingConfig:
          spec.network && !spec.network.startsWith('container:') ? { EndpointsConfig: { [spec.network]: { Aliases: spec.aliases ?? [] } } } : undefined,
      }),
    );
    return container.id;
  }

  /** Starts a container; a port that is taken becomes PORT_IN_USE naming the port. */
  async startContainer(id: string, what: string): Promise<void> {
    try {
      await this.docker.getContainer(id).start();
    } catch (error) {
      const message = (error as { json?: { message?: string } }).json?.message ?? (error as Error).message ?? '';
      const port = /(?:Bind for [^:]*:(\d+) failed|listen tcp4? [^:]*:(\d+): bind: address already in use)/.exec(message);
      if (port) {
        const taken = port[1] ?? port[2];
        throw new LabsError('PORT_IN_USE', `port ${taken} on 127.0.0.1 is already in use, so ${what} cannot publish it`, {
          hint: `stop what uses it (\`labs status\` in your other workspaces, \`docker ps\`, a local redis-server), or change the host side of "${taken}:…" in the lab's ports`,
          cause: error,
        });
      }
      if ((error as { statusCode?: number }).statusCode === 304) return; // already running
      this.fail(error, `starting ${what}`);
    }
  }

  async inspectContainer(id: string): Promise<{ running: boolean; exitCode: number; status: string; ip: Record<string, string> }> {
    const info = await this.call('inspecting a container', () => this.docker.getContainer(id).inspect());
    const ip: Record<string, string> = {};
    for (const [net, settings] of Object.entries(info.NetworkSettings?.Networks ?? {})) ip[net] = settings.IPAddress;
    return { running: info.State.Running, exitCode: info.State.ExitCode, status: info.State.Status, ip };
  }

  async inspectContainerState(id: string): Promise<{ oomKilled: boolean; exitCode: number }> {
    const info = await this.call('inspecting a container', () => this.docker.getContainer(id).inspect());
    return { oomKilled: Boolean(info.State.OOMKilled), exitCode: info.State.ExitCode };
  }

  async waitContainer(id: string): Promise<number> {
    const result = (await this.call('waiting for a container', () => this.docker.getContainer(id).wait())) as { StatusCode: number };
    return result.StatusCode;
  }

  async removeContainer(id: string): Promise<void> {
    await this.ignoreMissing(`removing container ${id}`, () => this.docker.getContainer(id).remove({ force: true, v: true }));
  }

  /** Last lines of a container's output, for error messages. */
  async logsTail(id: string, lines = 20): Promise<string> {
    const buffer = (await this.call('reading logs', () =>
      this.docker.getContainer(id).logs({ stdout: true, stderr: true, tail: lines, follow: false }),
    )) as unknown as Buffer;
    return demuxBuffer(buffer);
  }

  /** Streams a container's logs (demultiplexed) into the given writables; resolves when they end. */
  async streamLogs(id: string, out: Writable, err: Writable, options: { follow: boolean; tail?: number; signal?: AbortSignal }): Promise<void> {
    const container = this.docker.getContainer(id);
    if (!options.follow) {
      const buffer = (await this.call('reading logs', () =>
        container.logs({ stdout: true, stderr: true, follow: false, tail: options.tail }),
      )) as unknown as Buffer;
      demuxInto(buffer, out, err);
      return;
    }
    const stream = (await this.call('following logs', () =>
      container.logs({ stdout: true, stderr: true, follow: true, tail: options.tail }),
    )) as unknown as Readable;
    this.docker.modem.demuxStream(stream, out, err);
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        stream.destroy();
        resolve();
      };
      stream.on('end', resolve);
      stream.on('close', resolve);
      onAbort(options.signal, stop);
    });
  }

  /** Runs a command in a running container and collects its output (bounded). */
  async exec(
    id: string,
    cmd: string[],
    options: { user?: string; workingDir?: string; env?: Record<string, string>; timeoutMs?: number } = {},
  ): Promise<ExecResult> {
    const { exec, stream } = await this.startExec(id, cmd, options);
    const out = new BoundedText();
    const err = new BoundedText();
    this.docker.modem.demuxStream(stream, out.writable(), err.writable());
    await new Promise<void>((resolve, reject) => {
      const timer =
        options.timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              stream.destroy();
              reject(
                new LabsError(
                  'DOCKER_FAILED',
                  `\`${cmd.join(' ').slice(0, 80)}\` in container ${id.slice(0, 12)} did not finish within ${options.timeoutMs} ms`,
                  { hint: 'the engine or the container is overloaded; try again' },
                ),
              );
            }, options.timeoutMs);
      const end = (): void => {
        clearTimeout(timer);
        resolve();
      };
      stream.on('end', end);
      stream.on('close', end);
      stream.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    return { exitCode: await this.exitCodeOf(exec), stdout: out.text(), stderr: err.text() };
  }

  /** Starts a command with its output attached; a container that is not running is CONTAINER_GONE. */
  private async startExec(
    id: string,
    cmd: string[],
    options: { user?: string; workingDir?: string; env?: Record<string, string> },
  ): Promise<{ exec: Docker.Exec; stream: Duplex }> {
    try {
      const exec = await this.docker.getContainer(id).exec({
        Cmd: cmd,
        AttachStdout: true,
        AttachStderr: true,
        User: options.user,
        WorkingDir: options.workingDir,
        Env: options.env ? Object.entries(options.env).map(([k, v]) => `${k}=${v}`) : undefined,
      });
      return { exec, stream: (await exec.start({ hijack: true, stdin: false })) as Duplex };
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      // 409 is also "paused": such a container still holds what runs in it.
      if (status === 404 || (status === 409 && !/paused/i.test((error as Error).message))) {
        throw new LabsError('CONTAINER_GONE', `container ${id.slice(0, 12)} is not running`, {
          hint: 'it stopped or was removed; start it again',
          cause: error,
        });
      }
      this.fail(error, 'starting a command');
    }
  }

  /** A finished command's exit code: its output can end a moment before the engine notes it. */
  private async exitCodeOf(exec: Docker.Exec): Promise<number> {
    let info = await this.call('reading a command result', () => exec.inspect());
    for (let i = 0; i < 40 && info.Running; i += 1) {
      await new Promise((r) => setTimeout(r, 25));
      info = await this.call('reading a command result', () => exec.inspect());
    }
    return info.ExitCode ?? -1;
  }

  /**
   * Starts a command attached to the caller's streams: a TTY session when `tty` is set (the caller
   * handles raw mode and resizes through `resize`). Resolves with the command's exit code.
   */
  async execAttached(
    id: string,
    cmd: string[],
    options: ExecAttachOptions,
  ): Promise<{ wait: Promise<number>; resize: (rows: number, columns: number) => Promise<void> }> {
    const container = this.docker.getContainer(id);
    // The engine has no way to signal an exec'd process, and closing the connection leaves it running
    // (the consumer would go on popping messages). The wrapper records its pid so abort can kill it.
    const pidFile = `/tmp/.labs-exec-${process.pid}-${Date.now().toString(36)}`;
    const argv = options.signal ? ['/bin/sh', '-c', `echo $$ > ${pidFile}; exec "$@"`, 'sh', ...cmd] : cmd;
    const exec = await this.call('starting a command', () =>
      container.exec({
        Cmd: argv,
        AttachStdin: Boolean(options.stdin),
        AttachStdout: true,
        AttachStderr: true,
        Tty: options.tty,
        WorkingDir: options.workingDir,
        Env: options.env ? Object.entries(options.env).map(([k, v]) => `${k}=${v}`) : undefined,
      }),
    );
    const stream = (await this.call('starting a command', () => exec.start({ hijack: true, stdin: Boolean(options.stdin), Tty: options.tty }))) as Duplex;
    const resize = async (rows: number, columns: number): Promise<void> => {
      try {
        await exec.resize({ h: rows, w: columns });
      } catch {
        // A resize racing the command's exit is harmless.
      }
    };
    if (options.size) await resize(options.size.rows, options.size.columns);
    if (options.tty) stream.pipe(options.stdout, { end: false });
    else this.docker.modem.demuxStream(stream, options.stdout, options.stderr);
    if (options.stdin) {
      options.stdin.pipe(stream);
    }
    const kill = (): void => {
      const script = `p=$(cat ${pidFile} 2>/dev/null) && kill -TERM "$p" 2>/dev/null; sleep 1; kill -KILL "$p" 2>/dev/null; rm -f ${pidFile}`;
      this.exec(id, ['/bin/sh', '-c', script]).catch(() => {});
    };
    const forget = onAbort(options.signal, kill);
    const wait = new Promise<number>((resolve, reject) => {
      const done = (): void => {
        options.stdin?.unpipe(stream);
        forget();
        exec.inspect().then((info) => resolve(info.ExitCode ?? 0), reject);
      };
      stream.on('end', done);
      stream.on('error', reject);
    });
    return { wait, resize };
  }

  /** Copies a tar archive into a (possibly not yet started) container. */
  async putArchive(id: string, path: string, tar: Buffer): Promise<void> {
    await this.call('copying files into a container', () => this.docker.getContainer(id).putArchive(tar, { path }));
  }

  /**
   * Attaches to a created container's stdin, stdout and stderr (before it starts, so that nothing
   * it prints is missed). `closed` resolves once its output ended: it exited, or was removed.
   */
  async attach(
    id: string,
    onStdout: (chunk: Buffer) => void,
    onStderr: (chunk: Buffer) => void,
  ): Promise<{ write: (data: string) => void; closed: Promise<void> }> {
    const stream = (await this.call(`attaching to container ${id}`, () =>
      this.docker.getContainer(id).attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true }),
    )) as unknown as Duplex;
    this.docker.modem.demuxStream(stream, writableOf(onStdout), writableOf(onStderr));
    const closed = new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', () => resolve());
    });
    let open = true;
    void closed.then(() => (open = false));
    return {
      write: (data) => {
        if (open) stream.write(data);
      },
      closed,
    };
  }

  async killContainer(id: string, signal = 'SIGKILL'): Promise<void> {
    try {
      await this.docker.getContainer(id).kill({ signal });
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      // 404: gone; 409: not running. Either way it is not running any more.
      if (status === 404 || status === 409) return;
      this.fail(error, `stopping container ${id}`);
    }
  }

  async connectNetwork(network: string, containerId: string, options: { aliases?: string[]; ipv4?: string } = {}): Promise<void> {
    await this.call(`connecting a container to ${network}`, () =>
      this.docker.getNetwork(network).connect({
        Container: containerId,
        EndpointConfig: { Aliases: options.aliases, IPAMConfig: options.ipv4 ? { IPv4Address: options.ipv4 } : undefined },
      }),
    );
  }

  async disconnectNetwork(network: string, containerId: string): Promise<void> {
    await this.call(`disconnecting a container from ${network}`, () => this.docker.getNetwork(network).disconnect({ Container: containerId, Force: true }));
  }

  /** The 127.0.0.1 port the engine picked for a container port published with `publishRandom`. */
  async hostPort(id: string, containerPort: number): Promise<number> {
    const info = await this.call('inspecting a container', () => this.docker.getContainer(id).inspect());
    const binding =
      info.NetworkSettings?.Ports?.[`${containerPort}/tcp`]?.find((b) => b.HostIp === '127.0.0.1') ??
      info.NetworkSettings?.Ports?.[`${containerPort}/tcp`]?.[0];
    if (!binding) throw new LabsError('DOCKER_FAILED', `container port ${containerPort} was not published`, { hint: 'this is a bug in labs' });
    return Number(binding.HostPort);
  }

  /**
   * Follows a container's output with the engine's arrival timestamps, a line at a time, until the
   * container's output ends or `signal` aborts. At most `maxBytes` are delivered; the rest is counted.
   */
  async followLines(
    id: string,
    onLine: (line: OutputLineEvent) => void,
    options: { maxBytes: number; signal?: AbortSignal },
  ): Promise<{ bytes: number; truncated: boolean }> {
    const stream = (await this.call('following output', () =>
      this.docker.getContainer(id).logs({ stdout: true, stderr: true, follow: true, timestamps: true }),
    )) as unknown as Readable;
    const lines = new LineSplitter(options.maxBytes, (kind, raw) => onLine(timestampedLine(kind, raw, Date.now())));
    this.docker.modem.demuxStream(stream, lines.out, lines.err);
    await new Promise<void>((resolve) => {
      let forget = (): void => undefined;
      const done = (): void => {
        forget();
        lines.end();
        resolve();
      };
      const stop = (): void => {
        stream.destroy();
        done();
      };
      stream.on('end', done);
      stream.on('close', done);
      stream.on('error', done);
      forget = onAbort(options.signal, stop);
    });
    return { bytes: lines.bytes, truncated: lines.truncated };
  }

  /**
   * Runs a command in a running container, its output a line at a time with the time each line
   * arrived here; at most `maxBytes` are delivered, the rest is read and counted (a flood never
   * blocks the command). Resolves once the command started; `finished` once its output ended.
   * A container that is not running is CONTAINER_GONE, so the caller can replace it.
   */
  async execLines(
    id: string,
    cmd: string[],
    onLine: (line: OutputLineEvent) => void,
    options: { user?: string; workingDir?: string; maxBytes: number },
  ): Promise<{ finished: Promise<{ exitCode: number; bytes: number; truncated: boolean }> }> {
    const { exec, stream } = await this.startExec(id, cmd, options);
    const lines = new LineSplitter(options.maxBytes, (kind, raw) => onLine({ stream: kind, t: Date.now(), text: raw.replace(/\r$/, '') }));
    this.docker.modem.demuxStream(stream, lines.out, lines.err);
    const finished = new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', () => resolve());
    }).then(async () => {
      lines.end();
      return { exitCode: await this.exitCodeOf(exec), bytes: lines.bytes, truncated: lines.truncated };
    });
    return { finished };
  }

  private async ignoreMissing(doing: string, fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      // 404: already gone; 409: removal already in progress. Both mean stop is done.
      if (status === 404 || status === 409) return;
      this.fail(error, doing);
    }
  }
}

function confinedHostConfig(c: Confinement): Record<string, unknown> {
  return {
    Memory: c.memoryBytes,
    MemorySwap: c.memoryBytes,
    NanoCpus: c.nanoCpus,
    PidsLimit: c.pids,
    ReadonlyRootfs: true,
    Tmpfs: Object.fromEntries([
      ...Object.entries(c.tmpfs).map(([path, size]) => [path, `rw,nosuid,nodev,size=${size},mode=1777`]),
      ...Object.entries(c.rootTmpfs ?? {}).map(([path, size]) => [path, `rw,nosuid,nodev,size=${size},mode=0755`]),
    ]),
    CapDrop: ['ALL'],
    SecurityOpt: ['no-new-privileges'],
    LogConfig: { Type: 'json-file', Config: { 'max-size': String(c.logBytes), 'max-file': '1' } },
  };
}
