import { describe, expect, it } from 'vitest';
import { settleAll } from '../../../runner/provision/settle.js';

describe('settleAll', () => {
  it('resolves with the values in input order', async () => {
    await expect(settleAll([Promise.resolve(1), 'two', new Promise((r) => setTimeout(() => r(3), 5))])).resolves.toEqual([1, 'two', 3]);
  });

  it('rejects with the first rejection in input order, only once the slower ones have settled', async () => {
    let slowDone = false;
    const slow = new Promise((r) => setTimeout(() => r((slowDone = true)), 20));
    const rejected = settleAll([slow, Promise.reject(new Error('first')), Promise.reject(new Error('second'))]);
    await expect(rejected).rejects.toThrow('first');
    expect(slowDone).toBe(true);
  });
});
