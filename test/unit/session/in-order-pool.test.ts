/**
 * The pool `labs selftest` runs its cases in: bounded, reporting in item order whatever the timing,
 * and stopping the others at the first error.
 */
import { describe, expect, it } from 'vitest';
import { inOrderPool } from '../../../runner/session/in-order-pool.js';

const after = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), reject(new Error('aborted'))), { once: true });
  });

describe('inOrderPool', () => {
  it('runs at most N at once and reports in item order, though later items end first', async () => {
    let running = 0;
    let most = 0;
    const ended: number[] = [];
    const reported: number[] = [];
    // Item i takes (6 - i) * 20 ms: the later ones end first.
    const results = await inOrderPool(
      [0, 1, 2, 3, 4, 5],
      3,
      async (i) => {
        running += 1;
        most = Math.max(most, running);
        await after((6 - i) * 20);
        running -= 1;
        ended.push(i);
        return `r${i}`;
      },
      { onResult: (r) => reported.push(Number(r.slice(1))) },
    );
    expect(most).toBe(3);
    expect(ended).not.toEqual([0, 1, 2, 3, 4, 5]);
    expect(reported).toEqual([0, 1, 2, 3, 4, 5]);
    expect(results).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5']);
  });

  it('stops at the first error: the others are aborted, no item starts after it, and it is rethrown once they ended', async () => {
    const started: number[] = [];
    const ended: number[] = [];
    const failure = new Error('Docker failed');
    const pool = inOrderPool([0, 1, 2, 3, 4], 2, async (i, signal) => {
      started.push(i);
      try {
        if (i === 1) {
          await after(30);
          throw failure;
        }
        await after(10_000, signal);
        return i;
      } finally {
        ended.push(i);
      }
    });
    await expect(pool).rejects.toBe(failure);
    expect(started).toEqual([0, 1]);
    expect(ended.sort()).toEqual([0, 1]);
  });

  it('reports nothing out of order when an earlier item fails', async () => {
    const reported: number[] = [];
    const pool = inOrderPool(
      [0, 1],
      2,
      async (i) => {
        if (i === 0) {
          await after(50);
          throw new Error('first');
        }
        return i;
      },
      { onResult: (r) => reported.push(r) },
    );
    await expect(pool).rejects.toThrow('first');
    expect(reported).toEqual([]);
  });

  it('starts nothing more once the caller aborts, and throws the reason', async () => {
    const controller = new AbortController();
    const started: number[] = [];
    const pool = inOrderPool(
      [0, 1, 2, 3],
      1,
      async (i) => {
        started.push(i);
        if (i === 1) controller.abort(new Error('Ctrl-C'));
        return i;
      },
      { signal: controller.signal },
    );
    await expect(pool).rejects.toThrow('Ctrl-C');
    expect(started).toEqual([0, 1]);
  });
});
