/**
 * Ctrl-C while `labs start` creates a lab's containers: what was in flight is waited for, so the
 * cleanup that follows sees and removes it. (A regression: CI saw redis-db left behind, created by a
 * request the engine answered after the cleanup had listed the session's containers.)
 */
import { describe, expect, it } from 'vitest';
import type { ServiceSpec } from '../../../runner/lab/types.js';
import type { Lab } from '../../../runner/lab/types.js';
import type { ContainerCreate, ContainerRuntime } from '../../../runner/provision/runtime.js';
import { provision } from '../../../runner/provision/environment.js';

function service(name: string): ServiceSpec {
  return {
    name,
    image: 'redis:7',
    command: undefined,
    entrypoint: undefined,
    environment: {},
    mounts: [],
    ports: [],
    user: undefined,
    workingDir: undefined,
    dependsOn: [],
    packages: { pip: [], npm: [] },
    readiness: { kind: 'running', port: 0, command: undefined, timeoutMs: 1000 },
    student: false,
  };
}

/** An engine that keeps containers by label (a fake: the bookkeeping of provision, not the engine). */
function engine(slowCreate: string, released: Promise<void>, onCreate: () => void) {
  const containers = new Map<string, { id: string; labels: Record<string, string> }>();
  const networks = new Map<string, { id: string; name: string; labels: Record<string, string> }>();
  const matches = (labels: Record<string, string>, filters: string[]) =>
    filters.every((f) => {
      const [key, value] = f.split('=');
      return labels[key!] === value;
    });
  const runtime = {
    imageId: async () => 'sha256:1',
    listContainers: async (filters: string[]) => [...containers.values()].filter((c) => matches(c.labels, filters)).map((c) => ({ ...c, state: 'created' })),
    listNetworks: async (filters: string[]) => [...networks.values()].filter((n) => matches(n.labels, filters)),
    listVolumes: async () => [],
    createNetwork: async (name: string, labels: Record<string, string>) => {
      networks.set(name, { id: name, name, labels });
      return name;
    },
    removeNetwork: async (id: string) => void networks.delete(id),
    createContainer: async (spec: ContainerCreate) => {
      if (spec.name.endsWith(slowCreate)) await released;
      else onCreate();
      containers.set(spec.name, { id: spec.name, labels: spec.labels });
      return spec.name;
    },
    startContainer: async () => {},
    removeContainer: async (id: string) => void containers.delete(id),
  } as unknown as ContainerRuntime;
  return { runtime, containers, networks };
}

describe('provision, interrupted', () => {
  it('waits for a container create in flight, then removes it with the rest', async () => {
    let release = (): void => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const controller = new AbortController();
    // Ctrl-C while python is being created; the engine answers redis-db's create after that.
    const { runtime, containers, networks } = engine('redis-db', released, () => {
      controller.abort();
      setTimeout(release, 20);
    });
    const lab = { id: 'exercise-2', workdir: '/lab' } as Lab;
    const running = provision({
      runtime,
      lab,
      services: { 'redis-db': service('redis-db'), python: service('python') },
      identity: { lab: 'exercise-2', session: 'abcd1234', mode: 'workspace', owner: 'test:1' },
      workspaceDir: '/tmp',
      mountStudentFiles: false,
      signal: controller.signal,
    });
    await expect(running).rejects.toMatchObject({ code: 'INTERRUPTED' });
    // Whatever the engine still finishes after provision gave up is there now.
    await released;
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect([...containers.keys()]).toEqual([]);
    expect([...networks.keys()]).toEqual([]);
  });
});
