import { describe, expect, it } from 'vitest';
import { installScript, installerWords, preparedTag } from '../../../runner/provision/images.js';
import { type Packages, packageProbeScript, readProbe, toInstall } from '../../../runner/provision/package-probe.js';
import { shellQuote } from '../../../runner/provision/shell-quote.js';

describe('prepared images', () => {
  it('are keyed by the base image and the package sets, in any order', () => {
    const a = preparedTag('sha256:1', { pip: ['redis', 'hotqueue'], npm: [] });
    expect(preparedTag('sha256:1', { pip: ['hotqueue', 'redis'], npm: [] })).toBe(a);
    expect(preparedTag('sha256:2', { pip: ['hotqueue', 'redis'], npm: [] })).not.toBe(a);
    expect(preparedTag('sha256:1', { pip: ['hotqueue'], npm: [] })).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
  });

  it('make a new image when a pin changes', () => {
    const unpinned = preparedTag('sha256:1', { pip: ['hotqueue', 'redis'], npm: [] });
    const pinned = preparedTag('sha256:1', { pip: ['hotqueue', 'redis>=4.2,<8'], npm: [] });
    const repinned = preparedTag('sha256:1', { pip: ['hotqueue', 'redis>=4.2,<7'], npm: [] });
    expect(new Set([unpinned, pinned, repinned]).size).toBe(3);
    expect(preparedTag('sha256:1', { pip: [], npm: ['ioredis@^5'] })).not.toBe(preparedTag('sha256:1', { pip: [], npm: ['ioredis'] }));
  });

  it('install the entries as written, specifiers included', () => {
    expect(installScript({ pip: ['hotqueue'], npm: [] })).toBe('set -e\npython3 -m pip install --no-cache-dir --disable-pip-version-check -q hotqueue');
    expect(installScript({ pip: ['redis>=4.2,<8'], npm: [] })).toMatch(/ -q 'redis>=4\.2,<8'$/);
    expect(installScript({ pip: [], npm: ['ioredis@^5'] })).toMatch(/npm install -g .* 'ioredis@\^5'$/);
  });

  it('quotes shell words only when needed', () => {
    expect(shellQuote('ioredis@5')).toBe('ioredis@5');
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote('')).toBe("''");
  });
});

describe('the package probe', () => {
  const lab: Packages = { pip: ['hotqueue', 'redis>=4.2,<8'], npm: ['ioredis@^5'] };
  const line = (...fields: string[]): string => ['labs-probe', ...fields].join('\t');

  it('passes each name and specifier to python3 and each name to node, one interpreter each', () => {
    const script = packageProbeScript(lab);
    expect(script).toMatch(
      /^if command -v python3 >\/dev\/null 2>&1; then python3 -c '[^']*' hotqueue '' redis '>=4\.2,<8'; else printf 'labs-probe\\tno-python3\\n'; fi$/m,
    );
    expect(script).toMatch(
      /; then NODE_PATH="\$\{NODE_PATH:-\/usr\/local\/lib\/node_modules\}" node -e '[^']*' ioredis; else printf 'labs-probe\\tno-node\\n'; fi$/m,
    );
    expect(script).toContain('pip._vendor.packaging.specifiers');
    expect(script).toContain('prereleases=True');
    expect(packageProbeScript({ pip: ['hotqueue'], npm: [] })).not.toContain('node');
  });

  it('reads what the stand-in has: every pin satisfied, nothing to install', () => {
    const output = [line('pip', 'hotqueue', '0.2.8', 'satisfied'), line('pip', 'redis', '4.3.4', 'satisfied'), line('npm', 'ioredis', '5.4.1')].join('\n');
    const probed = readProbe(output, lab);
    expect(probed.map((p) => [p.entry, p.installed, p.state])).toEqual([
      ['hotqueue', '0.2.8', 'satisfied'],
      ['redis>=4.2,<8', '4.3.4', 'satisfied'],
      ['ioredis@^5', '5.4.1', 'satisfied'],
    ]);
    expect(toInstall(probed)).toEqual({ pip: [], npm: [] });
  });

  it('installs a pin the image does not satisfy, and what it lacks, with the specifier', () => {
    const output = [
      'a line an image printed at start-up',
      line('pip', 'hotqueue', '', 'missing'),
      line('pip', 'redis', '8.1.0', 'unsatisfied'),
      line('npm', 'ioredis', '4.28.5') + '\r',
    ].join('\n');
    const probed = readProbe(output, lab);
    expect(probed.map((p) => [p.name, p.installed, p.state])).toEqual([
      ['hotqueue', undefined, 'missing'],
      ['redis', '8.1.0', 'unsatisfied'],
      ['ioredis', '4.28.5', 'unsatisfied'],
    ]);
    expect(toInstall(probed)).toEqual({ pip: ['hotqueue', 'redis>=4.2,<8'], npm: ['ioredis@^5'] });
  });

  it('judges npm ranges with npm’s semver: a missing package, an unpinned one, a pre-release', () => {
    const packages: Packages = { pip: [], npm: ['ioredis@^5', 'bullmq', '@scope/pkg@>=1.2 <2'] };
    const output = [line('npm', 'ioredis', ''), line('npm', 'bullmq', '5.1.0'), line('npm', '@scope/pkg', '1.3.0-beta.1')].join('\n');
    expect(readProbe(output, packages).map((p) => p.state)).toEqual(['missing', 'satisfied', 'unsatisfied']);
  });

  it('counts every entry missing in an image without the interpreter, so the install says why', () => {
    const probed = readProbe(`${line('no-python3')}\n${line('no-node')}\n`, lab);
    expect(probed.map((p) => p.state)).toEqual(['missing', 'missing', 'missing']);
  });

  it('never takes a pin as satisfied when the image could not judge it, nor when the probe said nothing', () => {
    const output = [
      line('pip', 'hotqueue', '0.2.8', 'satisfied'),
      line('pip', 'redis', '4.3.4', 'unknown', 'neither pip nor packaging can be imported by python3'),
      'Traceback (most recent call last):',
    ].join('\n');
    const probed = readProbe(output, lab);
    expect(probed.map((p) => [p.name, p.state, p.reason])).toEqual([
      ['hotqueue', 'satisfied', undefined],
      ['redis', 'unknown', 'neither pip nor packaging can be imported by python3'],
      ['ioredis', 'unknown', 'the probe printed nothing about it'],
    ]);
    expect(toInstall(probed)).toEqual({ pip: [], npm: [] });
  });
});

describe('installerWords', () => {
  it('keeps the installer’s error lines from the top of a long explanation, then its last lines', () => {
    const output = ['error: externally-managed-environment', '', ...Array.from({ length: 20 }, (_, i) => `  explanation ${i}`), 'hint: See PEP 668'].join('\n');
    expect(installerWords(output)).toEqual([
      'error: externally-managed-environment',
      '…',
      '  explanation 15',
      '  explanation 16',
      '  explanation 17',
      '  explanation 18',
      '  explanation 19',
      'hint: See PEP 668',
    ]);
  });
});
