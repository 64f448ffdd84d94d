import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Submission, loadSubmission, materialize } from '../../../runner/batch/intake.js';
import { tempDir, tgzBuffer, writeTree, zipBuffer } from './build.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

const files = { 'producer.py': 'import hotqueue\n', 'consumer.py': 'for m in q.consume(): print(m)\n', 'lib/util.py': '' };

describe('contentHash', () => {
  it('is the same for the same files as a folder, a zip (with a top folder and litter) and a tar.gz', async () => {
    const folder: Submission = { student: 'a', source: await writeTree(join(dir, 'a'), files), kind: 'folder' };
    await writeFile(join(dir, 'b.zip'), await zipBuffer([
      ...Object.entries(files).reverse().map(([name, data]) => ({ name: `b-ex1/${name}`, data })),
      { name: '__MACOSX/b-ex1/._producer.py' }, { name: 'b-ex1/__pycache__/producer.cpython-310.pyc' },
    ]));
    await writeFile(join(dir, 'c.tgz'), await tgzBuffer(Object.entries(files).map(([name, data]) => ({ name: `./${name}`, data }))));
    const [a, b, c] = await Promise.all([
      loadSubmission(folder),
      loadSubmission({ student: 'b', source: join(dir, 'b.zip'), kind: 'zip' }),
      loadSubmission({ student: 'c', source: join(dir, 'c.tgz'), kind: 'tar.gz' }),
    ]);
    expect(b.contentHash).toBe(a.contentHash);
    expect(c.contentHash).toBe(a.contentHash);
    expect(b.files).toEqual(a.files);
  });

  it('changes with a file\'s content or name', async () => {
    const hashOf = async (name: string, tree: Record<string, string>): Promise<string> =>
      (await loadSubmission({ student: name, source: await writeTree(join(dir, name), tree), kind: 'folder' })).contentHash;
    const base = await hashOf('a', { 'p.py': 'x', 'q.py': 'y' });
    expect(await hashOf('b', { 'p.py': 'x', 'q.py': 'y' })).toBe(base);
    expect(await hashOf('c', { 'p.py': 'x', 'q.py': 'z' })).not.toBe(base);
    expect(await hashOf('d', { 'p.py': 'x', 'r.py': 'y' })).not.toBe(base);
    // Moving a byte from one file's end to the next's name must not collide.
    expect(await hashOf('e', { 'p.py': 'xq', '.py': 'y' })).not.toBe(await hashOf('f', { 'p.py': 'x', 'q.py': 'y' }));
  });
});

describe('materialize', () => {
  it('writes the loaded files, with their folders, into a fresh directory', async () => {
    await writeFile(join(dir, 'a.zip'), await zipBuffer(Object.entries(files).map(([name, data]) => ({ name, data }))));
    const loaded = await loadSubmission({ student: 'a', source: join(dir, 'a.zip'), kind: 'zip' });
    const out = await materialize(loaded.files, join(dir, 'out/a'));
    expect(out).toBe(join(dir, 'out/a'));
    expect((await readdir(out, { recursive: true })).sort()).toEqual(['consumer.py', 'lib', 'lib/util.py', 'producer.py']);
    expect(await readFile(join(out, 'consumer.py'), 'utf8')).toBe(files['consumer.py']);
    const again = await loadSubmission({ student: 'a', source: out, kind: 'folder' });
    expect(again.contentHash).toBe(loaded.contentHash);
  });

  it('refuses a directory that is not empty, and paths that are not validated', async () => {
    await writeTree(join(dir, 'used'), { 'x.py': '' });
    await expect(materialize([], join(dir, 'used'))).rejects.toThrow(/is not empty/);
    for (const path of ['../evil.py', '/etc/x', 'a//b.py', '']) {
      await expect(materialize([{ path, data: Buffer.alloc(0) }], join(dir, `fresh${path.length}`))).rejects.toThrow(/unsafe path/);
    }
  });
});
