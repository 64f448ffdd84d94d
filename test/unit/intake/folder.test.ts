import { execFileSync } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Limits, type SubmissionFiles, readSubmission, submissionKind } from '../../../runner/intake/read.js';
import { noise, tempDir, writeTree } from './build.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

const readFolder = (source: string, limits?: Partial<Limits>): Promise<SubmissionFiles> => readSubmission(source, 'folder', { limits });
const paths = (loaded: { files: { path: string }[] }): string[] => loaded.files.map((f) => f.path);

describe('intake: folders', () => {
  it('reads files recursively, sorted, skipping state, data and dependencies at any depth', async () => {
    const alice = await writeTree(join(dir, 'alice'), {
      'producer.py': 'print(1)\n',
      'lib/queue.py': 'q\n',
      '.env': 'A=1\n',
      '.git/HEAD': 'x',
      '.labs/state.json': '{}',
      'node_modules/x/i.js': '',
      '__pycache__/p.pyc': '',
      'lib/__pycache__/q.pyc': '',
      'data/dump.rdb': '',
      'lib/data/appendonly.aof': '',
      '.DS_Store': '',
      'lib/.DS_Store': '',
      '__MACOSX/._producer.py': '',
    });
    const loaded = await readFolder(alice);
    expect(paths(loaded)).toEqual(['.env', 'lib/queue.py', 'producer.py']);
    expect(loaded.files[2]!.data.toString()).toBe('print(1)\n');
    expect(loaded.warnings).toEqual([]);
    expect(loaded.contentHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('never follows links, and skips fifos, with a warning for each', async () => {
    const alice = await writeTree(join(dir, 'alice'), { 'producer.py': '' });
    await writeTree(join(dir, 'secret'), { 'key.pem': 'SECRET' });
    await symlink(join(dir, 'secret/key.pem'), join(alice, 'key.py'));
    await symlink(join(dir, 'secret'), join(alice, 'lib'));
    execFileSync('mkfifo', [join(alice, 'pipe')]);
    const loaded = await readFolder(alice);
    expect(paths(loaded)).toEqual(['producer.py']);
    expect(loaded.warnings).toEqual([
      'key.py was not graded: it is a symbolic link, and links are not followed',
      'lib was not graded: it is a symbolic link, and links are not followed',
      'pipe was not graded: it is not a regular file (a device, fifo or socket)',
    ]);
  });

  it('strips a single top folder', async () => {
    const alice = await writeTree(join(dir, 'alice'), { 'alice-ex2/producer.py': '', 'alice-ex2/consumer.py': '', 'alice-ex2/.DS_Store': '' });
    expect(paths(await readFolder(alice))).toEqual(['consumer.py', 'producer.py']);
  });

  it('leaves out files over the per-file limit and what would cross the total, naming each with its size', async () => {
    const alice = await writeTree(join(dir, 'alice'), {
      'a.bin': noise(40_000),
      'b.bin': noise(200_000),
      'c.bin': noise(40_000),
      'd.bin': noise(40_000),
      'e.py': '',
    });
    const loaded = await readFolder(alice, { maxFileBytes: 100_000, maxTotalBytes: 100_000 });
    expect(paths(loaded)).toEqual(['a.bin', 'c.bin', 'e.py']);
    expect(loaded.warnings).toEqual([
      'b.bin (195.3 KiB) was not graded: files over 97.7 KiB are left out',
      'd.bin (39.1 KiB) was not graded: a submission holds at most 97.7 KiB in all, and the files kept came to 78.1 KiB',
    ]);
  });

  it('with the default limits: a 2 MiB file is kept, a 6 MiB one is named (what labs check and labs grade both read)', async () => {
    const alice = await writeTree(join(dir, 'alice'), { 'table.py': noise(2 * 1024 * 1024), 'huge.bin': noise(6 * 1024 * 1024), 'producer.py': '' });
    const loaded = await readFolder(alice);
    expect(paths(loaded)).toEqual(['producer.py', 'table.py']);
    expect(loaded.warnings).toEqual(['huge.bin (6 MiB) was not graded: files over 5 MiB are left out']);
  });

  it('keeps the first files up to the limit and names the rest', async () => {
    const alice = join(dir, 'alice');
    await mkdir(alice);
    for (let i = 0; i < 12; i += 1) await writeFile(join(alice, `f${String(i).padStart(2, '0')}.py`), '');
    const loaded = await readFolder(alice, { maxFiles: 10 });
    expect(loaded.files).toHaveLength(10);
    expect(loaded.warnings).toEqual(['f10.py and f11.py were not graded: a submission holds at most 10 files']);
  });

  it('an unreadable folder is a failed submission, not an exception', async () => {
    const loaded = await readFolder(join(dir, 'gone'));
    expect(loaded.files).toEqual([]);
    expect(loaded.warnings).toEqual([expect.stringMatching(/^could not read gone, so none of its files were graded: ENOENT/)]);
  });
});

describe('submissionKind: the path a user gave labs check', () => {
  it('a folder, or an archive by its name', async () => {
    await writeTree(dir, { 'alice.ZIP': '', 'bob.tar.gz': '', 'carol.tgz': '', 'notes.txt': '', '.zip': '' });
    expect(await submissionKind(dir)).toBe('folder');
    expect(await submissionKind(join(dir, 'alice.ZIP'))).toBe('zip');
    expect(await submissionKind(join(dir, 'bob.tar.gz'))).toBe('tar.gz');
    expect(await submissionKind(join(dir, 'carol.tgz'))).toBe('tar.gz');
  });

  it('anything else is a usage error naming the path (exit 2), not a crash', async () => {
    await writeTree(dir, { 'notes.txt': '' });
    await expect(submissionKind(join(dir, 'gone'))).rejects.toMatchObject({ code: 'USAGE', message: `${join(dir, 'gone')} does not exist` });
    await expect(submissionKind(join(dir, 'notes.txt'))).rejects.toMatchObject({
      code: 'USAGE',
      message: `${join(dir, 'notes.txt')} is neither a folder nor a .zip, .tar.gz or .tgz`,
    });
  });
});
