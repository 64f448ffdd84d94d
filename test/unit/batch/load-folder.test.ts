import { execFileSync } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Submission, loadSubmission } from '../../../runner/batch/intake.js';
import { noise, tempDir, writeTree } from './build.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

const folder = (source: string): Submission => ({ student: 'alice', source, kind: 'folder' });
const paths = (loaded: { files: { path: string }[] }): string[] => loaded.files.map((f) => f.path);

describe('loadSubmission: folders', () => {
  it('reads files recursively, sorted, skipping state, data and dependencies at any depth', async () => {
    const alice = await writeTree(join(dir, 'alice'), {
      'producer.py': 'print(1)\n', 'lib/queue.py': 'q\n', '.env': 'A=1\n',
      '.git/HEAD': 'x', '.labs/state.json': '{}', 'node_modules/x/i.js': '', '__pycache__/p.pyc': '', 'lib/__pycache__/q.pyc': '',
      'data/dump.rdb': '', 'lib/data/appendonly.aof': '', '.DS_Store': '', 'lib/.DS_Store': '', '__MACOSX/._producer.py': '',
    });
    const loaded = await loadSubmission(folder(alice));
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
    const loaded = await loadSubmission(folder(alice));
    expect(paths(loaded)).toEqual(['producer.py']);
    expect(loaded.warnings).toEqual([
      'skipped key.py: a symbolic link (links are not followed)',
      'skipped lib: a symbolic link (links are not followed)',
      'skipped pipe: not a regular file (a device, fifo or socket)',
    ]);
  });

  it('strips a single top folder', async () => {
    const alice = await writeTree(join(dir, 'alice'), { 'alice-ex2/producer.py': '', 'alice-ex2/consumer.py': '', 'alice-ex2/.DS_Store': '' });
    expect(paths(await loadSubmission(folder(alice)))).toEqual(['consumer.py', 'producer.py']);
  });

  it('drops files over the per-file limit and stops at the total, keeping what came before', async () => {
    const alice = await writeTree(join(dir, 'alice'), { 'a.bin': noise(40_000), 'b.bin': noise(200_000), 'c.bin': noise(40_000), 'd.bin': noise(40_000), 'e.py': '' });
    const loaded = await loadSubmission(folder(alice), { maxFileBytes: 100_000, maxTotalBytes: 100_000 });
    expect(paths(loaded)).toEqual(['a.bin', 'c.bin']);
    expect(loaded.warnings).toEqual([
      'dropped b.bin: larger than 97.7 KiB (the limit per file)',
      'too large: kept 78.1 KiB and dropped d.bin and everything after it (the limit is 97.7 KiB in all)',
    ]);
  });

  it('stops at the file limit', async () => {
    const alice = join(dir, 'alice');
    await mkdir(alice);
    for (let i = 0; i < 12; i += 1) await writeFile(join(alice, `f${String(i).padStart(2, '0')}.py`), '');
    const loaded = await loadSubmission(folder(alice), { maxFiles: 10 });
    expect(loaded.files).toHaveLength(10);
    expect(loaded.warnings).toEqual(['too many files: kept the first 10, dropped f10.py and everything after it']);
  });

  it('an unreadable folder is a failed submission, not an exception', async () => {
    const loaded = await loadSubmission(folder(join(dir, 'gone')));
    expect(loaded.files).toEqual([]);
    expect(loaded.warnings).toEqual([expect.stringMatching(/^could not read gone: ENOENT/)]);
  });
});
