/**
 * `labs start`'s provisioning against a fake engine (the bookkeeping, not the engine):
 * - Ctrl-C while it creates a lab's containers: what was in flight is waited for, so the cleanup
 *   that follows sees and removes it. (A regression: CI saw redis-db left behind, created by a
 *   request the engine answered after the cleanup had listed the session's containers.)
 * - A service starts once the services it depends on are started and ready. (A regression: the
 *   jobs-api worker started beside Redis died of "Connection refused" in about one start of three.)
 */
import { describe, expect, it } from 'vitest';
import type { ServiceSpec } from '../../../runner/lab/types.js';
import type { Lab } from '../../../runner/lab/types.js';
import type { ContainerCreate, ContainerRuntime } from '../../../runner/provision/runtime.js';
import { provision, startLevels } from '../../../runner/provision/environment.js';

function service(name: string, dependsOn: string[] = []): ServiceSpec {
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
    dependsOn,
    packages: { pip: [], npm: [] },
    readiness: { kind: 'running', port: 0, command: undefined, timeoutMs: 1000 },
    student: false,
  };
}

/** An engine that keeps containers by label (a fake: the bookkeeping of provision, not the engine). */
function engine(slowCreate: string, released: Promise<void>, onCreate: () => void, events: string[] = []) {
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
    startContainer: async (id: string) => {
      events.push(`start ${id}`);
      // The engine answers a start a moment later: time for a dependent to start too early.
      await new Promise((resolve) => setTimeout(resolve, 5));
    },
    inspectContainer: async (id: string) => {
      events.push(`inspect ${id}`);
      return { running: true, exitCode: 0, ip: {} };
    },
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

describe('provision, in dependency order', () => {
  it('starts a service once the services it depends on are started and ready, as Compose orders depends_on', async () => {
    const events: string[] = [];
    const { runtime } = engine('none', Promise.resolve(), () => {}, events);
    const lab = { id: 'jobs-api', workdir: '/lab' } as Lab;
    await provision({
      runtime,
      lab,
      services: { worker: service('worker', ['redis-db']), api: service('api', ['redis-db']), 'redis-db': service('redis-db') },
      identity: { lab: 'jobs-api', session: 'abcd1234', mode: 'workspace', owner: 'test:1' },
      workspaceDir: '/tmp',
      mountStudentFiles: false,
    });
    const at = (event: string): number => events.findIndex((e) => e.startsWith(event));
    const redisReady = at('inspect labs-jobs-api-abcd1234-redis-db');
    expect(redisReady).toBeGreaterThan(at('start labs-jobs-api-abcd1234-redis-db'));
    expect(at('start labs-jobs-api-abcd1234-worker')).toBeGreaterThan(redisReady);
    expect(at('start labs-jobs-api-abcd1234-api')).toBeGreaterThan(redisReady);
  });
});

describe('startLevels', () => {
  it('orders a chain, keeps independent services together, ignores a dependency that is not there, and starts a cycle together last', () => {
    const s = (name: string, ...deps: string[]): ServiceSpec => service(name, deps);
    expect(startLevels([s('c', 'b'), s('b', 'a'), s('a'), s('x', 'gone')])).toEqual([['a', 'x'], ['b'], ['c']]);
    expect(startLevels([s('redis-db'), s('p', 'q'), s('q', 'p')])).toEqual([['redis-db'], ['p', 'q']]);
  });
});
