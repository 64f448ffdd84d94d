/**
 * Runs `run` on each item, at most `concurrency` at once, taking them in order, and calls
 * `onResult` in the order of the items whichever ends first (an item's result waits for those
 * before it), so that what is printed does not depend on timing. The first item that throws stops
 * the others (the signal `run` is given aborts, and no further item starts); the pool rethrows that
 * error once the items under way have ended. Resolves with the results in item order; throws the
 * reason of `signal` when it aborts between items.
 */
export async function inOrderPool<T, R>(
  items: T[],
  concurrency: number,
  run: (item: T, signal: AbortSignal) => Promise<R>,
  hooks: { signal?: AbortSignal; onStart?: (item: T) => void; onResult?: (result: R) => void } = {},
): Promise<R[]> {
  const results: { value: R }[] = [];
  let reported = 0;
  const stop = new AbortController();
  const signal = hooks.signal ? AbortSignal.any([hooks.signal, stop.signal]) : stop.signal;
  let failure: { error: unknown } | undefined;
  let taken = 0;
  const worker = async (): Promise<void> => {
    while (taken < items.length && !signal.aborted) {
      const index = taken;
      taken += 1;
      hooks.onStart?.(items[index]!);
      try {
        results[index] = { value: await run(items[index]!, signal) };
      } catch (error) {
        failure ??= { error };
        stop.abort();
        return;
      }
      for (; results[reported]; reported += 1) hooks.onResult?.(results[reported]!.value);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, () => worker()));
  if (failure) throw failure.error;
  hooks.signal?.throwIfAborted();
  return results.map((r) => r.value);
}
