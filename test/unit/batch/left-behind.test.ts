/**
 * A batch's removals (batch/left-behind.ts): a removal that fails is counted, and one the engine
 * never finishes (an engine that stopped answering) ends the wait at the limit as the engine's
 * failure, so that the batch ends with its results. Pure: the removals are promises made here.
 */
import { describe, expect, it } from 'vitest';
import { LeftBehind, leftBehindLine } from '../../../runner/batch/left-behind.js';

describe('LeftBehind', () => {
  it('waits for every removal, counting those that failed', async () => {
    const left = new LeftBehind();
    left.take(Promise.resolve());
    left.take(Promise.reject(new Error('the engine refused')));
    await left.settled(1000);
    expect(left.summary).toEqual({ sessions: 1, slots: 0, firstError: 'the engine refused' });
  });

  it('stops waiting for a removal the engine never finishes, and says so as the engine’s failure', async () => {
    const told: unknown[] = [];
    const left = new LeftBehind((error) => told.push(error));
    left.take(Promise.resolve());
    left.take(new Promise(() => {}));
    await left.settled(50);
    expect(told).toEqual([expect.objectContaining({ code: 'DOCKER_FAILED' })]);
    expect(leftBehindLine(left.summary)).toBe(
      "1 session left containers, networks or volumes behind (first error: the Docker engine did not finish removing 1 session(s)' containers within 0.05 s); the grades are not affected: run `labs prune` once this command has ended to remove them",
    );
  });

  it('counts batch slots apart from sessions, and every removal still under way (a regression: a slot was "1 session", two stuck ones were one)', async () => {
    const left = new LeftBehind();
    left.slotsFailed(new Error('network has active endpoints'));
    left.take(new Promise(() => {}));
    left.take(new Promise(() => {}));
    await left.settled(50);
    expect(left.summary).toEqual({ sessions: 2, slots: 1, firstError: 'network has active endpoints' });
    expect(leftBehindLine(left.summary)).toMatch(
      /^2 sessions and 1 batch slot left containers, networks or volumes behind \(first error: network has active endpoints\)/,
    );
    expect(leftBehindLine({ sessions: 0, slots: 3, firstError: 'x' })).toMatch(/^3 batch slots left/);
    expect(leftBehindLine({ sessions: 0, slots: 0, firstError: undefined })).toBeUndefined();
  });
});
