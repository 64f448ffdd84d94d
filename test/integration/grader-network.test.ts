/**
 * The Redis homes (the network namespaces Redis runs in) of all the sessions of a grader share one network, through which the grader
 * reaches each at its address there, the engine being local (session-networks.ts). Students drive their Redis (a
 * `--replicaof HOST PORT` in their compose file, or a command), so against the real engine: one
 * session's Redis cannot open a connection to another's on that network, while the grader reaches
 * both.
 */
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IsolatedEnvironment } from '../../runner/provision/isolated.js';
import { exercise1Environment, removeEnvironment } from '../helpers/isolated.js';

const run = Date.now().toString(36);
let a: IsolatedEnvironment;
let b: IsolatedEnvironment;

const graderIp = async (env: IsolatedEnvironment): Promise<string> =>
  (
    await execa('docker', ['inspect', '-f', `{{(index .NetworkSettings.Networks "${env.graderNetwork}").IPAddress}}`, env.redis.home.containerId])
  ).stdout.trim();

beforeAll(async () => {
  [a, b] = await Promise.all([exercise1Environment(`shared-a-${run}`), exercise1Environment(`shared-b-${run}`)]);
}, 120_000);

afterAll(async () => {
  await removeEnvironment(`shared-a-${run}`);
  await removeEnvironment(`shared-b-${run}`);
});

describe('the grader network sessions share', () => {
  it("one session's Redis cannot reach another's on it; the grader reaches both", async () => {
    expect(a.graderNetwork).toBe(b.graderNetwork);
    const [ipA, ipB] = await Promise.all([graderIp(a), graderIp(b)]);
    expect(ipA).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(ipA).not.toBe(ipB);
    // The grader's way in is each Redis's address on that network, no published port: both answer.
    expect([a.redis.address, b.redis.address]).toEqual([
      { host: ipA, port: 6379 },
      { host: ipB, port: 6379 },
    ]);
    expect((await execa('docker', ['port', a.redis.home.containerId])).stdout).toBe('');
    for (const { host, port } of [a.redis.address, b.redis.address]) {
      expect((await execa('redis-cli', ['-h', host, '-p', String(port), 'ping'])).stdout).toBe('PONG');
    }
    // From B's Redis container to A's Redis: nothing answers.
    const across = await execa('docker', ['exec', b.redis.containerId, 'timeout', '5', 'redis-cli', '-h', ipA, '-p', '6379', 'ping'], { reject: false });
    expect(across.stdout).not.toContain('PONG');
    expect(across.exitCode).not.toBe(0);
  }, 60_000);
});
