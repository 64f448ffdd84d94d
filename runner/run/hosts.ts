/**
 * The containers student scripts run in. Starting a container costs the engine ~0.25 s of CPU (a
 * network namespace, the shim, the network hook); starting a command in a running one ~0.04 s; and
 * a new Python interpreter ~0.1 s to import redis and hotqueue (Flask ~0.06 s more). So each
 * replica of a student service is one long-lived, confined container, and every run of a script in
 * it is started by the container's main process, the supervisor (run/supervisor.py), one run at
 * a time:
 *
 * - PID 1 is the engine's init (reaping orphans); its child, the supervisor, is root with only the
 *   capabilities to start runs as the student and to kill them (SETUID, SETGID, KILL), no new
 *   privileges. Student code runs as 1000:1000 with no capability and cannot signal either, so
 *   `kill -9 -1` from student code never takes the container down.
 * - A run starts on a line to the supervisor's stdin; its output, its exit code and the kernel's
 *   count of out-of-memory kills come back in frames the supervisor writes, which nothing the script
 *   prints can forge. A Python script is forked from the supervisor, which has the lab's libraries
 *   imported, unless a fresh interpreter could behave otherwise (see supervisor.py).
 * - Before a run, and after it ends or is stopped, every other process is killed and /tmp emptied:
 *   a run starts as clean as a fresh container would, and nothing of a stopped run can still pop a
 *   message. A supervisor that does not answer (paused, starved) takes its container down with it.
 * - An image without python3 gets the older way: the container's process is `sleep` as uid 65534,
 *   and each run and each cleanup is a command started in the container (`docker exec`).
 * - Two replicas that run at the same time are two containers, so the recorder tells their
 *   connections apart by address; runs one after another in one container are told apart by time.
 * - A container that died is replaced; a run that ran out of memory is told apart by the kernel's
 *   count of out-of-memory kills in the container.
 * - Student services whose containers would be the same (the same prepared image; exercise-2's
 *   python1 and python2) share one pool of containers: each run gets its service's environment
 *   (the compose file's `environment:`) from the supervisor, so a script cannot tell them apart.
 * - The student's files are in the work folder, a tmpfs that only root can write: the supervisor
 *   writes them there when it is reset for a submission. A batch slot keeps its containers from
 *   one submission to the next (session/slot.ts): before a container runs anything of the next
 *   submission, its supervisor kills every process, empties what the student's user could write
 *   and removes its IPC objects, replaces the files, and says what it still finds; a container in
 *   which anything is left is removed, never used again.
 */
import { randomBytes } from 'node:crypto';
import { LabsError, isLabsError } from '../errors.js';
import type { ContainerCreate } from '../provision/runtime.js';
import type { OutputLineEvent } from '../provision/streams.js';
import type { FilesEnvironment } from '../provision/isolated.js';
import { studentUser } from '../provision/isolated.js';
import { Label, type SessionIdentity, resourceName, sessionLabels } from '../provision/labels.js';
import { type SupervisedRun, SupervisorChannel, preloadedModules, supervisorCapabilities, supervisorCommand } from './supervisor.js';

/** The container's own processes run as this user, which student code (uid 1000) cannot signal. */
const keeperUser = '65534:65534';

/**
 * Kills every process of the calling user but itself (the kernel's `kill -1` skips PID 1 and the
 * caller), until /proc shows none left of that user: `kill -1` itself cannot tell, it succeeds as
 * soon as any process exists, signalled or not. A killed process shows until it is reaped, so the
 * next round waits a moment instead of spinning; bounded, in case something is never reaped.
 */
const killAll =
  'n=0; while :; do kill -9 -1 2>/dev/null; left=; ' +
  'for p in /proc/[0-9]*; do [ "$p" = "/proc/$$" ] || { [ -O "$p" ] && left=1 && break; }; done; ' +
  '[ -n "$left" ] && [ "$n" -lt 300 ] || break; n=$((n+1)); sleep 0.01; done';
const emptyTmp = 'rm -rf /tmp/* /tmp/.[!.]* /tmp/..?* 2>/dev/null';

/** The command of one run: a clean slate, then the script itself in place of the shell. */
function runCommand(argv: string[]): string[] {
  return ['/bin/sh', '-c', `${killAll}; ${emptyTmp}; exec "$@"`, 'labs-run', ...argv];
}

/**
 * What stops a run and whatever it started; then prints how many processes the kernel has killed
 * for want of memory in this container so far (cgroup v2, else v1). The engine marks a container
 * out of memory only when its main process dies, which here it never does.
 */
const oomKills =
  'for f in /sys/fs/cgroup/memory.events /sys/fs/cgroup/memory/memory.oom_control; do ' +
  '[ -r "$f" ] && while read -r k v; do [ "$k" = oom_kill ] && echo "oom_kill $v"; done < "$f"; done; :';
const cleanupDone = 'labs-cleanup-done';
const cleanupCommand = ['/bin/sh', '-c', `${killAll}; ${oomKills}; echo ${cleanupDone}`];

/** The kill loop is bounded at about 3 s; beyond this the engine or the container is stuck. */
const cleanupTimeoutMs = 30_000;
/** The supervisor's kill loop is bounded at about 3 s too; beyond this it is stuck (or paused). */
const supervisedStopTimeoutMs = 8_000;

/** The out-of-memory kill count `cleanupCommand` printed, if any. */
function parseOomKills(stdout: string): number | undefined {
  const match = /^oom_kill (\d+)$/m.exec(stdout);
  return match ? Number(match[1]) : undefined;
}

export interface ScriptHost {
  service: string;
  containerId: string;
  /** Address on the lab network. */
  address: string;
  /** Out-of-memory kills counted in it so far. */
  oomKills: number;
  /** Taken down by the grader (see `cleanup`): replaced once released. */
  killed?: boolean;
  /** Its main process starts and stops runs (run/supervisor.py); without it, each is a `docker exec`. */
  supervisor?: SupervisorChannel;
  /** The last run the supervisor started. */
  run?: SupervisedRun;
}

/** One place in a pool: a container of it, made or being made, lent to one run at a time (`busy`). */
interface PoolPlace {
  /** The pool it belongs to (see `poolOf`). */
  service: string;
  busy: boolean;
  /** The container, once it holds the files of `preparedFor` (see `prepare`). */
  ready: Promise<ScriptHost>;
  host?: ScriptHost;
  /** The session whose files `ready` puts in it. */
  preparedFor: string;
}

/**
 * Each student service's pool: the first service (in definition order) whose containers would be
 * created the same way, from the same prepared image (the environment is each run's own).
 */
export function hostPools(services: Record<string, unknown>, images: Record<string, string>): Record<string, string> {
  const pools: Record<string, string> = {};
  const byImage = new Map<string, string>();
  for (const name of Object.keys(services)) {
    const image = images[name];
    if (image === undefined) continue;
    if (!byImage.has(image)) byImage.set(image, name);
    pools[name] = byImage.get(image)!;
  }
  return pools;
}

/** How long a supervisor may take to reset its container (its kill loop is bounded at about 3 s). */
const resetTimeoutMs = 15_000;

/** The room the student's files have in a container's work folder: intake's total (20 MiB) and more. */
const workdirBytes = 32 * 1024 * 1024;

/**
 * The pools of script containers of one session (or of a batch slot's sessions: `begin`): made on
 * first use or by `warm`, each given the files of the submission it serves, replaced when one died;
 * `acquire` and `release` lend them to runs. They are removed by their labels with the rest of the
 * session's (or the slot's) containers, once `settle` says no creation or removal is under way.
 */
export class ScriptHosts {
  private places: PoolPlace[] = [];
  /** Creations and removals under way: teardown waits for them (see `settle`). */
  private readonly pending = new Set<Promise<unknown>>();
  private pools: Record<string, string>;
  /** Pools whose image cannot run the supervisor. */
  private readonly unsupervised = new Set<string>();

  /**
   * `env` is the submission's; `keeper` labels the supervised containers, which outlive it when a
   * batch slot keeps them (its own identity; by default the submission's, removed with it).
   */
  constructor(
    private env: FilesEnvironment,
    private readonly keeper: SessionIdentity = env.identity,
  ) {
    this.pools = hostPools(env.services, env.images);
  }

  /**
   * The next submission of a batch slot, on the same network: its files go into the supervised
   * containers as they are next used (or warmed); the containers of images without the supervisor
   * were the last submission's and went with it.
   */
  begin(env: FilesEnvironment): void {
    this.env = env;
    this.pools = hostPools(env.services, env.images);
    for (const place of this.places) if (place.host ? !place.host.supervisor : this.unsupervised.has(place.service)) this.drop(place);
  }

  /** The pool whose containers run `service`'s scripts (see `hostPools`). */
  poolOf(service: string): string {
    return this.pools[service] ?? service;
  }

  /**
   * Readies containers ahead of need, `count` per pool, while other start-up work goes on: starts
   * new ones, and gives those kept from the last submission this one's files.
   */
  warm(counts: Record<string, number>): Promise<unknown> {
    const readied: Promise<unknown>[] = [];
    for (const [service, count] of Object.entries(counts)) {
      const idle = this.places.filter((s) => s.service === service && !s.busy);
      for (const place of idle.slice(0, count)) readied.push(this.prepare(place).ready.catch(() => undefined));
      const have = this.places.filter((s) => s.service === service).length;
      for (let i = have; i < count; i += 1) readied.push(this.add(service).ready);
    }
    return Promise.all(readied);
  }

  /**
   * Makes the place's `ready` the container holding the current submission's files: a supervised
   * one kept from the last submission is reset first (see supervisor.py). A container in which
   * anything of the last submission was left, or whose supervisor does not answer, is dropped
   * and removed: its `ready` rejects with CONTAINER_GONE, and the caller takes another.
   */
  private prepare(place: PoolPlace): PoolPlace {
    const session = this.env.identity.session;
    if (place.preparedFor === session) return place;
    place.preparedFor = session;
    const { workdir } = this.env.lab;
    const { files } = this.env;
    place.ready = this.track(
      place.ready.then(async (host) => {
        if (!host.supervisor) return host;
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), resetTimeoutMs)));
        const answer = await Promise.race([host.supervisor.reset(workdir, files), late]).finally(() => clearTimeout(timer));
        if (answer !== 'late' && answer?.failed) throw new LabsError('DOCKER_FAILED', `the student's files could not be written: ${answer.failed}`);
        if (answer === 'late' || !answer || answer.left.length) {
          this.drop(place);
          this.track(this.env.runtime.removeContainer(host.containerId).catch(() => undefined));
          const why =
            answer === 'late'
              ? `its supervisor did not answer within ${resetTimeoutMs / 1000} s`
              : answer
                ? `the last submission left ${answer.left.slice(0, 5).join(', ')}`
                : 'it is gone';
          throw new LabsError('CONTAINER_GONE', `a script container could not be made clean for the next submission: ${why}`);
        }
        return host;
      }),
    );
    // Whoever waits for it handles its failure; nobody else must see it unhandled.
    place.ready.catch(() => undefined);
    return place;
  }

  /** A container of `service` that runs nothing now; marked busy until `release`. */
  async acquire(service: string): Promise<ScriptHost> {
    const pool = this.poolOf(service);
    for (let attempt = 0; ; attempt += 1) {
      const place = this.places.find((s) => s.service === pool && !s.busy) ?? this.add(pool);
      place.busy = true;
      try {
        return await this.prepare(place).ready;
      } catch (error) {
        this.drop(place);
        // A kept container that could not be made clean is replaced by a new one, once.
        if (attempt > 0 || !isLabsError(error) || error.code !== 'CONTAINER_GONE') throw error;
      }
    }
  }

  /** Gives a container back once its run ended; `replace` removes it (it died, or the engine failed on it). */
  release(host: ScriptHost, options: { replace?: boolean } = {}): void {
    const place = this.places.find((s) => s.host === host);
    if (!place) return;
    if (options.replace || host.killed) {
      this.drop(place);
      this.track(this.env.runtime.removeContainer(host.containerId).catch(() => undefined));
    } else {
      place.busy = false;
    }
  }

  /**
   * Runs a command of `service` in a free container, replacing one that died since its last run;
   * `env` is set for this run only, over the container's environment.
   */
  async exec(
    service: string,
    argv: string[],
    onLine: (line: OutputLineEvent) => void,
    maxBytes: number,
    beforeStart: (host: ScriptHost) => void = () => undefined,
    env: Record<string, string> = {},
  ): Promise<{ host: ScriptHost; finished: Promise<{ exitCode: number; bytes: number; truncated: boolean }>; unanswered: () => string | undefined }> {
    // The service's own environment (the compose file's) is each run's: its containers are shared.
    const variables = { ...this.env.services[service]?.environment, ...env };
    for (let attempt = 0; ; attempt += 1) {
      const host = await this.acquire(service);
      try {
        beforeStart(host);
        if (host.supervisor) {
          const run = host.supervisor.run(argv, this.env.lab.workdir, maxBytes, onLine, variables);
          host.run = run;
          return { host, finished: run.finished, unanswered: run.unanswered };
        }
        const pairs = Object.entries(variables).map(([k, v]) => `${k}=${v}`);
        const run = await this.env.runtime.execLines(host.containerId, runCommand(pairs.length ? ['env', ...pairs, ...argv] : argv), onLine, {
          user: studentUser,
          workingDir: this.env.lab.workdir,
          maxBytes,
        });
        // Without the supervisor nobody watches its connection requests.
        return { host, finished: run.finished, unanswered: () => undefined };
      } catch (error) {
        this.release(host, { replace: true });
        if (attempt > 0 || !isLabsError(error) || error.code !== 'CONTAINER_GONE') throw error;
      }
    }
  }

  /**
   * Kills whatever runs in `host` as the student; resolves once nothing does, with whether the
   * kernel killed a process of it for want of memory since the last cleanup.
   */
  async cleanup(host: ScriptHost): Promise<{ oomKilled: boolean }> {
    if (host.supervisor) return this.stopSupervised(host, host.supervisor);
    try {
      const result = await this.env.runtime.exec(host.containerId, cleanupCommand, { user: studentUser, timeoutMs: cleanupTimeoutMs });
      if (result.stdout.includes(cleanupDone)) {
        const kills = parseOomKills(result.stdout) ?? 0;
        const before = host.oomKills;
        host.oomKills = kills;
        return { oomKilled: kills > before };
      }
      // It did not run to its end: a fork bomb holds every process slot, so the engine could not
      // start it ("OCI runtime exec failed") or the shell could not fork ("Cannot fork").
    } catch (error) {
      // A container that is gone runs nothing.
      if (isLabsError(error) && error.code === 'CONTAINER_GONE') return { oomKilled: false };
      if (!isLabsError(error)) throw error;
    }
    // What runs in it may still run: the container goes down with it (and is replaced), so the
    // run ends. Should the engine fail that too, the failure is the engine's.
    host.killed = true;
    await this.env.runtime.killContainer(host.containerId);
    return { oomKilled: false };
  }

  private async stopSupervised(host: ScriptHost, supervisor: SupervisorChannel): Promise<{ oomKilled: boolean }> {
    const run = host.run;
    if (!run) return { oomKilled: false };
    if (!run.hasEnded()) supervisor.stop(run.id);
    let timer: NodeJS.Timeout | undefined;
    const end = await Promise.race([run.ended, new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), supervisedStopTimeoutMs)))]);
    clearTimeout(timer);
    if (end === undefined) {
      // The container went away with the run: it runs nothing, and is replaced.
      host.killed = true;
      return { oomKilled: false };
    }
    if (end !== 'late' && !end.stuck) {
      const kills = end.oom ?? 0;
      const before = host.oomKills;
      host.oomKills = kills;
      return { oomKilled: kills > before };
    }
    // It did not answer in time (paused, starved) or could not kill all: the container goes down
    // with whatever runs in it, and is replaced.
    host.killed = true;
    await this.env.runtime.killContainer(host.containerId);
    return { oomKilled: false };
  }

  /**
   * Resolves once no container is being created or removed. The session's teardown lists its
   * containers by label: one still being created then would escape the list, and the engine would
   * keep an endpoint of it on the network for good ("has active endpoints").
   */
  async settle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.pending.add(work);
    const done = (): void => void this.pending.delete(work);
    work.then(done, done);
    return work;
  }

  private add(service: string): PoolPlace {
    // A new container is reset once it is up, as a kept one is: that puts the files in.
    const place: PoolPlace = { service, busy: false, ready: this.track(this.create(service)), preparedFor: '' };
    this.prepare(place);
    void place.ready.then(
      (host) => (place.host = host),
      () => this.drop(place),
    );
    this.places.push(place);
    return place;
  }

  private drop(place: PoolPlace): void {
    this.places = this.places.filter((s) => s !== place);
  }

  private async create(service: string): Promise<ScriptHost> {
    if (!this.unsupervised.has(service)) {
      const host = await this.createSupervised(service);
      if (host) return host;
      this.unsupervised.add(service);
    }
    const { id, runtime } = await this.createContainer(service, {
      // The engine's init is PID 1 and reaps what student code leaves behind.
      cmd: ['sleep', '2147483647'],
      user: keeperUser,
      // Without the supervisor the files are in a volume of the submission's, and the container
      // goes with it (`begin`).
      volumes: [{ source: await this.env.filesVolume(), target: this.env.lab.workdir, readOnly: true }],
      identity: this.env.identity,
    });
    await runtime.startContainer(id, `a container for ${service}`);
    return this.hostOf(service, id);
  }

  /**
   * A container whose main process is the supervisor (run/supervisor.py); undefined when its image
   * has no python3 to run it, and runs are then commands started in the container.
   */
  private async createSupervised(service: string): Promise<ScriptHost | undefined> {
    const supervisor = new SupervisorChannel();
    const { id, runtime } = await this.createContainer(service, {
      cmd: supervisorCommand(preloadedModules(this.env.services[service]?.packages.pip ?? [])),
      user: '0:0',
      capAdd: supervisorCapabilities,
      openStdin: true,
      noLog: true,
      workdirTmpfs: true,
      identity: this.keeper,
    });
    supervisor.connect(
      await runtime.attach(
        id,
        (chunk) => supervisor.onStdout(chunk),
        (chunk) => supervisor.onStderr(chunk),
      ),
    );
    // The engine's init says so when there is no python3 to start: "exec python3 failed: No such file".
    const noPython = (error: unknown): boolean => /(exec python3 failed|executable file not found)/i.test((error as Error).message);
    try {
      await runtime.startContainer(id, `a container for ${service}`);
      await supervisor.ready;
    } catch (error) {
      if (noPython(error)) {
        await runtime.removeContainer(id).catch(() => undefined);
        return undefined;
      }
      if (isLabsError(error)) throw error;
      throw new LabsError('DOCKER_FAILED', `the container for ${service} did not start: ${(error as Error).message}`, { cause: error });
    }
    return { ...(await this.hostOf(service, id)), supervisor };
  }

  private async createContainer(
    service: string,
    how: Pick<ContainerCreate, 'cmd' | 'user' | 'capAdd' | 'openStdin' | 'noLog'> & {
      volumes?: ContainerCreate['volumes'];
      /** The work folder a tmpfs only root writes: the supervisor puts the files there. */
      workdirTmpfs?: boolean;
      identity: SessionIdentity;
    },
  ): Promise<{ id: string; runtime: FilesEnvironment['runtime'] }> {
    const { env } = this;
    const { volumes, workdirTmpfs, identity, ...rest } = how;
    const spec = env.services[service];
    const image = env.images[service];
    if (!spec || !image) throw new Error(`labs: no student service ${service} in this lab`);
    const runtime = env.runtime;
    const id = await runtime.createContainer({
      ...rest,
      name: resourceName(identity, `${service}-${randomBytes(3).toString('hex')}`),
      image,
      entrypoint: [],
      env: {
        // Buffered output is never the student's problem: Python flushes every line.
        PYTHONUNBUFFERED: '1',
        PYTHONDONTWRITEBYTECODE: '1',
        HOME: '/tmp',
      },
      workingDir: env.lab.workdir,
      labels: sessionLabels(identity, { [Label.service]: service, [Label.role]: 'script-host' }),
      network: env.network,
      volumes,
      confine: workdirTmpfs ? { ...env.confine, rootTmpfs: { [env.lab.workdir]: workdirBytes } } : env.confine,
    });
    return { id, runtime };
  }

  private async hostOf(service: string, id: string): Promise<ScriptHost> {
    const state = await this.env.runtime.inspectContainer(id);
    return { service, containerId: id, address: state.ip[this.env.network] ?? '', oomKills: 0 };
  }
}
