/**
 * A queue whose Redis does not answer (batch/queue.ts): the coordinator's and a worker's side both
 * fail with QUEUE_UNREACHABLE (exit 3) naming the address, not DOCKER_FAILED (a regression: a
 * wrapper that says "restart Docker" on DOCKER_FAILED sent instructors to the wrong machine).
 */
import { describe, expect, it } from 'vitest';
import { openCoordinator, startQueueWorker } from '../../runner/batch/queue.js';
import { freePort } from '../helpers/labs.js';

describe('an unreachable queue', () => {
  it('is QUEUE_UNREACHABLE, exit 3, for the coordinator and for a worker', async () => {
    const port = await freePort();
    const connection = { host: '127.0.0.1', port, db: 0 };
    const expected = { code: 'QUEUE_UNREACHABLE', exitCode: 3, message: `the queue's Redis at 127.0.0.1:${port} is not reachable: no answer within 0.5 s` };
    await expect(openCoordinator(connection, 500)).rejects.toMatchObject(expected);
    await expect(startQueueWorker(connection, 1, () => Promise.reject(new Error('never asked')), undefined, { connectTimeoutMs: 500 })).rejects.toMatchObject(
      expected,
    );
  });
});
