/** Zips read in memory (readArchive), against the limits every submission is read with. */
import { describe, expect, it } from 'vitest';
import { type Limits, type SubmissionFiles, readArchive } from '../../../runner/intake/read.js';
import { type ZipItem, lieAboutSizes, noise, zipBuffer } from './build.js';

const MiB = 1024 * 1024;
const readZip = (bytes: Buffer, limits?: Partial<Limits>, label = 'alice.zip'): Promise<SubmissionFiles> => readArchive(bytes, 'zip', label, limits);
const zipOf = async (items: ZipItem[], limits?: Partial<Limits>): Promise<SubmissionFiles> => readZip(await zipBuffer(items), limits);
const paths = (loaded: { files: { path: string }[] }): string[] => loaded.files.map((f) => f.path);

describe('intake: zips', () => {
  it('reads every file in memory, strips the single top folder, and ignores macOS litter silently', async () => {
    const loaded = await zipOf([
      { name: 'alice-ex2/producer.py', data: 'print(1)\n' },
      { name: 'alice-ex2/lib/q.py', store: true },
      { name: '__MACOSX/alice-ex2/._producer.py' },
      { name: 'alice-ex2/._consumer.py' },
      { name: 'alice-ex2/.DS_Store' },
      { name: 'alice-ex2/__pycache__/q.pyc' },
    ]);
    expect(paths(loaded)).toEqual(['lib/q.py', 'producer.py']);
    expect(loaded.files[1]!.data.toString()).toBe('print(1)\n');
    expect(loaded.warnings).toEqual([]);
  });

  it('skips zip-slip entries, naming each, and keeps the rest', async () => {
    const loaded = await zipOf([
      { name: '../../evil.py' },
      { name: '/etc/x' },
      { name: 'C:/Windows/win.py' },
      { name: 'ok/../../../up.py' },
      { name: 'producer.py' },
    ]);
    expect(paths(loaded)).toEqual(['producer.py']);
    expect(loaded.warnings).toEqual([
      '"../../evil.py" was not graded: its path leads outside the submission (..)',
      '"/etc/x" was not graded: its path is absolute',
      '"C:/Windows/win.py" was not graded: its path is absolute (a drive letter)',
      '"ok/../../../up.py" was not graded: its path leads outside the submission (..)',
    ]);
  });

  it('skips symbolic links and special files stored in the zip', async () => {
    const loaded = await zipOf([
      { name: 'link.py', data: '/etc/passwd', mode: 0o120777 },
      { name: 'pipe', data: '', mode: 0o010644 },
      { name: 'producer.py', mode: 0o100755 },
    ]);
    expect(paths(loaded)).toEqual(['producer.py']);
    expect(loaded.warnings).toEqual([
      'link.py was not graded: it is a symbolic link, and links are not followed',
      'pipe was not graded: it is not a regular file (a device, fifo or socket)',
    ]);
  });

  it('keeps the first of two entries with one name', async () => {
    const loaded = await zipOf([
      { name: 'p.py', data: 'first' },
      { name: 'p.py', data: 'second' },
    ]);
    expect(loaded.files).toEqual([{ path: 'p.py', data: Buffer.from('first') }]);
    expect(loaded.warnings).toEqual(['a second copy of p.py was not graded: the first one is']);
  });

  it('keeps files writable: a file and a folder cannot share a name', async () => {
    const loaded = await zipOf([{ name: 'lib' }, { name: 'lib/q.py' }, { name: 'src/p.py' }, { name: 'src' }]);
    expect(paths(loaded)).toEqual(['lib', 'src/p.py']);
    expect(loaded.warnings).toEqual(['lib/q.py was not graded: lib is a file', 'src was not graded: a folder of that name holds other files']);
  });

  it('drops a zip bomb (100 MiB of zeros) without inflating it', async () => {
    const bomb = await zipBuffer([{ name: 'producer.py' }, { name: 'bomb.bin', data: Buffer.alloc(100 * MiB) }, { name: 'consumer.py' }]);
    const started = Date.now();
    const loaded = await readZip(bomb);
    expect(Date.now() - started).toBeLessThan(500);
    expect(paths(loaded)).toEqual(['consumer.py', 'producer.py']);
    expect(loaded.warnings).toEqual([expect.stringMatching(/^bomb\.bin \(100 MiB\) was not graded: it expands more than 200:1 from [\d.]+ KiB, a zip bomb$/)]);
  });

  it('stops a zip bomb that lies about its size at the size it claims', async () => {
    const honest = await zipBuffer([{ name: 'bomb.bin', data: Buffer.alloc(100 * MiB) }]);
    const started = Date.now();
    const loaded = await readZip(lieAboutSizes(honest, 1000));
    expect(Date.now() - started).toBeLessThan(500);
    expect(loaded.files).toEqual([]);
    expect(loaded.warnings).toEqual(['bomb.bin was not graded: it holds more data than its header claims, a zip bomb']);
  });

  it('drops entries that expand more than 200:1 past 1 MiB, and keeps smaller or ordinary ones', async () => {
    const loaded = await zipOf([
      { name: 'zeros-2m.bin', data: Buffer.alloc(2 * MiB) },
      { name: 'zeros-900k.bin', data: Buffer.alloc(900 * 1024) },
      { name: 'noise.bin', data: noise(2 * MiB) },
    ]);
    expect(paths(loaded)).toEqual(['noise.bin', 'zeros-900k.bin']);
    expect(loaded.warnings).toEqual([
      expect.stringMatching(/^zeros-2m\.bin \(2 MiB\) was not graded: it expands more than 200:1 from [\d.]+ KiB, a zip bomb$/),
    ]);
  });

  it('leaves out files over 5 MiB, and what would cross 20 MiB in all, naming each; smaller files after them are kept', async () => {
    const items: ZipItem[] = [{ name: 'big.bin', data: noise(5 * MiB + 1), store: true }];
    for (let i = 0; i < 6; i += 1) items.push({ name: `part${i}.bin`, data: noise(3.5 * MiB, i + 2), store: true });
    items.push({ name: 'producer.py' });
    const loaded = await zipOf(items);
    expect(paths(loaded)).toEqual(['part0.bin', 'part1.bin', 'part2.bin', 'part3.bin', 'part4.bin', 'producer.py']);
    expect(loaded.warnings).toEqual([
      'big.bin (5 MiB) was not graded: files over 5 MiB are left out',
      'part5.bin (3.5 MiB) was not graded: a submission holds at most 20 MiB in all, and the files kept came to 17.5 MiB',
    ]);
  });

  it('keeps the first 500 files', async () => {
    const items = Array.from({ length: 600 }, (_, i): ZipItem => ({ name: `f${String(i).padStart(3, '0')}.py`, data: '' }));
    const loaded = await zipOf(items);
    expect(loaded.files).toHaveLength(500);
    const left = Array.from({ length: 20 }, (_, i) => `f${500 + i}.py`).join(', ');
    expect(loaded.warnings).toEqual([`${left} and 80 more files were not graded: a submission holds at most 500 files`]);
  });

  it('stops looking after too many entries, even empty folders', async () => {
    const items = Array.from({ length: 50 }, (_, i): ZipItem => ({ name: `d${i}/`, mode: 0o040755 }));
    const loaded = await zipOf([...items, { name: 'p.py' }], { maxEntries: 20 });
    expect(loaded.files).toEqual([]);
    expect(loaded.warnings).toEqual(['the rest of alice.zip was not read and not graded: it holds more than 20 entries']);
  });

  it('a corrupt zip is no files and a warning, never an exception', async () => {
    const notZip = await readZip(Buffer.from('this is my homework'), {}, 'bob.zip');
    expect(notZip).toMatchObject({
      files: [],
      warnings: [
        'could not read bob.zip, so none of its files were graded: End of central directory record signature not found. Either not a zip file, or file is truncated.',
      ],
    });

    const whole = await zipBuffer([
      { name: 'producer.py', data: noise(50_000) },
      { name: 'consumer.py', data: noise(50_000) },
    ]);
    const truncated = await readZip(whole.subarray(0, whole.length - 30), {}, 'carol.zip');
    expect(truncated).toMatchObject({ files: [], warnings: [expect.stringMatching(/^could not read carol\.zip, so none of its files were graded: /)] });

    const empty = await readZip(Buffer.alloc(0), {}, 'dave.zip');
    expect(empty).toMatchObject({ files: [], warnings: [expect.stringMatching(/^could not read dave\.zip, so none of its files were graded: /)] });
  });
});
