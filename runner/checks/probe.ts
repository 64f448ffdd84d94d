/**
 * The grader's own line to Redis, straight to the server (never through the recorder): ioredis, the
 * only module that imports it. Items are read and written as raw buffers.
 */
import { Redis } from 'ioredis';
import { LabsError } from '../errors.js';

export interface Probe {
  push: (db: number, key: string, values: Buffer[]) => Promise<number>;
  range: (db: number, key: string) => Promise<Buffer[]>;
  length: (db: number, key: string) => Promise<number>;
  /**
   * Writes `key` in `db` afresh: a string (SET) when `value` is a buffer, a hash of these fields
   * otherwise (DEL, then HSET). The grader's own record of a job, malformed on purpose.
   */
  store: (db: number, key: string, value: Buffer | Record<string, string>) => Promise<void>;
  /** Every list in every db that holds something: where a misdirected producer put its items. */
  lists: () => Promise<{ db: number; key: string; length: number }[]>;
  /** Empties every db without FLUSHALL, which would also make Redis save and reset its save clock. */
  flushAll: () => Promise<void>;
  /** Whether Redis has save points (`--save 1 1`); an empty `save` means it never snapshots. */
  savesConfigured: () => Promise<boolean>;
  /** Settled: no change waits to be saved and no save is running. */
  persistence: () => Promise<{ settled: boolean }>;
  /** How many clients Redis has besides the grader's own: the recorder's connections for the scripts. */
  otherClients: () => Promise<number>;
  close: () => Promise<void>;
}

/**
 * An error reply from Redis to one of the grader's own commands: Redis, as the student configured
 * it, refuses what the check needs (READONLY when it was told to be a replica, say).
 */
export function redisRefusal(error: unknown): string | undefined {
  return error instanceof Error && error.name === 'ReplyError' ? error.message : undefined;
}

/**
 * The grader's connection to Redis at `host:port` (one ioredis client per db, opened when first used,
 * never reconnecting). Throws DOCKER_FAILED when it cannot connect at all; each method then throws
 * CONTAINER_GONE when its connection fails or a db's first connection does (Redis answered before),
 * and Redis's own refusals as they are (`redisRefusal`).
 */
export async function openProbe({ host, port }: { host: string; port: number }): Promise<Probe> {
  const clients = new Map<number, Redis>();
  // Once db 0 answered, a db's first connection failing means Redis went away (CONTAINER_GONE).
  let reached = false;
  const client = async (db: number): Promise<Redis> => {
    let c = clients.get(db);
    if (!c) {
      // No reconnecting: when the grader kills Redis (the persistence check) this client is done.
      c = new Redis({ host, port, db, lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5000, retryStrategy: () => null });
      // Failures reach the caller through the command that failed; the event would only be noise.
      c.on('error', () => {});
      clients.set(db, c);
      try {
        await c.connect();
      } catch (error) {
        if (reached) throw lostRedis(`${host}:${port}`, error);
        throw new LabsError('DOCKER_FAILED', `the grader could not reach its Redis at ${host}:${port}: ${(error as Error).message}`, {
          hint: 'see `labs doctor`; this is not a problem with your code',
          cause: error,
        });
      }
    }
    return c;
  };
  await client(0);
  reached = true;
  const probe: Probe = {
    push: async (db, key, values) => (await client(db)).rpush(key, ...values),
    range: async (db, key) => (await client(db)).lrangeBuffer(key, 0, -1),
    length: async (db, key) => (await client(db)).llen(key),
    store: async (db, key, value) => {
      const c = await client(db);
      if (Buffer.isBuffer(value)) await c.set(key, value);
      else {
        await c.del(key);
        await c.hset(key, value);
      }
    },
    lists: async () => {
      const found: { db: number; key: string; length: number }[] = [];
      const info = await (await client(0)).info('keyspace');
      for (const match of info.matchAll(/^db(\d+):keys=(\d+)/gm)) {
        const db = Number(match[1]);
        const c = await client(db);
        let cursor = '0';
        do {
          const [next, keys] = await c.scan(cursor, 'COUNT', 200);
          cursor = next;
          for (const key of keys) if ((await c.type(key)) === 'list') found.push({ db, key, length: await c.llen(key) });
        } while (cursor !== '0' && found.length < 50);
      }
      return found;
    },
    flushAll: async () => {
      const info = await (await client(0)).info('keyspace');
      for (const match of info.matchAll(/^db(\d+):keys=/gm)) await (await client(Number(match[1]))).flushdb();
    },
    savesConfigured: async () => {
      const reply = (await (await client(0)).config('GET', 'save')) as string[];
      return Boolean(reply[1]?.trim());
    },
    persistence: async () => {
      const info = await (await client(0)).info('persistence');
      const field = (name: string): number => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0);
      return { settled: field('rdb_changes_since_last_save') === 0 && field('rdb_bgsave_in_progress') === 0 };
    },
    otherClients: async () => {
      const own = new Set<string>();
      for (const c of clients.values()) own.add(String(await c.client('ID')));
      const list = String(await (await client(0)).client('LIST'));
      return list.split('\n').filter((line) => line.trim() && !own.has(/(?:^| )id=(\d+)/.exec(line)?.[1] ?? '')).length;
    },
    close: async () => {
      for (const c of clients.values()) c.disconnect();
    },
  };
  return Object.fromEntries(
    Object.entries(probe).map(([name, call]) => [name, name === 'close' ? call : guarded(call as (...a: unknown[]) => Promise<unknown>, `${host}:${port}`)]),
  ) as unknown as Probe;
}

/**
 * A probe command whose connection failed (not Redis refusing it: that is `redisRefusal`, the check's
 * to judge) is CONTAINER_GONE (exit 3): Redis stopped or went away during the check, and the grader
 * cannot see what it needs. ioredis says "Connection is closed." and the like; without this it
 * reached the CLI as an internal error, "please report".
 */
function guarded<A extends unknown[], R>(call: (...args: A) => Promise<R>, where: string): (...args: A) => Promise<R> {
  return async (...args: A): Promise<R> => {
    try {
      return await call(...args);
    } catch (error) {
      if (redisRefusal(error) !== undefined || error instanceof LabsError) throw error;
      throw lostRedis(where, error);
    }
  };
}

/** CONTAINER_GONE: the grader's connection to Redis at `where` failed during the check (`error`, ioredis's). */
function lostRedis(where: string, error: unknown): LabsError {
  return new LabsError(
    'CONTAINER_GONE',
    `the grader lost its connection to Redis at ${where} (${(error as Error).message}): Redis stopped or went away during the check`,
    {
      hint: 'if a script stops Redis (SHUTDOWN, DEBUG), remove that and check again; otherwise check again, and see `labs doctor` if it happens again',
      cause: error,
    },
  );
}

/** Every method of a Probe, so that a probe forwarding to another cannot miss one. */
const probeMethods: Record<keyof Probe, true> = {
  push: true,
  range: true,
  length: true,
  store: true,
  lists: true,
  flushAll: true,
  savesConfigured: true,
  persistence: true,
  otherClients: true,
  close: true,
};

/**
 * A probe that outlives the Redis it talks to: `probe` forwards to the current connection, and
 * `reopen` closes that and connects to Redis at its new address (the persistence check re-creates
 * Redis). So a check's context holds one probe for the whole session and never replaces it.
 * `open` connects (openProbe by default); its errors are `openProbe`'s.
 */
export async function openFollowingProbe(
  address: { host: string; port: number },
  open: (address: { host: string; port: number }) => Promise<Probe> = openProbe,
): Promise<{ probe: Probe; reopen: (address: { host: string; port: number }) => Promise<void> }> {
  let current = await open(address);
  const forward =
    (name: keyof Probe) =>
    (...args: unknown[]) =>
      (current[name] as (...a: unknown[]) => Promise<unknown>)(...args);
  const probe = Object.fromEntries(Object.keys(probeMethods).map((name) => [name, forward(name as keyof Probe)])) as unknown as Probe;
  return {
    probe,
    reopen: async (next) => {
      await current.close().catch(() => undefined);
      current = await open(next);
    },
  };
}
