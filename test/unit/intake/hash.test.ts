import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSubmission } from '../../../runner/intake/read.js';
import { tempDir, tgzBuffer, writeTree, zipBuffer } from './build.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

const files = { 'producer.py': 'import hotqueue\n', 'consumer.py': 'for m in q.consume(): print(m)\n', 'lib/util.py': '' };

describe('contentHash', () => {
  it('is the same for the same files as a folder, a zip (with a top folder and litter) and a tar.gz, read from disk', async () => {
    const folder = await writeTree(join(dir, 'a'), files);
    await writeFile(
      join(dir, 'b.zip'),
      await zipBuffer([
        ...Object.entries(files)
          .reverse()
          .map(([name, data]) => ({ name: `b-ex1/${name}`, data })),
        { name: '__MACOSX/b-ex1/._producer.py' },
        { name: 'b-ex1/__pycache__/producer.cpython-310.pyc' },
      ]),
    );
    await writeFile(join(dir, 'c.tgz'), await tgzBuffer(Object.entries(files).map(([name, data]) => ({ name: `./${name}`, data }))));
    const [a, b, c] = await Promise.all([
      readSubmission(folder, 'folder'),
      readSubmission(join(dir, 'b.zip'), 'zip'),
      readSubmission(join(dir, 'c.tgz'), 'tar.gz'),
    ]);
    expect(b.contentHash).toBe(a.contentHash);
    expect(c.contentHash).toBe(a.contentHash);
    expect(b.files).toEqual(a.files);
  });

  it("changes with a file's content or name", async () => {
    const hashOf = async (name: string, tree: Record<string, string>): Promise<string> =>
      (await readSubmission(await writeTree(join(dir, name), tree), 'folder')).contentHash;
    const base = await hashOf('a', { 'p.py': 'x', 'q.py': 'y' });
    expect(await hashOf('b', { 'p.py': 'x', 'q.py': 'y' })).toBe(base);
    expect(await hashOf('c', { 'p.py': 'x', 'q.py': 'z' })).not.toBe(base);
    expect(await hashOf('d', { 'p.py': 'x', 'r.py': 'y' })).not.toBe(base);
    // Moving a byte from one file's end to the next's name must not collide.
    expect(await hashOf('e', { 'p.py': 'xq', '.py': 'y' })).not.toBe(await hashOf('f', { 'p.py': 'x', 'q.py': 'y' }));
  });
});
