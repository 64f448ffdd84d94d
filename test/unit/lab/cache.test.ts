/**
 * A cached validation is reused only when every file it read, every "is there a file here" and every
 * folder listing answers as before, and only for the same code: each test edits what a lab author
 * might and expects the report a fresh validation gives.
 */
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheDir, cachedByInputs, codeFingerprint } from '../../../runner/lab/cache.js';
import type { LabFiles } from '../../../runner/lab/files.js';
import { formatProblem } from '../../../runner/lab/problem.js';
import { validatePaths } from '../../../runner/lab/registry.js';
import { composeLab, composeStarter, simpleLab, simpleStarter, tempRoot, write, writeLab } from './fixture.js';

/** `labs validate labs` in `root` as the command runs it: through the cache, counting the validations made. */
function validator(root: string, code = 'code-1') {
  let made = 0;
  const dir = join(root, 'cache');
  const validate = async (): Promise<string[]> => {
    const report = await cachedByInputs(
      'validate',
      { paths: ['labs'], cwd: root },
      (files: LabFiles) => {
        made += 1;
        return validatePaths(['labs'], { cwd: root, files });
      },
      { dir, code },
    );
    return report.problems.map((p) => formatProblem(p, root));
  };
  const fresh = async (): Promise<string[]> => (await validatePaths(['labs'], root)).problems.map((p) => formatProblem(p, root));
  return { validate, fresh, made: () => made, dir };
}

async function twoLabs(): Promise<string> {
  const root = await tempRoot();
  await writeLab(root, { id: 'exercise-9', yaml: simpleLab, starter: simpleStarter });
  await writeLab(root, {
    id: 'exercise-8',
    yaml: composeLab,
    starter: {
      ...composeStarter,
      'docker-compose.yml': composeStarter['docker-compose.yml'].replace('    environment:\n      MODE: compose\n', '    env_file: .env\n'),
    },
  });
  await write(join(root, 'templates', 'exercise-8', 'starter', '.env'), 'MODE=compose\n');
  return root;
}

describe('results cached by their inputs', () => {
  it('answers an unchanged lab from the cache, and an edited lab.yaml (same size) afresh', async () => {
    const root = await twoLabs();
    const v = validator(root);
    expect(await v.validate()).toEqual([]);
    expect(await v.validate()).toEqual([]);
    expect(v.made()).toBe(1);

    // One letter changed: the same size, and possibly the same modification time.
    const yaml = simpleLab.replace('    image: redis:7', '    imagx: redis:7');
    await writeFile(join(root, 'labs', 'exercise-9', 'lab.yaml'), yaml);
    const broken = await v.validate();
    expect(v.made()).toBe(2);
    expect(broken).toEqual(await v.fresh());
    expect(broken).toContain('labs/exercise-9/lab.yaml:6:5 services.redis-db.imagx: unknown key "imagx" (did you mean "image"?)');
    // The error itself is cached, and printed the same.
    expect(await v.validate()).toEqual(broken);
    expect(v.made()).toBe(2);
  });

  it('notices a starter file removed, an env file edited, a variant added and a new lab folder', async () => {
    const root = await twoLabs();
    const v = validator(root);
    await v.validate();
    const edits: [string, () => Promise<unknown>][] = [
      ['a starter file removed', () => rm(join(root, 'templates', 'exercise-9', 'starter', 'consumer.py'))],
      ['an env_file edited', () => writeFile(join(root, 'templates', 'exercise-8', 'starter', '.env'), 'MODE compose\n')],
      ['a variant added', () => write(join(root, 'templates', 'exercise-9', 'variants', 'bad', 'variant.yaml'), 'description: x\nmust_fail: [nope]\n')],
      ['a lab folder added', () => writeLab(root, { id: 'exercise-7', yaml: 'id: exercise-7\n' })],
    ];
    let made = v.made();
    for (const [what, edit] of edits) {
      await edit();
      const lines = await v.validate();
      expect(v.made(), what).toBe(made + 1);
      expect(lines, what).toEqual(await v.fresh());
      made = v.made();
    }
    expect((await v.fresh()).length).toBeGreaterThanOrEqual(4);
  });

  it('is not reused by other code, and not made at all without a folder', async () => {
    const root = await twoLabs();
    await validator(root, 'code-1').validate();
    const other = validator(root, 'code-2');
    await other.validate();
    expect(other.made()).toBe(1);

    let made = 0;
    const off = { dir: undefined };
    for (let i = 0; i < 2; i += 1) {
      await cachedByInputs('list', {}, async () => (made += 1), off);
    }
    expect(made).toBe(2);
  });

  it('computes again when the entry is unreadable, and stores nothing when the computation throws', async () => {
    const root = await twoLabs();
    const v = validator(root);
    await v.validate();
    const [entry] = await readdir(v.dir);
    await writeFile(join(v.dir, entry!), '{"code":');
    expect(await v.validate()).toEqual([]);
    expect(v.made()).toBe(2);

    const dir = join(root, 'throws');
    await expect(cachedByInputs('x', {}, () => Promise.reject(new Error('no')), { dir, code: 'c' })).rejects.toThrow('no');
    await expect(readdir(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('computes when its folder cannot be made, without hanging where a parent answers ENOENT for a child (procfs)', async () => {
    // Node's mkdir({ recursive: true }) loops for ever on such a path: /proc answers ENOENT, not EPERM.
    const value = await cachedByInputs('x', {}, async () => 'computed', { dir: '/proc/labs-no-such-dir/cache', code: 'c' });
    expect(value).toBe('computed');
    const root = await tempRoot();
    await writeFile(join(root, 'a-file'), '');
    expect(await cachedByInputs('x', {}, async () => 'computed', { dir: join(root, 'a-file', 'cache'), code: 'c' })).toBe('computed');
  }, 3000);

  it('takes its folder from the environment, and LABS_NO_CACHE turns it off', () => {
    const home = (): string => '/home/ana';
    expect(cacheDir({}, home)).toBe('/home/ana/.cache/labs');
    expect(cacheDir({ XDG_CACHE_HOME: '/var/cache/ana' }, home)).toBe('/var/cache/ana/labs');
    expect(cacheDir({ LABS_CACHE_DIR: '/tmp/c', XDG_CACHE_HOME: '/x' }, home)).toBe('/tmp/c');
    expect(cacheDir({ LABS_NO_CACHE: '1', LABS_CACHE_DIR: '/tmp/c' }, home)).toBeUndefined();
    expect(cacheDir({ LABS_NO_CACHE: '0' }, home)).toBe('/home/ana/.cache/labs');
  });

  it("fingerprints the lab layer's code by each module's size and time", async () => {
    expect(await codeFingerprint()).toMatch(/^[0-9a-f]{64}$/);
    expect(await codeFingerprint()).toBe(await codeFingerprint());
  });
});
