import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { oncePerKey } from '../../../runner/batch/queue.js';

/** The coordinator's settle in small: is it recorded? two round trips to Redis, then record it. */
function recorder(): { settle: (id: string) => Promise<void>; recorded: string[] } {
  const recorded: string[] = [];
  return {
    recorded,
    settle: async (id) => {
      if (recorded.includes(id)) return;
      await tick(); // queue.getJob
      await tick(); // job.getState
      recorded.push(id);
    },
  };
}

describe('oncePerKey: a finished job looked at twice at once is recorded once', () => {
  it('without it, the completed event and the sweep both record the job (the duplicate seen in CI)', async () => {
    const { settle, recorded } = recorder();
    await Promise.all([settle('ben'), settle('ben')]);
    expect(recorded).toEqual(['ben', 'ben']);
  });

  it('with it, the second look waits for the first and finds the job recorded', async () => {
    const { settle, recorded } = recorder();
    const once = oncePerKey(settle);
    await Promise.all([once('ben'), once('ben'), once('ann'), once('ben')]);
    expect(recorded.sort()).toEqual(['ann', 'ben']);
  });

  it('a look that fails does not block the next one for that key', async () => {
    let calls = 0;
    const once = oncePerKey(async () => {
      calls += 1;
      if (calls === 1) throw new Error('Redis went away');
    });
    await expect(once('ben')).rejects.toThrow('Redis went away');
    await expect(once('ben')).resolves.toBeUndefined();
    expect(calls).toBe(2);
  });
});
