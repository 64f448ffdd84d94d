/**
 * Where the engine's bridges are not on this host (Docker Desktop's VM, a remote engine), the grader
 * reaches Redis through a port published on 127.0.0.1 instead of its address. Forced here on the
 * local engine, against the real engine: Redis is published, answers there, and a check that
 * re-creates Redis (persistence) and one that drives consumers (delivery) both pass the solution.
 */
import { execa } from 'execa';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLab } from '../../runner/lab/registry.js';
import type { IsolatedEnvironment } from '../../runner/provision/isolated.js';
import { answersPing } from '../../runner/provision/readiness.js';
import { graderReach } from '../../runner/provision/session-networks.js';
import { runCheckSession } from '../../runner/session/check.js';
import { exercise1Environment, removeEnvironment, runtime } from '../helpers/isolated.js';
import { repoRoot } from '../helpers/labs.js';

const session = `published-${Date.now().toString(36)}`;
let env: IsolatedEnvironment;

beforeAll(async () => {
  graderReach.mode = 'published';
  env = await exercise1Environment(session);
}, 120_000);

afterAll(async () => {
  await removeEnvironment(session);
  graderReach.mode = 'auto';
});

describe('the grader reaching Redis through a published port', () => {
  it('publishes Redis on 127.0.0.1 and reaches it there', async () => {
    expect(env.redis.direct).toBe(false);
    expect(env.redis.address.host).toBe('127.0.0.1');
    expect((await execa('docker', ['port', env.redis.home.containerId, '6379'])).stdout).toBe(`127.0.0.1:${env.redis.address.port}`);
    expect(await answersPing(env.redis.address, 5000)).toBe(true);
  });

  it('grades the solution: Redis re-created by the persistence check is reached again', async () => {
    const lab = await findLab('exercise-2');
    const report = await runCheckSession({
      runtime,
      lab,
      submission: join(repoRoot, 'templates', 'exercise-2', 'solution'),
      only: ['delivery-one-consumer', 'persistence-survives-redis-crash'],
    });
    expect(report.checks.map((c) => [c.id, c.passed])).toEqual([
      ['delivery-one-consumer', true],
      ['persistence-survives-redis-crash', true],
    ]);
  }, 180_000);
});
