import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeEndpoint, parseDockerUrl, resolveDockerEndpoint } from '../../../runner/provision/connect.js';

const files =
  (entries: Record<string, string>) =>
  (path: string): string => {
    const text = entries[path];
    if (text === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    return text;
  };
const metaPath = (name: string) => `/cfg/contexts/meta/${createHash('sha256').update(name).digest('hex')}/meta.json`;

describe('resolveDockerEndpoint', () => {
  it('honours DOCKER_HOST first', () => {
    const e = resolveDockerEndpoint({ env: { DOCKER_HOST: 'tcp://10.0.0.5:2375' }, configDir: '/cfg', readFile: files({}) });
    expect(e).toMatchObject({ source: 'DOCKER_HOST', host: '10.0.0.5', port: 2375, protocol: 'http' });
    expect(describeEndpoint(e)).toBe('tcp://10.0.0.5:2375 (from DOCKER_HOST)');
  });

  it('uses the current docker context from the CLI config', () => {
    const e = resolveDockerEndpoint({
      env: {},
      configDir: '/cfg',
      readFile: files({
        '/cfg/config.json': JSON.stringify({ currentContext: 'desktop-linux' }),
        [metaPath('desktop-linux')]: JSON.stringify({ Endpoints: { docker: { Host: 'unix:///home/u/.docker/desktop/docker.sock' } } }),
      }),
    });
    expect(e.socketPath).toBe('/home/u/.docker/desktop/docker.sock');
    expect(describeEndpoint(e)).toBe('unix:///home/u/.docker/desktop/docker.sock (docker context "desktop-linux")');
  });

  it('DOCKER_CONTEXT overrides the config; an unknown context falls back to the default socket', () => {
    const read = files({ [metaPath('ci')]: JSON.stringify({ Endpoints: { docker: { Host: 'tcp://ci:2376' } } }) });
    expect(resolveDockerEndpoint({ env: { DOCKER_CONTEXT: 'ci' }, configDir: '/cfg', readFile: read })).toMatchObject({ host: 'ci', port: 2376 });
    expect(resolveDockerEndpoint({ env: { DOCKER_CONTEXT: 'gone' }, configDir: '/cfg', readFile: read })).toMatchObject({
      source: 'default',
      socketPath: '/var/run/docker.sock',
    });
  });

  it('parses the URL forms people put in DOCKER_HOST', () => {
    expect(parseDockerUrl('unix:///run/user/1000/docker.sock')).toEqual({ socketPath: '/run/user/1000/docker.sock' });
    expect(parseDockerUrl('https://engine:2376')).toEqual({ host: 'engine', port: 2376, protocol: 'https' });
    expect(parseDockerUrl('tcp://engine')).toEqual({ host: 'engine', port: 2375, protocol: 'http' });
    expect(parseDockerUrl('npipe:////./pipe/docker_engine')).toEqual({ socketPath: '//./pipe/docker_engine' });
  });
});
