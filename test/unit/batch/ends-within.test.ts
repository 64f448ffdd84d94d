/**
 * A stopped grading session gets a grace period to end, and is then let go: a session that hangs
 * after its timeout (an engine call that never answers) must not hold up the rest of the batch.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Abandoned, endsWithin } from '../../../runner/batch/grade.js';

const never = new Promise<string>(() => undefined);

describe('endsWithin', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("is the work's value when it ends, stopped or not", async () => {
    await expect(endsWithin(Promise.resolve('report'), new AbortController().signal, 1000)).resolves.toBe('report');
    await expect(endsWithin(Promise.reject(new Error('engine failed')), AbortSignal.abort(), 1000)).rejects.toThrow('engine failed');
  });

  it('waits as long as it takes while nothing has stopped the work', async () => {
    let settled = false;
    void endsWithin(never, new AbortController().signal, 1000).finally(() => (settled = true));
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(settled).toBe(false);
  });

  it('gives work that was stopped its grace, then lets it go', async () => {
    const stop = new AbortController();
    const outcome = endsWithin(never, stop.signal, 30_000).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(60_000);
    stop.abort();
    await vi.advanceTimersByTimeAsync(29_999);
    let settled = false;
    void outcome.finally(() => (settled = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await outcome).toBeInstanceOf(Abandoned);
  });

  it('work that ends within the grace after the stop keeps its outcome', async () => {
    const stop = AbortSignal.abort();
    const work = new Promise<string>((resolve) => setTimeout(() => resolve('late report'), 10_000));
    const outcome = endsWithin(work, stop, 30_000);
    await vi.advanceTimersByTimeAsync(10_000);
    await expect(outcome).resolves.toBe('late report');
  });
});
