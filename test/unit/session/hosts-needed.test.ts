import { describe, expect, it } from 'vitest';
import { findLab } from '../../../runner/lab/registry.js';
import { hostPools } from '../../../runner/run/hosts.js';
import { hostsNeeded } from '../../../runner/session/check.js';

describe('hostsNeeded: containers started ahead for the scripts, one per replica running at once', () => {
  it('exercise-2: one for the producer in python1, two for the two consumer replicas in python2', async () => {
    const lab = await findLab('exercise-2');
    expect(hostsNeeded(lab, lab.checks)).toEqual({ python1: 1, python2: 2 });
  });

  it('exercise-1: producer and consumer share one service, and never run at once there', async () => {
    const lab = await findLab('exercise-1');
    expect(hostsNeeded(lab, lab.checks)).toEqual({ python: 1 });
  });

  it('only the checks asked for count: the producer check alone needs only the producer', async () => {
    const lab = await findLab('exercise-2');
    expect(
      hostsNeeded(
        lab,
        lab.checks.filter((c) => c.kind === 'producer'),
      ),
    ).toEqual({ python1: 1 });
    expect(
      hostsNeeded(
        lab,
        lab.checks.filter((c) => c.kind === 'persistence'),
      ),
    ).toEqual({});
  });

  it('each kind says what it runs: a sharing check that names no replicas runs its default two', async () => {
    const lab = await findLab('exercise-2');
    const sharing = lab.checks.find((c) => c.kind === 'sharing')!;
    expect(hostsNeeded(lab, [{ ...sharing, replicas: undefined }])).toEqual({ python2: 2 });
  });

  it('exercise-2 with python1 and python2 in one pool: two containers in all, for two consumers or a producer beside a consumer', async () => {
    const lab = await findLab('exercise-2');
    const pool = (s: string): string => (s === 'python2' ? 'python1' : s);
    expect(hostsNeeded(lab, lab.checks, pool)).toEqual({ python1: 2 });
    expect(
      hostsNeeded(
        lab,
        lab.checks.filter((c) => c.kind === 'address'),
        pool,
      ),
    ).toEqual({ python1: 2 });
    expect(
      hostsNeeded(
        lab,
        lab.checks.filter((c) => c.kind === 'producer' || c.id === 'delivery-one-consumer'),
        pool,
      ),
    ).toEqual({ python1: 1 });
  });
});

describe('hostPools: services whose script containers would be the same share a pool', () => {
  const env = (vars: Record<string, string>) => ({ environment: vars });
  it("the same prepared image is one pool, named after the first service, whatever each environment (it is each run's)", () => {
    const pools = hostPools(
      { 'redis-db': env({}), python1: env({ A: '1', B: '2' }), python2: env({ A: '2' }) },
      { python1: 'labs-prepared:abc', python2: 'labs-prepared:abc' },
    );
    expect(pools).toEqual({ python1: 'python1', python2: 'python1' });
  });
  it('another image is another pool; services without an image (Redis) have none', () => {
    expect(hostPools({ a: env({}), b: env({}), r: env({}) }, { a: 'img1', b: 'img2' })).toEqual({ a: 'a', b: 'b' });
  });
});
