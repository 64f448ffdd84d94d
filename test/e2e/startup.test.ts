/**
 * The CLI loads a command's code only when that command runs: `labs --version`, `--help`, `list`
 * and `validate` must not pay for dockerode, ioredis, BullMQ and the rest (about 0.6 s of start-up
 * when they were imported eagerly), and `list` and `validate` answer from their cache (lab/cache.ts)
 * without the YAML parser, zod or the Compose validator when no file they read has changed. Each
 * run here is the built CLI as a process, with a module hook (test/fixtures/module-loads) writing
 * down every module it loaded; no Docker is needed.
 */
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
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

  /** A folder of its own, removed after the tests. */
  async function folder(): Promise<string> {
    const dir = await tempDir();
    dirs.push(dir);
    return dir;
  }

  /** The CLI in a new folder, with a cache folder of its own unless `env` names one. */
  async function run(args: string[], env: Record<string, string> = {}, cwd?: string): Promise<Loaded> {
    const log = join(await folder(), 'modules.log');
    const cache = join(await folder(), 'cache');
    const result = await labs(args, {
      cwd: cwd ?? (await folder()),
      env: { LABS_CACHE_DIR: cache, ...env, LABS_MODULE_LOG: log, NODE_OPTIONS: `--import ${register}` },
    });
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
    expect(loaded.own).toEqual(['batch/concurrency.js', 'cli/context.js', 'cli/main.js', 'errors.js', 'paths.js']);
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

  it('`labs list` reads the labs without the validator (zod) or Docker, and the next time without YAML', async () => {
    const env = { LABS_CACHE_DIR: join(await folder(), 'cache') };
    const first = await run(['list'], env);
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toMatch(/^exercise-1\s+Exercise 1: /m);
    expect(first.packages).toEqual(['commander', 'yaml']);

    const again = await run(['list'], env);
    expect(again.stdout).toBe(first.stdout);
    expect(again.packages).toEqual(['commander']);
    // roots.ts: which folders of labs there are (a course's, then the shipped ones), the cache's key.
    expect(again.own.filter((m) => m.startsWith('lab/'))).toEqual(['lab/cache.js', 'lab/files.js', 'lab/roots.js']);
  });

  it('`labs validate` loads the validator but nothing of Docker, Redis or grading, and the next time no validator', async () => {
    const env = { LABS_CACHE_DIR: join(await folder(), 'cache') };
    const first = await run(['validate'], env);
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toMatch(/valid: exercise-1, /);
    expect(first.packages).toContain('zod');
    for (const name of heavy) expect(first.packages).not.toContain(name);
    expect(first.own.filter((m) => /^(provision|checks|session|batch\/(?!jobs)|report|run)\//.test(m))).toEqual([]);

    const again = await run(['validate'], env);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toBe(first.stdout);
    expect(again.packages).toEqual(['commander']);
    expect(again.own.filter((m) => m.startsWith('lab/'))).toEqual(['lab/cache.js', 'lab/files.js', 'lab/problem.js', 'lab/roots.js']);
  });

  it('`labs validate` after an edit prints what a validation without the cache prints', async () => {
    const root = await folder();
    for (const part of ['labs', 'templates']) await cp(join(repoRoot, part, 'exercise-2'), join(root, part, 'exercise-2'), { recursive: true });
    const env = { LABS_CACHE_DIR: join(await folder(), 'cache') };
    const validate = (extra: Record<string, string> = {}): Promise<Loaded> => run(['validate', 'labs/exercise-2'], { ...env, ...extra }, root);
    expect((await validate()).exitCode).toBe(0);
    expect((await validate()).packages).not.toContain('zod');

    const file = join(root, 'labs', 'exercise-2', 'lab.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace(/^title:/m, 'titel:'));
    const edited = await validate();
    expect(edited.packages).toContain('zod');
    const uncached = await validate({ LABS_NO_CACHE: '1' });
    expect(edited.exitCode).toBe(2);
    expect(edited.stderr).toMatch(/^labs\/exercise-2\/lab\.yaml:\d+:1 titel: unknown key "titel" \(did you mean "title"\?\)$/m);
    for (const shown of [uncached, await validate()]) {
      expect(shown.exitCode).toBe(2);
      expect(shown.stderr).toBe(edited.stderr);
    }
  });

  it('a command that needs Docker loads dockerode when it runs (the hook sees CommonJS packages)', async () => {
    const loaded = await run(['doctor'], { DOCKER_HOST: 'unix:///tmp/labs-no-such.sock' });
    expect(loaded.exitCode).toBe(3);
    expect(loaded.stdout).toMatch(/Docker is not reachable at unix:\/\/\/tmp\/labs-no-such\.sock/);
    expect(loaded.packages).toContain('dockerode');
    expect(loaded.packages).toContain('docker-modem');
  });
});
