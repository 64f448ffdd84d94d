import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ContainerRuntime } from '../../../runner/provision/runtime.js';
import type { SessionIdentity } from '../../../runner/provision/labels.js';
import { bridgeIsHere, isAddressPoolExhausted, networksReleased, sessionNetworks } from '../../../runner/provision/session-networks.js';

const exhausted = (): Error =>
  new Error(
    'Docker failed while creating network labs-x: could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network',
  );

/** An engine with `ranges` address ranges (a fake: this is the bookkeeping, not the engine). */
function engine(ranges: number) {
  const networks = new Map<string, { name: string; options?: Record<string, string> }>();
  let next = 0;
  const runtime = {
    endpoint: { source: 'default' },
    createNetwork: async (name: string, _labels: Record<string, string>, _internal: boolean, options?: Record<string, string>) => {
      if (networks.size >= ranges) throw exhausted();
      next += 1;
      const id = `n${next}`;
      networks.set(id, { name, options });
      return id;
    },
    removeNetwork: async (id: string) => void networks.delete(id),
  } as unknown as ContainerRuntime;
  return { runtime, networks };
}
const identity = (session: string): SessionIdentity => ({ lab: 'exercise-2', session, mode: 'grade', owner: 'test:1' });

describe('session networks', () => {
  it('sessions share one grader network, with traffic between its containers off; it goes with the last session', async () => {
    const { runtime, networks } = engine(10);
    const [a, b] = await Promise.all([sessionNetworks(runtime, identity('a1')), sessionNetworks(runtime, identity('b1'))]);
    expect(a.grader.id).toBe(b.grader.id);
    expect(a.networkId).not.toBe(b.networkId);
    expect(networks.get(a.grader.id)?.options).toEqual({ 'com.docker.network.bridge.enable_icc': 'false' });
    expect(networks.size).toBe(3);
    networks.delete(a.networkId);
    await networksReleased('a1');
    expect(networks.has(a.grader.id)).toBe(true);
    networks.delete(b.networkId);
    await networksReleased('b1');
    expect(networks.size).toBe(0);
  });

  it('a session that finds no address range left waits for another session of this process to end, then makes its network', async () => {
    const { runtime, networks } = engine(2);
    const first = await sessionNetworks(runtime, identity('a2'));
    let ready = false;
    const second = sessionNetworks(runtime, identity('b2')).then((n) => ((ready = true), n));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ready).toBe(false);
    networks.delete(first.networkId);
    await networksReleased('a2');
    const made = await second;
    expect(made.grader.id).toBe(first.grader.id);
    networks.delete(made.networkId);
    await networksReleased('b2');
    expect(networks.size).toBe(0);
  });

  it('with no other session to wait for, it fails at once and says what to do', async () => {
    const { runtime } = engine(1);
    await expect(sessionNetworks(runtime, identity('alone'))).rejects.toMatchObject({
      code: 'DOCKER_FAILED',
      message: 'Docker has no network address range left for a new session',
      hint: expect.stringContaining('default-address-pools'),
    });
    await networksReleased('alone');
  });

  it('tells the engine running out of address ranges from other failures', () => {
    expect(isAddressPoolExhausted(exhausted())).toBe(true);
    expect(isAddressPoolExhausted(new Error('network with name x already exists'))).toBe(false);
  });

  it("reaches containers directly only when the network's bridge is an interface of this host", async () => {
    const sys = await mkdtemp(join(tmpdir(), 'labs-sys-class-net-'));
    await mkdir(join(sys, 'br-0123456789ab'));
    expect(bridgeIsHere('0123456789abcdef0123', sys)).toBe(true);
    // Docker Desktop, a rootless engine: the bridge is elsewhere, this host has no such interface.
    expect(bridgeIsHere('fedcba9876543210fedc', sys)).toBe(false);
    await rm(sys, { recursive: true });
  });
});
