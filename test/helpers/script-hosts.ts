/**
 * A test file's confined exercise-1 environment with its script hosts (run/hosts.ts), made in
 * `beforeAll` and removed in `afterAll`, and the ways its tests start scripts and look inside.
 */
import { execa } from 'execa';
import { afterAll, beforeAll } from 'vitest';
import type { IsolatedEnvironment } from '../../runner/provision/isolated.js';
import { ScriptHosts } from '../../runner/run/hosts.js';
import { type ScriptRun, startScript } from '../../runner/run/script.js';
import { exercise1Environment, removeEnvironment } from './isolated.js';

export interface ScriptHostsFixture {
  /** The environment's session id (its containers' `labs.session` label). */
  session: string;
  /** The script hosts; set once `beforeAll` has run. */
  readonly hosts: ScriptHosts;
  /** Starts `python3 -c code` as a run named `name`, stopped after 20 s. */
  py: (code: string, name?: string) => Promise<ScriptRun>;
  /** The command lines of the processes of uid 1000 (the student's) in a container. */
  uidProcesses: (containerId: string) => Promise<string[]>;
  /** The ids of the environment's running script-host containers. */
  hostContainers: () => Promise<string[]>;
}

/** Registers the hooks that make and remove the environment, `prefix` + a time as its session id; hello.txt holds "hi". */
export function scriptHostsFixture(prefix: string): ScriptHostsFixture {
  const session = `${prefix}${Date.now().toString(36)}`;
  let env: IsolatedEnvironment | undefined;
  let hosts: ScriptHosts | undefined;
  beforeAll(async () => {
    env = await exercise1Environment(session, [{ path: 'hello.txt', data: Buffer.from('hi\n') }]);
    hosts = new ScriptHosts(env);
  }, 120_000);
  afterAll(async () => {
    await removeEnvironment(session);
  });
  return {
    session,
    get hosts(): ScriptHosts {
      if (!hosts) throw new Error('the script hosts are made in beforeAll');
      return hosts;
    },
    py: (code, name = 'run') => startScript({ hosts: hosts!, service: 'python', argv: ['python3', '-c', code], name, timeoutMs: 20_000 }),
    uidProcesses: async (containerId) => {
      const { stdout } = await execa('docker', ['exec', containerId, 'ps', '-eo', 'uid=,args=']);
      return stdout
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.startsWith('1000 '));
    },
    hostContainers: async () =>
      (await execa('docker', ['ps', '-q', '--filter', `label=labs.session=${session}`, '--filter', 'label=labs.role=script-host'])).stdout
        .split('\n')
        .filter(Boolean),
  };
}
