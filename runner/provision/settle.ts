/**
 * Waiting for every engine request of a step before acting on a failure of one of them.
 */

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
