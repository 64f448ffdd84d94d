/**
 * What the wire recorder saw, as typed records tied to the script runs that made them, and the
 * queue operations derived from them: pops, peeks and pushes on the queue, and everything else a
 * diagnosis needs (the db and keys a script used, its rate of commands). Pure, apart from the
 * live list it is fed.
 */

export interface WireCommand {
  connection: number;
  /** When the command arrived and when its reply left (a blocking pop: when it was served). */
  t: number;
  r: number;
  db: number;
  name: string;
  keys: string[];
  /** Pushed values (base64 decoded). */
  values: Buffer[];
  reply: WireReply | null;
  /** The recorder wrote its reply down (it does for list and keyspace commands, see `keyed` there). */
  replyRecorded: boolean;
}

/**
 * A reply as the recorder writes it (runner/provision/recorder/resp-proxy.cjs), the same for RESP2 and
 * RESP3: bulk strings {b} (base64), integers {i} (a RESP3 big number as its decimal string), simple
 * and verbatim strings {s}, errors {err}, arrays, sets and maps (flattened to key, value, …) {a, n},
 * RESP3 booleans {bool} and doubles {d} (decimal string); a null of either protocol is null.
 */
export type WireReply =
  { b: string } | { i: number | string } | { err: string } | { a: (WireReply | null)[]; n: number } | { s: string } | { bool: boolean } | { d: string };

export interface Connection {
  id: number;
  address: string;
  openedAt: number;
  closedAt: number | undefined;
  /** Since when it waits in a blocking pop not yet served, if it does. */
  waitingSince: number | undefined;
  /** The script run it belongs to, or undefined when no run had that address then. */
  run: string | undefined;
  /** The RESP version it speaks: 2, or 3 once a `HELLO 3` succeeded. */
  protocol: 2 | 3;
  /** Set when the recorder met bytes it could not read on it: from then on nothing of it is recorded. */
  unreadable: Unreadable | undefined;
  /** Once closed: the names of the commands (at most 8) it sent and never got an answer to, e.g. a SHUTDOWN Redis obeyed. */
  unanswered: string[];
}

/** What the recorder could not read on a connection. */
export interface Unreadable {
  t: number;
  /** Which way the bytes went: from the script ('command') or from Redis ('reply'). */
  direction: 'command' | 'reply';
  /** The parser's words, e.g. "unknown RESP type byte 0x40". */
  why: string;
  /** The first bytes not understood, in hex (at most 32). */
  at: string;
}

export interface RunWindow {
  name: string;
  address: string;
  startedAt: number;
  endedAt: number | undefined;
}

/** Feed it the recorder's output lines; it keeps connections and commands in arrival order. */
/** A blocking pop as it arrived: a consumer that waits on the wrong db or key is never served. */
export interface WireWait {
  connection: number;
  t: number;
  db: number;
  name: string;
  keys: string[];
}

/**
 * The wire recorder's log of one session, as it arrives: its JSON lines (`feed`) become connections,
 * commands with their replies, and blocking pops still waiting, each tied to the script run whose
 * container had the connection's source address when it opened (`addRun`/`endRun` windows). Times
 * are the recorder's, ms since the epoch. A line that is not JSON is skipped.
 */
export class WireLog {
  readonly connections = new Map<number, Connection>();
  readonly commands: WireCommand[] = [];
  readonly waits: WireWait[] = [];
  private readonly runs: RunWindow[] = [];
  /** Those waiting for a command (see `nextCommand`), told of each one as it comes in. */
  private readonly watchers = new Set<(command: WireCommand) => void>();

  /**
   * Resolves with true once a command that `matches` comes in, or with false after `timeoutMs`: a
   * poll looks again as soon as the wire shows what it waits for, not only when its timer says.
   * Rejects with the signal's reason when it aborts.
   */
  nextCommand(matches: (command: WireCommand) => boolean, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const end = (settle: () => void): void => {
        clearTimeout(timer);
        this.watchers.delete(watcher);
        signal?.removeEventListener('abort', onAbort);
        settle();
      };
      const watcher = (command: WireCommand): void => {
        if (matches(command)) end(() => resolve(true));
      };
      const onAbort = (): void => end(() => reject(signal!.reason));
      const timer = setTimeout(() => end(() => resolve(false)), timeoutMs);
      this.watchers.add(watcher);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Registers a run's address as soon as it is known, so its connections can be attributed. */
  addRun(run: RunWindow): void {
    this.runs.push(run);
  }

  /** Closes the window of `name`'s current run at `t` (ms since the epoch), once the run is dead. */
  endRun(name: string, t: number): void {
    for (const run of this.runs) if (run.name === name && run.endedAt === undefined) run.endedAt = t;
  }

  /**
   * The run a connection opened at `t` from `address` belongs to. Runs one after another in one
   * container share its address; their windows (registered before the run starts, ended once it is
   * dead) do not overlap, so the run whose window holds `t` is the owner. Only when none does, a
   * run that started a little later or ended a little earlier is taken, and not for good.
   */
  private owner(address: string, t: number): { name: string; exact: boolean; window: RunWindow } | undefined {
    for (let i = this.runs.length - 1; i >= 0; i -= 1) {
      const run = this.runs[i]!;
      if (run.address === address && run.startedAt <= t && (run.endedAt === undefined || t <= run.endedAt)) return { name: run.name, exact: true, window: run };
    }
    for (let i = this.runs.length - 1; i >= 0; i -= 1) {
      const run = this.runs[i]!;
      if (run.address === address && run.startedAt - 2000 <= t && (run.endedAt === undefined || t <= run.endedAt + 1000))
        return { name: run.name, exact: false, window: run };
    }
    return undefined;
  }

  /**
   * Takes one line of the recorder's log: `open` and `close` of a connection (with the commands it
   * never got an answer to), `cmd` a command with its reply, `wait` a blocking pop still waiting,
   * `proto` the connection's RESP version, `unparsed` bytes it could not read.
   */
  feed(line: string): void {
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    const c = Number(record.c);
    switch (record.e) {
      case 'open': {
        const address = String(record.a ?? '');
        const t = Number(record.t);
        const owner = this.owner(address, t);
        this.connections.set(c, {
          id: c,
          address,
          openedAt: t,
          closedAt: undefined,
          waitingSince: undefined,
          run: owner?.exact ? owner.name : undefined,
          protocol: 2,
          unreadable: undefined,
          unanswered: [],
        });
        break;
      }
      case 'close': {
        const conn = this.connections.get(c);
        if (conn) {
          conn.closedAt = Number(record.t);
          if (Array.isArray(record.u)) conn.unanswered = record.u.map(String);
        }
        break;
      }
      case 'wait': {
        const conn = this.connections.get(c);
        if (conn) conn.waitingSince = Number(record.t);
        this.waits.push({
          connection: c,
          t: Number(record.t),
          db: Number(record.db ?? 0),
          name: String(record.n ?? ''),
          keys: Array.isArray(record.k) ? (record.k as unknown[]).map(String) : [],
        });
        break;
      }
      case 'proto': {
        const conn = this.connections.get(c);
        if (conn && (record.v === 2 || record.v === 3)) conn.protocol = record.v;
        break;
      }
      case 'unparsed': {
        const conn = this.connections.get(c);
        if (conn) {
          conn.unreadable = {
            t: Number(record.t),
            direction: record.d === 'reply' ? 'reply' : 'command',
            why: String(record.why ?? 'bytes that are not RESP'),
            at: String(record.at ?? ''),
          };
        }
        break;
      }
      case 'cmd': {
        const conn = this.connections.get(c);
        if (conn && String(record.n ?? '').startsWith('B')) conn.waitingSince = undefined;
        const command: WireCommand = {
          connection: c,
          t: Number(record.t),
          r: Number(record.r),
          db: Number(record.db ?? 0),
          name: String(record.n ?? ''),
          keys: Array.isArray(record.k) ? (record.k as unknown[]).map(String) : [],
          values: Array.isArray(record.v) ? (record.v as string[]).map((v) => Buffer.from(v, 'base64')) : [],
          reply: (record.y as WireReply | undefined) ?? null,
          replyRecorded: 'y' in record,
        };
        this.commands.push(command);
        for (const watcher of [...this.watchers]) watcher(command);
        break;
      }
      default:
        break;
    }
  }

  /** The run a command came from: its connection's (see ownerOf); undefined when no run had that address then. */
  runOf(command: WireCommand): string | undefined {
    const conn = this.connections.get(command.connection);
    return conn && this.ownerOf(conn);
  }

  /** The run a connection belongs to. */
  ownerOf(conn: Connection): string | undefined {
    if (conn.run !== undefined) return conn.run;
    // The line may have arrived before the run was registered: look again, and keep only a sure answer.
    const owner = this.owner(conn.address, conn.openedAt);
    if (owner?.exact) conn.run = owner.name;
    return owner?.name;
  }

  /**
   * The run window a connection belongs to: runs of one name follow each other (consumer-1 of one
   * check, then of the next), and this tells them apart.
   */
  windowOf(conn: Connection): RunWindow | undefined {
    return this.owner(conn.address, conn.openedAt)?.window;
  }

  /** Commands of one run (or of every run) since a mark, in arrival order. */
  since(mark: number, run?: string): WireCommand[] {
    return this.commands.slice(mark).filter((c) => run === undefined || this.runOf(c) === run);
  }

  /** Every connection the run `run` (by name: every run of that name) opened. */
  connectionsOf(run: string): Connection[] {
    return [...this.connections.values()].filter((c) => this.ownerOf(c) === run);
  }
}

export interface QueueRef {
  db: number;
  key: string;
}

export type QueueOp =
  | { op: 'pop'; t: number; run: string | undefined; raw: Buffer; command: string }
  | { op: 'peek'; t: number; run: string | undefined; raw: Buffer; command: string }
  | { op: 'push'; t: number; run: string | undefined; raw: Buffer; command: string };

function bulk(reply: WireReply | null | undefined): Buffer | undefined {
  return reply && 'b' in reply ? Buffer.from(reply.b, 'base64') : undefined;
}

/** Every bulk string in a reply, nested ones included. */
export function bulks(reply: WireReply | null | undefined): Buffer[] {
  if (!reply) return [];
  if ('b' in reply) return [Buffer.from(reply.b, 'base64')];
  if ('a' in reply) return reply.a.flatMap((r) => bulks(r));
  return [];
}

/** Recorded with arguments that are not keys. */
const keyless = new Set(['SELECT', 'FLUSHDB', 'FLUSHALL']);
const popCommands = new Set(['LPOP', 'RPOP', 'BLPOP', 'BRPOP', 'LMPOP', 'BLMPOP', 'RPOPLPUSH', 'BRPOPLPUSH', 'LMOVE', 'BLMOVE']);
const pushCommands = new Set(['LPUSH', 'RPUSH', 'LPUSHX', 'RPUSHX', 'LINSERT', 'LSET']);

/** The operations on one queue (db and key) that the wire shows, in order. */
export function queueOps(log: WireLog, commands: WireCommand[], queue: QueueRef): QueueOp[] {
  const ops: QueueOp[] = [];
  for (const c of commands) {
    if (c.db !== queue.db) continue;
    const run = log.runOf(c);
    const base = { t: c.r, run, command: c.name };
    if (popCommands.has(c.name)) {
      const source = c.keys[0];
      if (c.name === 'BLPOP' || c.name === 'BRPOP') {
        // BLPOP k1 k2 … timeout: the reply names the key the item came from.
        if (c.reply && 'a' in c.reply && c.reply.a.length === 2) {
          const key = bulk(c.reply.a[0])?.toString('utf8');
          const item = bulk(c.reply.a[1]);
          if (key === queue.key && item) ops.push({ op: 'pop', raw: item, ...base });
        }
      } else if (c.name === 'LMPOP' || c.name === 'BLMPOP') {
        if (c.reply && 'a' in c.reply && bulk(c.reply.a[0])?.toString('utf8') === queue.key) {
          for (const item of bulks(c.reply.a[1])) ops.push({ op: 'pop', raw: item, ...base });
        }
      } else if (source === queue.key) {
        for (const item of bulks(c.reply)) ops.push({ op: 'pop', raw: item, ...base });
        const destination = c.name === 'RPOPLPUSH' || c.name === 'BRPOPLPUSH' || c.name.endsWith('LMOVE') ? c.keys[1] : undefined;
        if (destination === queue.key) for (const item of bulks(c.reply)) ops.push({ op: 'push', raw: item, ...base });
      }
    } else if ((c.name === 'LRANGE' || c.name === 'LINDEX') && c.keys[0] === queue.key) {
      for (const item of bulks(c.reply)) ops.push({ op: 'peek', raw: item, ...base });
    } else if (pushCommands.has(c.name) && c.keys[0] === queue.key) {
      const values = c.name === 'LINSERT' ? c.values.slice(-1) : c.name === 'LSET' ? c.values.slice(-1) : c.values;
      for (const item of values) ops.push({ op: 'push', raw: item, ...base });
    }
  }
  return ops;
}

/** What a run did on the wire, summarised for a diagnosis. */
export interface WireProfile {
  connections: number;
  commands: number;
  /** Databases it selected or used, and the keys it touched, most used first. */
  dbs: number[];
  keys: string[];
  names: Record<string, number>;
  emptyPops: number;
  blockingPops: number;
  peeks: number;
  pushes: number;
  rpops: number;
  /**
   * Blocking pops left unserved because the run's own client closed their connection (its socket
   * timeout) and then asked again on a new connection: redis-py 8's default 5 s timeout with retries
   * does this to an idle `q.consume()`. `cutAfterMs` is how long the first of them had waited.
   */
  cutPops: number;
  cutAfterMs: number | undefined;
}

/** What run `run` did on the wire since command `mark`, blocking pops still waiting included: see WireProfile. */
export function wireProfile(log: WireLog, run: string, mark = 0): WireProfile {
  // Blocking pops still waiting count as what the run asked for (their db and keys), once each.
  const served = new Set(log.since(mark, run).map((c) => `${c.connection}@${c.t}`));
  const since = log.commands[mark]?.t ?? 0;
  const ownedBy = (connection: number): boolean => {
    const conn = log.connections.get(connection);
    return conn !== undefined && log.ownerOf(conn) === run;
  };
  const waiting: WireCommand[] = log.waits
    .filter((w) => w.t >= since && !served.has(`${w.connection}@${w.t}`) && ownedBy(w.connection))
    .map((w) => ({ connection: w.connection, t: w.t, r: w.t, db: w.db, name: w.name, keys: w.keys, values: [], reply: null, replyRecorded: false }));
  const commands = [...log.since(mark, run), ...waiting];
  const names: Record<string, number> = {};
  const dbs = new Map<number, number>();
  const keys = new Map<string, number>();
  let emptyPops = 0;
  let blockingPops = 0;
  let peeks = 0;
  let pushes = 0;
  let rpops = 0;
  for (const c of commands) {
    names[c.name] = (names[c.name] ?? 0) + 1;
    if (!keyless.has(c.name) && c.keys.length) {
      dbs.set(c.db, (dbs.get(c.db) ?? 0) + 1);
      // A blocking pop's last argument is its timeout, not a key.
      for (const key of c.keys.slice(0, c.name.startsWith('B') ? -1 : undefined)) if (key) keys.set(key, (keys.get(key) ?? 0) + 1);
    }
    if ((c.name === 'LPOP' || c.name === 'RPOP') && (c.reply === null || !bulks(c.reply).length)) emptyPops += 1;
    if (c.name.startsWith('B') && popCommands.has(c.name)) blockingPops += 1;
    if (c.name === 'LRANGE' || c.name === 'LINDEX') peeks += 1;
    if (pushCommands.has(c.name)) pushes += 1;
    if (c.name === 'RPOP' || c.name === 'BRPOP') rpops += 1;
  }
  const byUse = <T>(m: Map<T, number>): T[] => [...m.entries()].sort((a, b) => b[1] - a[1]).map(([k]) => k);
  const cut = cutBlockingPops(log, run, since);
  return {
    connections: log.connectionsOf(run).length,
    commands: commands.length,
    dbs: byUse(dbs),
    keys: byUse(keys),
    names,
    emptyPops,
    blockingPops,
    peeks,
    pushes,
    rpops,
    cutPops: cut.length,
    cutAfterMs: cut[0],
  };
}

/**
 * How long each blocking pop of `run` (since `since`) had waited when its connection closed unserved
 * while the run went on to open another connection: its client gave up, not the grader (a run
 * stopped by the grader opens nothing after). Durations in ms, in order.
 */
function cutBlockingPops(log: WireLog, run: string, since: number): number[] {
  const conns = log.connectionsOf(run);
  const served = new Set(log.commands.map((c) => `${c.connection}@${c.t}`));
  const cut: number[] = [];
  for (const w of log.waits) {
    if (w.t < since || served.has(`${w.connection}@${w.t}`)) continue;
    const conn = conns.find((c) => c.id === w.connection);
    if (conn?.closedAt === undefined) continue;
    const window = log.windowOf(conn);
    // Opened once the pop waited (its close may be logged a moment after the new connection opens).
    const later = conns.some((c) => c.id !== conn.id && c.openedAt > w.t && log.windowOf(c) === window);
    if (later) cut.push(conn.closedAt - w.t);
  }
  return cut;
}
