/** tar.gz archives read in memory (readArchive), against the limits every submission is read with. */
import { createGzip } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type Limits, type SubmissionFiles, readArchive } from '../../../runner/intake/read.js';
import { type TarItem, noise, tarBuffer, tgzBuffer } from './build.js';

const MiB = 1024 * 1024;
const readTgz = (bytes: Buffer, limits?: Partial<Limits>, label = 'alice.tgz'): Promise<SubmissionFiles> => readArchive(bytes, 'tar.gz', label, limits);
const tgzOf = async (items: TarItem[], limits?: Partial<Limits>): Promise<SubmissionFiles> => readTgz(await tgzBuffer(items), limits);
const paths = (loaded: { files: { path: string }[] }): string[] => loaded.files.map((f) => f.path);

/** gzip of a tar holding `bytes` of zeros in one entry, without holding them all in memory. */
async function zeroBombTgz(bytes: number): Promise<Buffer> {
  const head = await tarBuffer([{ name: 'producer.py' }]);
  const header = (await tarBuffer([{ name: 'bomb.bin', data: Buffer.alloc(0) }])).subarray(0, 512);
  // A tar header for `bytes` of data: patch the size field (octal, offset 124) and the checksum.
  header.write(bytes.toString(8).padStart(11, '0') + '\0', 124, 'ascii');
  header.fill(' ', 148, 156);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  const gzip = createGzip();
  const out: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of gzip) out.push(chunk as Buffer);
  })();
  gzip.write(head.subarray(0, head.length - 1024)); // without the end-of-archive blocks
  gzip.write(header);
  const zeros = Buffer.alloc(MiB);
  for (let left = bytes; left > 0; left -= MiB) {
    if (!gzip.write(zeros.subarray(0, Math.min(MiB, left)))) await new Promise((resolve) => gzip.once('drain', resolve));
  }
  gzip.end(Buffer.alloc(1024));
  await done;
  return Buffer.concat(out);
}

describe('intake: tar.gz', () => {
  it('reads every file in memory and strips the single top folder', async () => {
    const loaded = await tgzOf([
      { name: 'alice-ex2/', type: 'directory' },
      { name: 'alice-ex2/producer.py', data: 'print(1)\n' },
      { name: 'alice-ex2/lib/q.py' },
      { name: 'alice-ex2/._producer.py' },
      { name: 'alice-ex2/node_modules/x.js' },
    ]);
    expect(paths(loaded)).toEqual(['lib/q.py', 'producer.py']);
    expect(loaded.files[1]!.data.toString()).toBe('print(1)\n');
    expect(loaded.warnings).toEqual([]);
  });

  it('skips zip-slip entries, links, devices and fifos, naming each', async () => {
    const loaded = await tgzOf([
      { name: '../../evil.py' },
      { name: '/etc/x' },
      { name: './producer.py' },
      { name: 'key.py', type: 'symlink', linkname: '/etc/passwd' },
      { name: 'hard.py', type: 'link', linkname: 'producer.py' },
      { name: 'pipe', type: 'fifo' },
      { name: 'tty', type: 'character-device' },
    ]);
    expect(paths(loaded)).toEqual(['producer.py']);
    expect(loaded.warnings).toEqual([
      '"../../evil.py" was not graded: its path leads outside the submission (..)',
      '"/etc/x" was not graded: its path is absolute',
      'key.py was not graded: it is a symbolic link, and links are not followed',
      'hard.py was not graded: it is a hard link, and links are not followed',
      'pipe was not graded: it is not a regular file (a device, fifo or socket)',
      'tty was not graded: it is not a regular file (a device, fifo or socket)',
    ]);
  });

  it('stops early on a gzip bomb (100 MiB of zeros), keeping the files before it', async () => {
    const bomb = await zeroBombTgz(100 * MiB);
    const started = Date.now();
    const loaded = await readTgz(bomb);
    expect(Date.now() - started).toBeLessThan(500);
    expect(paths(loaded)).toEqual(['producer.py']);
    expect(loaded.warnings).toHaveLength(2);
    expect(loaded.warnings[0]).toBe('bomb.bin (100 MiB) was not graded: files over 5 MiB are left out');
    const [, after] =
      /^the rest of alice\.tgz was not read and not graded: it expands more than 200:1 \(stopped after ([\d.]+) MiB\), a zip bomb$/.exec(loaded.warnings[1]!) ??
      [];
    expect(Number(after)).toBeLessThan(10);
  });

  it('stops after decompressing the limit, even when nothing expands suspiciously', async () => {
    const items: TarItem[] = Array.from({ length: 4 }, (_, i) => ({ name: `big${i}.bin`, data: noise(MiB, i + 1) }));
    const loaded = await tgzOf([{ name: 'producer.py' }, ...items], { maxFileBytes: 1000, maxInflatedBytes: 2 * MiB });
    expect(paths(loaded)).toEqual(['producer.py']);
    expect(loaded.warnings).toEqual([
      'big0.bin (1 MiB) was not graded: files over 1000 bytes are left out',
      'big1.bin (1 MiB) was not graded: files over 1000 bytes are left out',
      'the rest of alice.tgz was not read and not graded: it decompresses to more than 2 MiB, a zip bomb',
    ]);
  });

  it('leaves out, naming them, the files over the total and the file count; smaller files after them are kept', async () => {
    const loaded = await tgzOf(
      [
        { name: 'a.bin', data: noise(40_000) },
        { name: 'b.bin', data: noise(40_000) },
        { name: 'c.bin', data: noise(40_000) },
        { name: 'd.py', data: 'x' },
      ],
      { maxTotalBytes: 100_000 },
    );
    expect(paths(loaded)).toEqual(['a.bin', 'b.bin', 'd.py']);
    expect(loaded.warnings).toEqual(['c.bin (39.1 KiB) was not graded: a submission holds at most 97.7 KiB in all, and the files kept came to 78.1 KiB']);

    const many = await tgzOf(Array.from({ length: 503 }, (_, i) => ({ name: `f${String(i).padStart(3, '0')}.py` })));
    expect(many.files).toHaveLength(500);
    expect(many.warnings).toEqual(['f500.py, f501.py and f502.py were not graded: a submission holds at most 500 files']);
  });

  it('reads a plain tar named .tgz', async () => {
    const loaded = await readTgz(await tarBuffer([{ name: 'producer.py' }]));
    expect(loaded).toMatchObject({ files: [{ path: 'producer.py' }], warnings: [] });
  });

  it('a corrupt archive is no files and a warning, never an exception', async () => {
    const whole = await tgzBuffer([
      { name: 'producer.py', data: noise(50_000) },
      { name: 'consumer.py', data: noise(50_000) },
    ]);
    const truncated = await readTgz(whole.subarray(0, whole.length / 2), {}, 'bob.tar.gz');
    expect(truncated).toMatchObject({ files: [], warnings: ['could not read bob.tar.gz, so none of its files were graded: unexpected end of file'] });

    const notTar = await readTgz(Buffer.from('my homework, honest'), {}, 'carol.tgz');
    expect(notTar).toMatchObject({ files: [], warnings: ['could not read carol.tgz, so none of its files were graded: Unexpected end of data'] });

    const empty = await readTgz(Buffer.alloc(0), {}, 'dave.tgz');
    expect(empty).toMatchObject({ files: [], warnings: ['could not read dave.tgz, so none of its files were graded: unexpected end of file'] });
  });
});
