import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Submission, loadSubmission } from '../../../runner/batch/intake.js';
import { type ZipItem, lieAboutSizes, noise, tempDir, zipBuffer } from './build.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

const MiB = 1024 * 1024;
const zipFile = async (bytes: Buffer, name = 'alice.zip'): Promise<Submission> => {
  await writeFile(join(dir, name), bytes);
  return { student: name.replace(/\.zip$/, ''), source: join(dir, name), kind: 'zip' };
};
const zipOf = async (items: ZipItem[]): Promise<Submission> => zipFile(await zipBuffer(items));
const paths = (loaded: { files: { path: string }[] }): string[] => loaded.files.map((f) => f.path);

describe('loadSubmission: zips', () => {
  it('reads every file in memory, strips the single top folder, and ignores macOS litter silently', async () => {
    const loaded = await loadSubmission(await zipOf([
      { name: 'alice-ex2/producer.py', data: 'print(1)\n' },
      { name: 'alice-ex2/lib/q.py', store: true },
      { name: '__MACOSX/alice-ex2/._producer.py' },
      { name: 'alice-ex2/._consumer.py' },
      { name: 'alice-ex2/.DS_Store' },
      { name: 'alice-ex2/__pycache__/q.pyc' },
    ]));
    expect(paths(loaded)).toEqual(['lib/q.py', 'producer.py']);
    expect(loaded.files[1]!.data.toString()).toBe('print(1)\n');
    expect(loaded.warnings).toEqual([]);
  });

  it('skips zip-slip entries, naming each, and keeps the rest', async () => {
    const loaded = await loadSubmission(await zipOf([
      { name: '../../evil.py' }, { name: '/etc/x' }, { name: 'C:/Windows/win.py' }, { name: 'ok/../../../up.py' }, { name: 'producer.py' },
    ]));
    expect(paths(loaded)).toEqual(['producer.py']);
    expect(loaded.warnings).toEqual([
      'skipped "../../evil.py": the path leads outside the submission (..)',
      'skipped "/etc/x": an absolute path',
      'skipped "C:/Windows/win.py": an absolute path (drive letter)',
      'skipped "ok/../../../up.py": the path leads outside the submission (..)',
    ]);
  });

  it('skips symbolic links and special files stored in the zip', async () => {
    const loaded = await loadSubmission(await zipOf([
      { name: 'link.py', data: '/etc/passwd', mode: 0o120777 }, { name: 'pipe', data: '', mode: 0o010644 }, { name: 'producer.py', mode: 0o100755 },
    ]));
    expect(paths(loaded)).toEqual(['producer.py']);
    expect(loaded.warnings).toEqual(['skipped link.py: a symbolic link (links are not followed)', 'skipped pipe: not a regular file (a device, fifo or socket)']);
  });

  it('keeps the first of two entries with one name', async () => {
    const loaded = await loadSubmission(await zipOf([{ name: 'p.py', data: 'first' }, { name: 'p.py', data: 'second' }]));
    expect(loaded.files).toEqual([{ path: 'p.py', data: Buffer.from('first') }]);
    expect(loaded.warnings).toEqual(['skipped a second copy of p.py']);
  });

  it('keeps files writable: a file and a folder cannot share a name', async () => {
    const loaded = await loadSubmission(await zipOf([{ name: 'lib' }, { name: 'lib/q.py' }, { name: 'src/p.py' }, { name: 'src' }]));
    expect(paths(loaded)).toEqual(['lib', 'src/p.py']);
    expect(loaded.warnings).toEqual(['skipped lib/q.py: lib is a file', 'skipped src: a folder of that name holds other files']);
  });

  it('drops a zip bomb (100 MiB of zeros) without inflating it', async () => {
    const bomb = await zipOf([{ name: 'producer.py' }, { name: 'bomb.bin', data: Buffer.alloc(100 * MiB) }, { name: 'consumer.py' }]);
    const started = Date.now();
    const loaded = await loadSubmission(bomb);
    expect(Date.now() - started).toBeLessThan(500);
    expect(paths(loaded)).toEqual(['consumer.py', 'producer.py']);
    expect(loaded.warnings).toEqual([expect.stringMatching(/^zip bomb: dropped bomb\.bin, it expands more than 200:1 \([\d.]+ KiB to 100 MiB\)$/)]);
  });

  it('stops a zip bomb that lies about its size at the size it claims', async () => {
    const honest = await zipBuffer([{ name: 'bomb.bin', data: Buffer.alloc(100 * MiB) }]);
    const started = Date.now();
    const loaded = await loadSubmission(await zipFile(lieAboutSizes(honest, 1000)));
    expect(Date.now() - started).toBeLessThan(500);
    expect(loaded.files).toEqual([]);
    expect(loaded.warnings).toEqual(['zip bomb: dropped bomb.bin, it holds more data than its header claims']);
  });

  it('drops entries that expand more than 200:1 past 1 MiB, and keeps smaller or ordinary ones', async () => {
    const loaded = await loadSubmission(await zipOf([
      { name: 'zeros-2m.bin', data: Buffer.alloc(2 * MiB) }, { name: 'zeros-900k.bin', data: Buffer.alloc(900 * 1024) }, { name: 'noise.bin', data: noise(2 * MiB) },
    ]));
    expect(paths(loaded)).toEqual(['noise.bin', 'zeros-900k.bin']);
    expect(loaded.warnings).toEqual([expect.stringMatching(/^zip bomb: dropped zeros-2m\.bin, it expands more than 200:1/)]);
  });

  it('drops files over 5 MiB and stops at 20 MiB in all', async () => {
    const items: ZipItem[] = [{ name: 'big.bin', data: noise(5 * MiB + 1), store: true }];
    for (let i = 0; i < 6; i += 1) items.push({ name: `part${i}.bin`, data: noise(4 * MiB, i + 2), store: true });
    const loaded = await loadSubmission(await zipOf(items));
    expect(paths(loaded)).toEqual(['part0.bin', 'part1.bin', 'part2.bin', 'part3.bin', 'part4.bin']);
    expect(loaded.warnings).toEqual([
      'dropped big.bin: larger than 5 MiB (the limit per file)',
      'too large: kept 20 MiB and dropped part5.bin and everything after it (the limit is 20 MiB in all)',
    ]);
  });

  it('keeps the first 500 files', async () => {
    const items = Array.from({ length: 600 }, (_, i): ZipItem => ({ name: `f${String(i).padStart(3, '0')}.py`, data: '' }));
    const loaded = await loadSubmission(await zipOf(items));
    expect(loaded.files).toHaveLength(500);
    expect(loaded.warnings).toEqual(['too many files: kept the first 500, dropped f500.py and everything after it']);
  });

  it('stops looking after too many entries, even empty folders', async () => {
    const items = Array.from({ length: 50 }, (_, i): ZipItem => ({ name: `d${i}/`, mode: 0o040755 }));
    const loaded = await loadSubmission(await zipOf([...items, { name: 'p.py' }]), { maxEntries: 20 });
    expect(loaded.files).toEqual([]);
    expect(loaded.warnings).toEqual(['too many entries: stopped reading alice.zip after 20']);
  });

  it('a corrupt zip is no files and a warning, never an exception', async () => {
    const notZip = await loadSubmission(await zipFile(Buffer.from('this is my homework'), 'bob.zip'));
    expect(notZip).toMatchObject({ files: [], warnings: ['could not read bob.zip: End of central directory record signature not found. Either not a zip file, or file is truncated.'] });

    const whole = await zipBuffer([{ name: 'producer.py', data: noise(50_000) }, { name: 'consumer.py', data: noise(50_000) }]);
    const truncated = await loadSubmission(await zipFile(whole.subarray(0, whole.length - 30), 'carol.zip'));
    expect(truncated).toMatchObject({ files: [], warnings: [expect.stringMatching(/^could not read carol\.zip: /)] });

    const empty = await loadSubmission(await zipFile(Buffer.alloc(0), 'dave.zip'));
    expect(empty).toMatchObject({ files: [], warnings: [expect.stringMatching(/^could not read dave\.zip: /)] });
  });
});
