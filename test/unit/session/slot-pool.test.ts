/**
 * The batch's idle slots (session/slot.ts, `SlotPool`) when a session's removal fails after its slot
 * was given back: that slot serves no later session, and when a slot cannot be removed the pool says
 * so instead of dropping it. No engine: a slot makes nothing until a session asks, and the fake
 * engine here fails the one thing closing a slot asks of it (listing what carries its label).
 */
import { describe, expect, it } from 'vitest';
import type { Lab } from '../../../runner/lab/types.js';
import type { ContainerRuntime } from '../../../runner/provision/runtime.js';
import { SlotPool } from '../../../runner/session/slot.js';

const lab = { id: 'exercise-1' } as Lab;
const engineDown = { listContainers: () => Promise.reject(new Error('engine down')) } as unknown as ContainerRuntime;
const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('SlotPool', () => {
  it('does not hand out again a slot whose session’s removal failed while it was idle, and counts the slots it could not remove', async () => {
    const leftBehind: string[] = [];
    const pool = new SlotPool(engineDown, undefined, (error) => leftBehind.push((error as Error).message));
    const spoiled = pool.take(lab);
    pool.give(spoiled, true);
    spoiled.track(Promise.reject(new Error('the engine refused to remove a container')));
    await settled();
    const next = pool.take(lab);
    expect(next).not.toBe(spoiled);
    expect(spoiled.worn).toBe(true);

    // A slot whose session's removal succeeded is reused as before.
    pool.give(next, true);
    next.track(Promise.resolve());
    await settled();
    expect(pool.take(lab)).toBe(next);
    pool.give(next, true);

    await pool.close();
    expect(leftBehind).toEqual(['engine down', 'engine down']);
  });

  it('stops waiting for an engine that never answers, and says so as the engine’s failure', async () => {
    const stuck = { listContainers: () => new Promise(() => {}) } as unknown as ContainerRuntime;
    const leftBehind: unknown[] = [];
    const pool = new SlotPool(stuck, undefined, (error, count) => leftBehind.push([error, count]));
    const three = [pool.take(lab), pool.take(lab), pool.take(lab)];
    for (const slot of three) pool.give(slot, true);
    await pool.close(50);
    // Told once, with how many: the batch counts each slot (batch/left-behind.ts).
    expect(leftBehind).toHaveLength(1);
    expect(leftBehind[0]).toMatchObject([{ code: 'DOCKER_FAILED', message: 'the Docker engine did not finish removing 3 batch slot(s) within 0.05 s' }, 3]);
  });
});
