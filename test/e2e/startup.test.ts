/**
 * The CLI loads a command's code only when that command runs: `labs --version`, `--help`, `list`
 * and `validate` must not pay for dockerode, ioredis, BullMQ and the rest (about 0.6 s of start-up
 * when they were imported eagerly). Each run here is the built CLI as a process, with a module hook
 * (test/fixtures/module-loads) writing down every module it loaded; no Docker is needed.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { labs, repoRoot, tempDir } from '../helpers/labs.js';

const register = join(repoRoot, 'test', 'fixtures', 'module-loads', 'register.mjs');

/** The package under node_modules a module's path or URL belongs to (the innermost one), if any. */
function packageOf(path: string): string | undefined {
  const marker = '/node_modules/';
  const at = path.lastIndexOf(marker);
  if (at < 0) return undefined;
  const [first, second] = path.slice(at + marker.length).split('/');
  return first?.startsWith('@') ? `${first}/${second}` : first;
}

interface Loaded {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  /** Names of the packages any module was loaded from, sorted. */
  packages: string[];
  /** The modules of labs itself that were loaded, relative to dist/runner, sorted. */
  own: string[];
}

describe('start-up loads only what the command needs', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  async function run(args: string[], env: Record<string, string> = {}): Promise<Loaded> {
    const cwd = await tempDir();
    dirs.push(cwd);
    const log = join(cwd, 'modules.log');
    const result = await labs(args, { cwd, env: { ...env, LABS_MODULE_LOG: log, NODE_OPTIONS: `--import ${register}` } });
    const paths = (await readFile(log, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => (line.startsWith('file:') ? fileURLToPath(line) : line));
    const packages = [...new Set(paths.map(packageOf).filter((p): p is string => p !== undefined))].sort();
    const distRunner = `${join(repoRoot, 'dist', 'runner')}/`;
    const own = [...new Set(paths.filter((p) => p.startsWith(distRunner)).map((p) => p.slice(distRunner.length)))].sort();
    return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr), packages, own };
  }

  const heavy = ['dockerode', 'ioredis', 'bullmq', 'execa', '@inquirer/prompts', 'tar-stream', 'yauzl', '@jsonjoy.com/json-pack'];

  it('`labs --version` loads commander and the command table only', async () => {
    const loaded = await run(['--version']);
    expect(loaded.exitCode).toBe(0);
    const { version } = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    expect(loaded.stdout).toBe(version);
    expect(loaded.packages).toEqual(['commander']);
    expect(loaded.own).toEqual(['batch/jobs.js', 'cli/context.js', 'cli/main.js', 'errors.js', 'paths.js']);
  });

  it('`labs --help` lists every command without loading any of them', async () => {
    const loaded = await run(['--help']);
    expect(loaded.exitCode).toBe(0);
    for (const command of ['list', 'start', 'status', 'shell', 'exec', 'logs', 'check', 'grade', 'worker', 'selftest', 'stop', 'prune', 'doctor', 'validate']) {
      expect(loaded.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
    expect(loaded.packages).toEqual(['commander']);
    expect(loaded.own.filter((m) => m.startsWith('cli/commands/'))).toEqual([]);
  });

  it('`labs list` reads the labs without the validator (zod) or Docker', async () => {
    const loaded = await run(['list']);
    expect(loaded.exitCode).toBe(0);
    expect(loaded.stdout).toMatch(/^exercise-1\s+Exercise 1: /m);
    expect(loaded.packages).toEqual(['commander', 'yaml']);
  });

  it('`labs validate` loads the validator but nothing of Docker, Redis or grading', async () => {
    const loaded = await run(['validate']);
    expect(loaded.exitCode).toBe(0);
    expect(loaded.stdout).toMatch(/valid: exercise-1, /);
    expect(loaded.packages).toContain('zod');
    for (const name of heavy) expect(loaded.packages).not.toContain(name);
    expect(loaded.own.filter((m) => /^(provision|checks|session|batch\/(?!jobs)|report|run)\//.test(m))).toEqual([]);
  });

  it('a command that needs Docker loads dockerode when it runs (the hook sees CommonJS packages)', async () => {
    const loaded = await run(['doctor'], { DOCKER_HOST: 'unix:///tmp/labs-no-such.sock' });
    expect(loaded.exitCode).toBe(3);
    expect(loaded.stdout).toMatch(/Docker is not reachable at unix:\/\/\/tmp\/labs-no-such\.sock/);
    expect(loaded.packages).toContain('dockerode');
    expect(loaded.packages).toContain('docker-modem');
  });
});
