/**
 * Waiting for every engine request of a step before acting on a failure of one of them.
 */
import { LabsError } from '../errors.js';

/**
 * Like Promise.all (promises or values), but settles only once every promise has: resolves with their values in input
 * order, or rejects with the first rejection in input order. So nothing is still in flight when the
 * caller cleans up after a failure: a container create the engine answers after an interrupt is
 * done before the cleanup lists what to remove (CI saw Promise.all leave a Redis container behind).
 */
export async function settleAll<const T extends readonly unknown[]>(promises: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
}

/**
 * Waits until `pending` (a set that may grow meanwhile) is empty, at most `limitMs`. Resolves with
 * how many were still pending when the limit passed (0 when all ended): an engine that stopped
 * answering never settles its requests, and the caller says so instead of waiting with it.
 */
export async function drainWithin(pending: Set<Promise<unknown>>, limitMs: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), limitMs)));
  try {
    while (pending.size) if ((await Promise.race([Promise.all([...pending]), late])) === 'late') return pending.size;
    return 0;
  } finally {
    clearTimeout(timer);
  }
}

/** How long a batch waits at its end for the engine to remove what it made: 20 slots took 2 to 3 s on 2 cores. */
export const cleanupLimitMs = 120_000;

/** What a batch says of removals the engine did not finish within `limitMs` (see drainWithin). */
export function stuckEngine(count: number, what: string, limitMs: number): LabsError {
  return new LabsError('DOCKER_FAILED', `the Docker engine did not finish removing ${count} ${what} within ${limitMs / 1000} s`, {
    hint: 'the engine may be stuck: restart it (for instance `sudo systemctl restart docker`), then run `labs prune`',
  });
}
