import { describe, expect, it } from 'vitest';
import { npmSatisfies, parseNpmSpec, parsePipRequirement } from '../../../runner/lab/package-specs.js';

describe('pip requirements', () => {
  it('split into the distribution name and the PEP 440 specifier as written', () => {
    expect(parsePipRequirement('redis>=4.2,<8')).toEqual({ ok: true, value: { name: 'redis', specifier: '>=4.2,<8' } });
    expect(parsePipRequirement('hotqueue==0.2.8')).toEqual({ ok: true, value: { name: 'hotqueue', specifier: '==0.2.8' } });
    expect(parsePipRequirement('hotqueue')).toEqual({ ok: true, value: { name: 'hotqueue', specifier: '' } });
    expect(parsePipRequirement(' Zope.Interface ~= 5.4 ')).toEqual({ ok: true, value: { name: 'Zope.Interface', specifier: '~= 5.4' } });
    for (const ok of ['redis!=5.0.*', 'redis==4.*', 'redis>=4.2, <8', 'redis===4.3.4', 'redis<8.0.0rc1']) expect(parsePipRequirement(ok).ok).toBe(true);
  });

  it('refuse what is not PEP 440, and what the probe could not check in an image', () => {
    const error = (entry: string): string | undefined => {
      const parsed = parsePipRequirement(entry);
      return parsed.ok ? undefined : parsed.error;
    };
    for (const bad of ['redis=4', 'redis>=4.2,,<8', 'redis>=4.2 <8', 'redis~=4', 'redis>4.2.*', 'redis 4.3', 'redis==']) {
      expect(error(bad)).toMatch(/is not a PEP 440 version specifier/);
    }
    expect(error('redis[hiredis]>=4')).toMatch(/extras/);
    expect(error('redis; python_version<"3.8"')).toMatch(/environment markers/);
    expect(error('redis @ https://example.invalid/redis.whl')).toMatch(/URLs are not supported/);
    expect(error('-e .')).toMatch(/starts with the distribution's name/);
  });
});

describe('npm specs', () => {
  it('split into the package name (scope included) and the semver range', () => {
    expect(parseNpmSpec('ioredis@^5')).toEqual({ ok: true, value: { name: 'ioredis', range: '^5' } });
    expect(parseNpmSpec('ioredis')).toEqual({ ok: true, value: { name: 'ioredis', range: '' } });
    expect(parseNpmSpec('@scope/pkg@1.2')).toEqual({ ok: true, value: { name: '@scope/pkg', range: '1.2' } });
    expect(parseNpmSpec('@scope/pkg')).toEqual({ ok: true, value: { name: '@scope/pkg', range: '' } });
    expect(parseNpmSpec('ioredis@>=5.3 <6').ok).toBe(true);
  });

  it('refuse tags, URLs, paths and names npm would not install', () => {
    for (const bad of ['ioredis@latest', 'ioredis@', 'ioredis@github:luin/ioredis', 'ioredis@file:../x']) expect(parseNpmSpec(bad).ok).toBe(false);
    for (const bad of ['IORedis', './local', '@scope', '.hidden']) expect(parseNpmSpec(bad).ok).toBe(false);
  });

  it('are satisfied as npm decides', () => {
    expect(npmSatisfies('5.4.1', '^5')).toBe(true);
    expect(npmSatisfies('6.0.0', '^5')).toBe(false);
    expect(npmSatisfies('4.0.0', '')).toBe(true);
    expect(npmSatisfies('?', '^5')).toBe(false);
  });
});
