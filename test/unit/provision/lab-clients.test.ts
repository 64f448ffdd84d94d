import { describe, expect, it } from 'vitest';
import { entriesToProbe, unpinnedRedisPy8 } from '../../../runner/provision/lab-clients.js';
import type { ProbedPackage } from '../../../runner/provision/package-probe.js';

const redis = (installed: string | undefined, entry = 'redis'): ProbedPackage => ({
  manager: 'pip',
  entry,
  name: entry.replace(/[<>=!~].*$/, ''),
  installed,
  state: installed === undefined ? 'missing' : 'satisfied',
});

describe('the clients doctor reads', () => {
  it('are the lab’s entries, then the runtime’s clients the lab does not name', () => {
    expect(entriesToProbe('python', { pip: ['redis>=4.2,<8'], npm: [] })).toEqual({ pip: ['redis>=4.2,<8', 'hotqueue'], npm: [] });
    expect(entriesToProbe('python', { pip: ['HotQueue==0.2.8'], npm: [] })).toEqual({ pip: ['HotQueue==0.2.8', 'redis'], npm: [] });
    expect(entriesToProbe('python', { pip: [], npm: [] })).toEqual({ pip: ['hotqueue', 'redis'], npm: [] });
    expect(entriesToProbe('node', { pip: [], npm: ['ioredis@^5'] })).toEqual({ pip: [], npm: ['ioredis@^5'] });
    expect(entriesToProbe('node', { pip: [], npm: [] })).toEqual({ pip: [], npm: ['ioredis'] });
  });
});

describe('redis-py 8 without a pin', () => {
  it('is redis-py 8 or later (its pre-releases too) in a lab whose redis entry has no specifier, or no redis entry', () => {
    expect(unpinnedRedisPy8({ pip: ['hotqueue', 'redis'], npm: [] }, [redis('8.1.0')])).toBe('8.1.0');
    expect(unpinnedRedisPy8({ pip: ['hotqueue'], npm: [] }, [redis('10.0')])).toBe('10.0');
    expect(unpinnedRedisPy8({ pip: ['Redis'], npm: [] }, [redis('8.0.0b1', 'Redis')])).toBe('8.0.0b1');
  });

  it('is nothing for an older redis-py, a pinned lab, redis-py not installed or a version PEP 440 cannot read', () => {
    expect(unpinnedRedisPy8({ pip: ['redis'], npm: [] }, [redis('7.4.1')])).toBeUndefined();
    expect(unpinnedRedisPy8({ pip: ['redis>=8'], npm: [] }, [redis('8.1.0', 'redis>=8')])).toBeUndefined();
    expect(unpinnedRedisPy8({ pip: ['redis'], npm: [] }, [redis(undefined)])).toBeUndefined();
    expect(unpinnedRedisPy8({ pip: ['redis'], npm: [] }, [redis('not a version')])).toBeUndefined();
  });
});
