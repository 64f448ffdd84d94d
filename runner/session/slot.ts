/**
 * A batch slot: what one lane of a batch keeps from one submission to the next, so that each
 * submission does not pay for it again (ARCHITECTURE.md, "The life of a session"): the lab network
 * with its firewall rules; the network namespace Redis runs in (`RedisHome`); the wire recorder,
 * which closes every connection and marks where the next session's lines start (`record`); and the
 * containers scripts run in, each reset by its supervisor between two submissions (run/hosts.ts,
 * `ScriptHosts.begin`). Redis and its volumes are every submission's own, made for it, removed
 * when it ends (session/check.ts, before the next Redis starts in the home), so nothing a
 * submission did to Redis (its keys, `CONFIG SET`, `CLIENT PAUSE`, `SHUTDOWN`)
 * reaches the next. Measured on 2 cores (`npm run bench -- grade`, 100 exercise-2 submissions):
 * 53.5 graded a minute and 1.65 s of the machine's CPU each, against 33.2 and 3.08 s without slots.
 *
 * A slot whose submission did not end graded (an infrastructure error, a timeout, an interruption)
 * is closed and a new one opened: only a slot whose last session ended as expected is reused.
 */
import { LabsError } from '../errors.js';
import type { Lab } from '../lab/types.js';
import type { ImageEvent } from '../provision/images.js';
import {
  type LabNetwork,
  type RecorderHandle,
  type RedisHome,
  closeLabNetwork,
  newUpstreamAlias,
  openLabNetwork,
  startRecorder,
  startRedisHome,
} from '../provision/isolated.js';
import { cleanupLimitMs, drainWithin, settleAll, stuckEngine } from '../provision/settle.js';
import { type SessionIdentity, currentOwner, newSessionId } from '../provision/labels.js';
import { recorderImage } from '../provision/recorder/image.js';
import type { ContainerRuntime } from '../provision/runtime.js';
import type { ScriptHosts } from '../run/hosts.js';

/** Sessions a slot serves before it is closed and a new one opened: bounds the recorder's log (a few MB a session). */
const sessionsPerSlot = 50;
/** How long the recorder may take to log its mark once asked (it does at once; beyond this it is stuck). */
const markTimeoutMs = 10_000;

/** One session's share of the recorder's log (see `GradingSlot.record`). */
export interface Recording {
  /** Why the recorder's log ended or broke while it was this session's; undefined while all is well. */
  failure: () => unknown;
  /** The session's lines end here. */
  stop: () => void;
}

interface KeptRecorder {
  handle: RecorderHandle;
  /** The network namespace each session's Redis runs in, which the recorder forwards to. */
  home: RedisHome;
  /** Lines go here once the mark of the session that wants them has come. */
  sink?: { mark: number; seen: boolean; feed: (text: string) => void; onMark: () => void };
  marks: number;
  failure?: unknown;
}

/** One lane's kept network, recorder and script containers; made on first use, removed by `close`. */
export class GradingSlot {
  /** The script containers, once the first session made them (session/check.ts). */
  hosts: ScriptHosts | undefined;
  /** Sessions that have used the slot. */
  sessions = 0;
  private network: Promise<LabNetwork> | undefined;
  private kept: Promise<KeptRecorder> | undefined;
  private readonly following = new AbortController();
  /** Its sessions' removals under way: the network goes only once their containers have left it. */
  private readonly removals = new Set<Promise<void>>();
  private follow: Promise<unknown> = Promise.resolve();
  private closed = false;
  private spoiled = false;

  private constructor(
    readonly runtime: ContainerRuntime,
    readonly lab: Lab,
    /** The labels of what the slot keeps: its own session id, removed by `close`. */
    readonly identity: SessionIdentity,
  ) {}

  /**
   * A slot for `lab`'s submissions, labelled `identity` (default: a new grading session id); it
   * makes nothing until its first session asks. A session without a batch has one of its own, with
   * its own identity, and closes it at its end.
   */
  static forLab(runtime: ContainerRuntime, lab: Lab, identity?: SessionIdentity): GradingSlot {
    return new GradingSlot(runtime, lab, identity ?? { lab: lab.id, session: newSessionId(), mode: 'grade', owner: currentOwner() });
  }

  /** Whether it has served its share of sessions, or cannot be proved clean, and must be replaced. */
  get worn(): boolean {
    return this.spoiled || this.sessions >= sessionsPerSlot;
  }

  /** Says that what a session left on the slot could not be taken off it: it serves no other. */
  spoil(): void {
    this.spoiled = true;
  }

  /**
   * The slot's lab network, made on first call. Throws what `openLabNetwork` throws (then the
   * next call tries again).
   */
  labNetwork(signal?: AbortSignal): Promise<LabNetwork> {
    if (this.closed) throw new Error('labs: the batch slot is closed');
    if (!this.network) {
      const opening = openLabNetwork(this.runtime, this.identity, signal);
      this.network = opening;
      opening.catch(() => {
        if (this.network === opening) this.network = undefined;
      });
    }
    return this.network;
  }

  /**
   * The slot's wire recorder on its lab network, started (from an image built on `baseImage`) on
   * first call and followed from then on.
   * Throws DOCKER_FAILED, NOT_READY and the image's errors.
   */
  async recorder(baseImage: string, onEvent?: (event: ImageEvent) => void, signal?: AbortSignal): Promise<RecorderHandle> {
    const network = await this.labNetwork(signal);
    if (!this.kept) {
      const starting = (async (): Promise<KeptRecorder> => {
        const image = await recorderImage(this.runtime, baseImage, onEvent);
        const upstreamAlias = newUpstreamAlias();
        const [handle, home] = await settleAll([
          startRecorder({ runtime: this.runtime, identity: this.identity, lab: this.lab, image, network: network.name, upstreamAlias, signal }),
          startRedisHome({ runtime: this.runtime, identity: this.identity, image, labNetwork: network, upstreamAlias, signal }),
        ]);
        const kept: KeptRecorder = { handle, home, marks: 0 };
        this.follow = this.runtime
          .followLines(handle.containerId, (line) => line.stream === 'stdout' && this.route(kept, line.text), {
            maxBytes: 1024 * 1024 * 1024,
            signal: this.following.signal,
          })
          .then(
            (followed) => {
              kept.failure ??= new LabsError('DOCKER_FAILED', followed.truncated ? "the wire recorder's log grew past 1 GiB" : "the wire recorder's log ended");
            },
            (error: unknown) => void (kept.failure ??= error),
          );
        return kept;
      })();
      this.kept = starting;
      starting.catch(() => {
        if (this.kept === starting) this.kept = undefined;
      });
    }
    const kept = await this.kept;
    // A check that renames it (redis-from-env) gives it its name back before it ends, and a slot
    // serves again only after a session that ended graded: it answers as the lab's Redis service.
    return kept.handle;
  }

  /** The Redis home (`RedisHome`) the recorder forwards to; made with it by `recorder`, which must come first. */
  async redisHome(): Promise<RedisHome> {
    const kept = await this.kept;
    if (!kept) throw new Error('labs: redisHome() before recorder()');
    return kept.home;
  }

  /**
   * Starts a session's share of the recorder's log: the recorder closes every connection left and
   * logs a mark (SIGUSR2; provision/recorder/resp-proxy.cjs), and the lines after it go to `feed`.
   * Resolves once the mark is in; throws DOCKER_FAILED when it does not come.
   */
  async record(feed: (text: string) => void): Promise<Recording> {
    const kept = await this.kept;
    if (!kept) throw new Error('labs: record() before recorder()');
    this.sessions += 1;
    kept.marks += 1;
    let timer: NodeJS.Timeout | undefined;
    const marked = new Promise<void>((resolve, reject) => {
      kept.sink = { mark: kept.marks, seen: false, feed, onMark: resolve };
      timer = setTimeout(
        () => reject(new LabsError('DOCKER_FAILED', `the wire recorder did not mark the start of the session within ${markTimeoutMs / 1000} s`)),
        markTimeoutMs,
      );
    });
    try {
      await this.runtime.killContainer(kept.handle.containerId, 'SIGUSR2');
      await marked;
    } finally {
      clearTimeout(timer);
    }
    const sink = kept.sink;
    return {
      failure: () => kept.failure,
      stop: () => {
        if (kept.sink === sink) kept.sink = undefined;
      },
    };
  }

  /**
   * Registers the removal of one of its sessions' own containers, which `close` waits for (at most
   * 30 s). A removal that fails spoils the slot: what that session left cannot be proved off it, so
   * no session that starts after the failure is known gets it (the one that took it meanwhile runs
   * on: the session was detached from the slot's network and its Redis removed before it was given).
   */
  track(removal: Promise<void>): void {
    const tracked = removal.catch(() => this.spoil()).finally(() => this.removals.delete(tracked));
    this.removals.add(tracked);
  }

  /** Removes everything the slot kept (its containers, its network, its firewall rules). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.following.abort();
    // A session that was abandoned may never end its removal: the network is tried anyway.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all([...this.removals]), new Promise((resolve) => (timer = setTimeout(resolve, 30_000)))]);
    clearTimeout(timer);
    await this.hosts?.settle();
    await Promise.all([this.network?.catch(() => undefined), this.kept?.catch(() => undefined), this.follow]);
    await closeLabNetwork(this.runtime, this.identity);
  }

  /** A line of the recorder's log: the current session's after its mark; before it, the last session's tail, dropped. */
  private route(kept: KeptRecorder, text: string): void {
    const sink = kept.sink;
    if (!sink) return;
    if (sink.seen) return sink.feed(text);
    if (text.startsWith('{"e":"mark"') && (JSON.parse(text) as { m: number }).m === sink.mark) {
      sink.seen = true;
      sink.onMark();
    }
  }
}

/**
 * The idle slots of a batch (`labs grade`'s local pool, a `labs worker`), by lab: a session takes
 * one (or a new one) and gives it back when it ends; only a slot whose session ended graded, and
 * that is not worn, is kept for the next. A slot idle for `idleMs` (a worker waiting for the next
 * batch) is closed, so that it holds no network range and no container meanwhile; `close` closes
 * the idle ones and waits for every closing one. A slot whose removal fails (`close` throws) is
 * passed to `onLeftBehind` with the error: its resources stay until `labs prune`.
 */
export class SlotPool {
  private readonly idle = new Map<string, { slot: GradingSlot; timer?: NodeJS.Timeout }[]>();
  private readonly closing = new Set<Promise<void>>();

  constructor(
    private readonly runtime: ContainerRuntime,
    private readonly idleMs?: number,
    /** Told each slot whose close failed (`count` 1), and once of those the engine never finished closing. */
    private readonly onLeftBehind: (error: unknown, count: number) => void = () => {},
  ) {}

  /** An idle slot for `lab` that is not worn (one spoiled while idle is closed), or a new one. */
  take(lab: Lab): GradingSlot {
    const list = this.idle.get(lab.id) ?? [];
    for (let kept = list.pop(); kept; kept = list.pop()) {
      clearTimeout(kept.timer);
      if (!kept.slot.worn) return kept.slot;
      this.retire(kept.slot);
    }
    return GradingSlot.forLab(this.runtime, lab);
  }

  /** Gives `slot` back: kept for the next session when `reusable` and not worn, else closed. */
  give(slot: GradingSlot, reusable: boolean): void {
    if (!reusable || slot.worn) return this.retire(slot);
    const list = this.idle.get(slot.lab.id) ?? [];
    const entry: { slot: GradingSlot; timer?: NodeJS.Timeout } = { slot };
    if (this.idleMs !== undefined) {
      entry.timer = setTimeout(() => {
        list.splice(list.indexOf(entry), 1);
        this.retire(slot);
      }, this.idleMs);
      entry.timer.unref();
    }
    list.push(entry);
    this.idle.set(slot.lab.id, list);
  }

  /**
   * Closes the idle slots and waits for every slot being closed, at most `limitMs`: an engine that
   * stopped answering (Docker 20.10 once deadlocked in libnetwork after a batch's last result, every
   * call that lists networks waiting for ever) is passed to `onLeftBehind` as DOCKER_FAILED, and the
   * batch ends with its results instead of waiting with it.
   */
  async close(limitMs = cleanupLimitMs): Promise<void> {
    const entries = [...this.idle.values()].flat();
    this.idle.clear();
    for (const entry of entries) {
      clearTimeout(entry.timer);
      this.retire(entry.slot);
    }
    const stuck = await drainWithin(this.closing, limitMs);
    if (stuck) this.onLeftBehind(stuckEngine(stuck, 'batch slot(s)', limitMs), stuck);
  }

  private retire(slot: GradingSlot): void {
    const closing = slot.close().catch((error: unknown) => this.onLeftBehind(error, 1));
    this.closing.add(closing);
    void closing.finally(() => this.closing.delete(closing));
  }
}
