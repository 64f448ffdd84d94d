/**
 * Every error a student can meet, as they see it: one line saying what is wrong, a next step, no
 * stack trace, the documented exit code, and nothing left behind.
 */
import { createServer, type Server } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { allLabelled, labs, nothing, sweep, tempDir } from '../helpers/labs.js';
import { holdsHostPort6379 } from '../helpers/host-port.js';

holdsHostPort6379();

const noStack = (text: string): void => {
  expect(text).not.toMatch(/^\s+at /m);
  expect(text).not.toMatch(/internal error/);
};

describe('errors a person understands', () => {
  const dirs: string[] = [];
  const dir = async (): Promise<string> => {
    const d = await tempDir();
    dirs.push(d);
    return d;
  };
  afterAll(async () => {
    for (const d of dirs) await sweep(d);
  });

  it('Docker not reachable: names the socket that was tried and says what to do (exit 3)', async () => {
    const cwd = await dir();
    const result = await labs(['start', 'exercise-1'], { cwd, env: { DOCKER_HOST: 'unix:///tmp/labs-no-such.sock' } });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(/^labs: Docker is not reachable at unix:\/\/\/tmp\/labs-no-such\.sock \(from DOCKER_HOST\) \(ENOENT\)$/m);
    expect(result.stderr).toMatch(/→ start that engine, or unset DOCKER_HOST/);
    noStack(result.stderr);
  });

  it('Docker not reachable through the current docker context: names the context', async () => {
    const cwd = await dir();
    const config = join(cwd, 'docker-config');
    const { mkdir } = await import('node:fs/promises');
    const { createHash } = await import('node:crypto');
    const meta = join(config, 'contexts', 'meta', createHash('sha256').update('remote').digest('hex'));
    await mkdir(meta, { recursive: true });
    await writeFile(join(config, 'config.json'), JSON.stringify({ currentContext: 'remote' }));
    await writeFile(join(meta, 'meta.json'), JSON.stringify({ Name: 'remote', Endpoints: { docker: { Host: 'unix:///tmp/labs-context.sock' } } }));
    const result = await labs(['doctor'], { cwd, env: { DOCKER_CONFIG: config, DOCKER_HOST: '' } });
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toMatch(/Docker is not reachable at unix:\/\/\/tmp\/labs-context\.sock \(docker context "remote"\)/);
  });

  it('an image that cannot be pulled: names the image, exit 3, nothing left behind', async () => {
    const cwd = await dir();
    const first = await labs(['start', 'exercise-2', '--dir', '.'], { cwd });
    expect(first.exitCode, first.stderr).toBe(0);
    await labs(['stop'], { cwd });
    const compose = await readFile(join(cwd, 'docker-compose.yml'), 'utf8');
    await writeFile(join(cwd, 'docker-compose.yml'), compose.replace(/(python2:\s*\n\s*image:) python:3\.10/, '$1 python:3.10-no-such-tag'));
    const result = await labs(['start', 'exercise-2', '--dir', '.'], { cwd });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(/^labs: image python:3\.10-no-such-tag is not on this machine and could not be pulled: /m);
    expect(result.stderr).toMatch(/→ check your network and the image name/);
    noStack(result.stderr);
    expect(await allLabelled(`labs.workspace=${cwd}`)).toEqual(nothing);
  });

  describe('a port in use', () => {
    let server: Server | undefined;
    afterEach(() => server?.close());

    it('says which port is taken and how to free it (exit 3), nothing left behind', async () => {
      const cwd = await dir();
      server = createServer();
      const listening = await new Promise<boolean>((resolve) => {
        server!.once('error', () => resolve(false));
        server!.listen(6379, '127.0.0.1', () => resolve(true));
      });
      // When something (a local Redis) already holds the port, that is the situation under test too.
      void listening;
      const result = await labs(['start', 'exercise-1', '--dir', '.'], { cwd });
      expect(result.exitCode).toBe(3);
      expect(result.stderr).toMatch(/^labs: port 6379 on 127\.0\.0\.1 is already in use, so service redis-db cannot publish it$/m);
      expect(result.stderr).toMatch(/→ stop what uses it/);
      noStack(result.stderr);
      expect(await allLabelled(`labs.workspace=${cwd}`)).toEqual(nothing);
    });
  });

  it('bad YAML in the student compose file: file:line:col and what to fix (exit 2)', async () => {
    const cwd = await dir();
    await labs(['start', 'exercise-2', '--dir', '.'], { cwd });
    await labs(['stop'], { cwd });
    await writeFile(join(cwd, 'docker-compose.yml'), 'services:\n  redis-db:\n    image: redis:7\n    comand: ["--save", "1", "1"]\n  python1: [oops\n');
    const result = await labs(['start', 'exercise-2', '--dir', '.'], { cwd });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/docker-compose\.yml:\d+:\d+/);
    noStack(result.stderr);
    expect(await allLabelled(`labs.workspace=${cwd}`)).toEqual(nothing);
  });

  it('an unknown compose key is named, with the nearest valid key (exit 2)', async () => {
    const cwd = await dir();
    await labs(['start', 'exercise-2', '--dir', '.'], { cwd });
    await labs(['stop'], { cwd });
    const compose = await readFile(join(cwd, 'docker-compose.yml'), 'utf8');
    await writeFile(join(cwd, 'docker-compose.yml'), compose.replace('command: ["--save", "1", "1"]', 'comand: ["--save", "1", "1"]'));
    const result = await labs(['start', 'exercise-2', '--dir', '.'], { cwd });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/docker-compose\.yml:\d+:5 services\.redis-db\.comand: unknown key "comand".*did you mean "command"/);
  });

  it('an unknown lab: lists the labs and suggests the nearest (exit 2)', async () => {
    const cwd = await dir();
    const result = await labs(['start', 'exercise-9'], { cwd });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^labs: unknown lab "exercise-9"$/m);
    expect(result.stderr).toMatch(/did you mean "exercise-\d"/);
    expect(result.stderr).toMatch(/exercise-1-node/);
    noStack(result.stderr);
  });

  it('no lab and no terminal to ask on: lists the labs (exit 2)', async () => {
    const cwd = await dir();
    const result = await labs(['start'], { cwd });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/no terminal to ask on/);
    expect(result.stderr).toMatch(/exercise-1, exercise-1-node, exercise-2, exercise-3/);
  });

  it('a command outside any workspace says where to go (exit 2)', async () => {
    const cwd = await dir();
    const result = await labs(['status'], { cwd });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^labs: no labs workspace in .* or above it$/m);
    expect(result.stderr).toMatch(/→ cd into the folder `labs start` made/);
  });
});
