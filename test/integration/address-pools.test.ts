/**
 * The engine's network address pools run out before the CPU does when many sessions run at once
 * (a network each, and one the sessions share; 31 ranges by default). Against the real engine, with
 * all but two ranges taken:
 * a second session waits for the first to give its networks back, instead of failing.
 */
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exercise1Environment, removeEnvironment } from '../helpers/isolated.js';

const run = Date.now().toString(36);
const fillers: string[] = [];

beforeAll(async () => {
  // Take every range the engine has left, then give two back: room for exactly one session.
  for (let i = 0; i < 64; i += 1) {
    const name = `labs-test-filler-${run}-${i}`;
    const made = await execa('docker', ['network', 'create', '--label', 'labs.test=filler', name], { reject: false });
    if (made.exitCode !== 0) {
      expect(made.stderr).toContain('could not find an available, non-overlapping IPv4 address pool');
      break;
    }
    fillers.push(name);
  }
  expect(fillers.length).toBeGreaterThanOrEqual(2);
  for (const name of fillers.splice(0, 2)) await execa('docker', ['network', 'rm', name]);
}, 120_000);

afterAll(async () => {
  await removeEnvironment(`pools-a-${run}`);
  await removeEnvironment(`pools-b-${run}`);
  if (fillers.length) await execa('docker', ['network', 'rm', ...fillers], { reject: false });
});

describe('sessions when the engine has no network range left', () => {
  it('the second session waits for the first to end, then gets its networks', async () => {
    const first = await exercise1Environment(`pools-a-${run}`);
    let secondReady = false;
    const second = exercise1Environment(`pools-b-${run}`).then((env) => ((secondReady = true), env));
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(secondReady).toBe(false);
    await removeEnvironment(`pools-a-${run}`);
    const env = await second;
    expect(env.network).not.toBe(first.network);
    // Its own network, and the grader network the two sessions shared.
    const { stdout } = await execa('docker', ['network', 'ls', '--format', '{{.Name}}', '--filter', `label=labs.session=pools-b-${run}`]);
    expect(stdout.trim()).toBe(env.network);
    expect(env.graderNetwork).toBe(first.graderNetwork);
    expect((await execa('docker', ['network', 'inspect', '-f', '{{index .Options "com.docker.network.bridge.enable_icc"}}', env.graderNetwork])).stdout).toBe(
      'false',
    );
  }, 120_000);
});
