/**
 * The engine now and then keeps a network it was asked to remove ("has active endpoints" with no
 * container on it). When that happens to the grader network of a process's sessions, its firewall
 * rules must go all the same. Against the real engine, as root.
 */
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { networksReleased, sessionNetworks } from '../../runner/provision/session-networks.js';
import { runtime } from '../helpers/isolated.js';
import { repoRoot } from '../helpers/labs.js';
import { join } from 'node:path';

const run = Date.now().toString(36);

describe('the grader network that cannot be removed', () => {
  it('still loses its firewall rules when the last session ends', async () => {
    const session = `held-${run}`;
    const made = await sessionNetworks(runtime, { lab: 'exercise-1', session, mode: 'check', owner: `test:${process.pid}` });
    const rules = async (): Promise<string[]> => (await execa('iptables', ['-S'])).stdout.split('\n').filter((l) => l.includes(`labs:${made.grader.session}`));
    expect(await rules()).toHaveLength(2);
    // A container outside labs keeps an endpoint on it, as the engine sometimes does by itself.
    const holder = `${session}-holder`;
    await execa('docker', ['run', '-d', '--name', holder, '--network', made.grader.name, '--entrypoint', 'sleep', 'redis:7', '600']);
    try {
      await execa('docker', ['network', 'rm', made.network]);
      await networksReleased(session);
      expect((await execa('docker', ['network', 'ls', '-q', '--filter', `name=${made.grader.name}`])).stdout.trim()).not.toBe('');
      expect(await rules()).toEqual([]);
    } finally {
      await execa('docker', ['rm', '-f', '-v', holder], { reject: false });
      await execa('docker', ['network', 'rm', made.grader.name], { reject: false });
    }
  }, 60_000);

  it('removing the last session of a process removes the grader network and its rules before it returns', async () => {
    // A process that exits as soon as its last session is removed (labs check, a batch, a test file).
    const module = (name: string): string => JSON.stringify(join(repoRoot, 'dist', 'runner', 'provision', name));
    const script = `
      const { DockerRuntime } = await import(${module('docker.js')});
      const { sessionNetworks } = await import(${module('session-networks.js')});
      const { removeSession } = await import(${module('teardown.js')});
      const runtime = new DockerRuntime();
      const made = await sessionNetworks(runtime, { lab: 'exercise-1', session: 'last-${run}', mode: 'check', owner: 'test:' + process.pid });
      console.log(made.grader.name, made.grader.session);
      await removeSession(runtime, 'last-${run}');
      process.exit(0);`;
    const { stdout } = await execa('node', ['--input-type=module', '-e', script]);
    const [name, graderSession] = stdout.trim().split(' ');
    expect(graderSession).toMatch(/^grader-/);
    const left = (await execa('docker', ['network', 'ls', '-q', '--filter', `name=${name}`])).stdout.trim();
    const rules = (await execa('iptables', ['-S'])).stdout.split('\n').filter((l) => l.includes(`labs:${graderSession}`));
    if (left) await execa('docker', ['network', 'rm', name!], { reject: false });
    expect(left).toBe('');
    expect(rules).toEqual([]);
  }, 60_000);
});
