import { describe, expect, it } from 'vitest';
import { installScript, installerWords, missingPackagesScript, npmName, pipName, preparedTag, shellQuote } from '../../../runner/provision/images.js';

describe('prepared images', () => {
  it('are keyed by the base image and the package sets, in any order', () => {
    const a = preparedTag('sha256:1', { pip: ['redis', 'hotqueue'], npm: [] });
    expect(preparedTag('sha256:1', { pip: ['hotqueue', 'redis'], npm: [] })).toBe(a);
    expect(preparedTag('sha256:2', { pip: ['hotqueue', 'redis'], npm: [] })).not.toBe(a);
    expect(preparedTag('sha256:1', { pip: ['hotqueue'], npm: [] })).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
  });

  it('names distributions and packages from requirement specs', () => {
    expect(pipName('redis>=4,<6')).toBe('redis');
    expect(pipName('hotqueue')).toBe('hotqueue');
    expect(pipName('requests[socks]')).toBe('requests');
    expect(npmName('ioredis@5')).toBe('ioredis');
    expect(npmName('@scope/pkg@1.2')).toBe('@scope/pkg');
    expect(npmName('@scope/pkg')).toBe('@scope/pkg');
  });

  it('probes each package and installs only the missing ones', () => {
    const probe = missingPackagesScript({ pip: ['hotqueue', 'redis>=4'], npm: ['ioredis'] });
    expect(probe.split('\n')).toHaveLength(3);
    expect(probe).toContain("m.version(sys.argv[1])' hotqueue");
    expect(probe).toContain("|| echo 'pip redis>=4'");
    expect(probe).toContain("require.resolve(process.argv[1])' ioredis");
    expect(installScript({ pip: ['hotqueue'], npm: [] })).toBe('set -e\npython3 -m pip install --no-cache-dir --disable-pip-version-check -q hotqueue');
    expect(installScript({ pip: [], npm: ['ioredis@5'] })).toMatch(/npm install -g .* ioredis@5$/);
  });

  it('quotes shell words only when needed', () => {
    expect(shellQuote('ioredis@5')).toBe('ioredis@5');
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('a b')).toBe("'a b'");
  });
});

describe('installerWords', () => {
  it('keeps the installer’s error lines from the top of a long explanation, then its last lines', () => {
    const output = ['error: externally-managed-environment', '', ...Array.from({ length: 20 }, (_, i) => `  explanation ${i}`), 'hint: See PEP 668'].join('\n');
    expect(installerWords(output)).toEqual(['error: externally-managed-environment', '…', '  explanation 15', '  explanation 16', '  explanation 17', '  explanation 18', '  explanation 19', 'hint: See PEP 668']);
  });
});
