/**
 * A session the engine will not remove entirely (here: its network still has a container labs does
 * not know; in the field, an endpoint the engine kept of a container that is gone) must not stop
 * `labs grade` from grading, and `labs prune` says what it could not remove.
 */
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labs, repoRoot, sweep, tempDir } from '../helpers/labs.js';
import { DockerRuntime } from '../../runner/provision/docker.js';
import { closeHostAccess, removeHostRules } from '../../runner/provision/firewall.js';
import { prune } from '../../runner/provision/teardown.js';

let root: string;
const network = `labs-exercise-1-dead${process.pid}`;
const stranger = `labs-test-stranger-${process.pid}`;

beforeAll(async () => {
  root = await tempDir('labs-prune-');
  // A dead grader's session (pid 1 is no grader; owner on this host), held by a container without labels.
  const labels = [
    '--label',
    'labs.lab=exercise-1',
    '--label',
    'labs.mode=grade',
    '--label',
    `labs.session=dead${process.pid}`,
    '--label',
    'labs.owner=x:999999999',
  ];
  const host = (await execa('hostname')).stdout.trim();
  labels[labels.length - 1] = `labs.owner=${host}:999999999`;
  await execa('docker', ['network', 'create', '--internal', ...labels, network]);
  await execa('docker', ['run', '-d', '--name', stranger, '--network', network, 'redis:7']);
});

afterAll(async () => {
  await execa('docker', ['rm', '-f', '-v', stranger], { reject: false });
  await execa('docker', ['network', 'rm', network], { reject: false });
  await sweep(root);
});

describe('a session the engine will not remove', () => {
  it('labs grade still grades (a regression: its first sweep failed the whole run)', async () => {
    await cp(join(repoRoot, 'templates', 'exercise-1', 'solution'), join(root, 'subs', 'alice'), { recursive: true });
    const result = await labs(['grade', 'exercise-1', 'subs', '--out', 'out', '-j', '1'], { cwd: root, timeout: 300_000 });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(result.stdout).toMatch(/✓ 1 result\(s\)/);
  }, 300_000);

  it('labs prune removes what it can, names what it could not and why, and exits 3', async () => {
    const result = await labs(['prune'], { cwd: root });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(new RegExp(`could not remove all of grade session dead${process.pid} \\(exercise-1\\): .*active endpoints`));
    expect(result.stderr).toMatch(/restarting the Docker engine drops it/);
  }, 120_000);
});

describe("a live grader's firewall rules", () => {
  it('stay when prune did not see the session they close (a regression: prune listed the sessions, a batch slot made its network and rule, and prune took the rule away)', async () => {
    const session = `slot${process.pid}`;
    const rules = async (): Promise<string> => (await execa('iptables', ['-w', '-S'])).stdout;
    // This process is alive and made the rule; no container, network or volume carries the session.
    expect(await closeHostAccess(new DockerRuntime().endpoint, 'f'.repeat(64), session)).toBe('closed');
    try {
      const ruleOf = new RegExp(`labs:${session}\\b`);
      const count = async (): Promise<number> => (await rules()).split('\n').filter((l) => ruleOf.test(l)).length;
      // On what reaches the host: a reset for TCP, a drop for the rest; a reset for TCP it would forward beyond.
      expect(await count()).toBe(3);
      await prune(new DockerRuntime(), { all: false });
      expect(await count()).toBe(3);
      // A rule whose process is gone goes.
      await prune(new DockerRuntime(), { all: false, isAlive: (pid) => pid !== process.pid && pid !== 1 });
      expect(await rules()).not.toMatch(ruleOf);
    } finally {
      await removeHostRules((s) => s === session);
    }
  });
});
