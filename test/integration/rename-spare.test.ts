/**
 * Renaming the wire recorder at a new address (provision/isolated.ts, renameRecorder: the jobs-api
 * lab's redis-from-env) with its address placeholder readied ahead (readySpare, which the session
 * calls while the check before runs), against the real engine: the recorder answers to the new name
 * at a new address, the readied placeholder holds the old one, and the name is given back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IsolatedEnvironment, readySpare, renameRecorder } from '../../runner/provision/isolated.js';
import { Label } from '../../runner/provision/labels.js';
import { exercise1Environment, removeEnvironment, runtime } from '../helpers/isolated.js';

const session = `spare${Date.now().toString(36)}`;
let env: IsolatedEnvironment;

beforeAll(async () => {
  env = await exercise1Environment(session);
}, 120_000);

afterAll(async () => {
  await removeEnvironment(session);
});

describe('renaming the recorder with a placeholder readied ahead', () => {
  it('moves it to a new address under the new name; the readied placeholder holds the old one', async () => {
    readySpare(env);
    const readied = await env.spare!;
    const moved = await renameRecorder(env, 'redis-db-elsewhere', true);
    expect(moved.to).not.toBe(moved.from);
    expect(env.spare).toBeUndefined();
    expect((await runtime.inspectContainer(readied)).ip[env.network]).toBe(moved.from);
    // The readied one was taken: no other placeholder was started.
    const placeholders = await runtime.listContainers([`${Label.session}=${session}`, `${Label.role}=placeholder`]);
    expect(placeholders.map((c) => c.id)).toEqual([readied]);
    const back = await renameRecorder(env, env.lab.redisService, false);
    expect(back.from).toBe(moved.to);
  }, 60_000);
});
