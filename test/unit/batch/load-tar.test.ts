import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Submission, loadSubmission } from '../../../runner/batch/intake.js';
import { type TarItem, noise, tarBuffer, tempDir, tgzBuffer } from './build.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

const MiB = 1024 * 1024;
const tgzFile = async (bytes: Buffer, name = 'alice.tgz'): Promise<Submission> => {
  await writeFile(join(dir, name), bytes);
  return { student: 'alice', source: join(dir, name), kind: 'tar.gz' };
};
const tgzOf = async (items: TarItem[]): Promise<Submission> => tgzFile(await tgzBuffer(items));
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

describe('loadSubmission: tar.gz', () => {
  it('reads every file in memory and strips the single top folder', async () => {
    const loaded = await loadSubmission(await tgzOf([
      { name: 'alice-ex2/', type: 'directory' }, { name: 'alice-ex2/producer.py', data: 'print(1)\n' }, { name: 'alice-ex2/lib/q.py' },
      { name: 'alice-ex2/._producer.py' }, { name: 'alice-ex2/node_modules/x.js' },
    ]));
    expect(paths(loaded)).toEqual(['lib/q.py', 'producer.py']);
    expect(loaded.files[1]!.data.toString()).toBe('print(1)\n');
    expect(loaded.warnings).toEqual([]);
  });

  it('skips zip-slip entries, links, devices and fifos, naming each', async () => {
    const loaded = await loadSubmission(await tgzOf([
      { name: '../../evil.py' }, { name: '/etc/x' }, { name: './producer.py' },
      { name: 'key.py', type: 'symlink', linkname: '/etc/passwd' }, { name: 'hard.py', type: 'link', linkname: 'producer.py' },
      { name: 'pipe', type: 'fifo' }, { name: 'tty', type: 'character-device' },
    ]));
    expect(paths(loaded)).toEqual(['producer.py']);
    expect(loaded.warnings).toEqual([
      'skipped "../../evil.py": the path leads outside the submission (..)',
      'skipped "/etc/x": an absolute path',
      'skipped key.py: a symbolic link (links are not followed)',
      'skipped hard.py: a hard link (links are not followed)',
      'skipped pipe: not a regular file (a device, fifo or socket)',
      'skipped tty: not a regular file (a device, fifo or socket)',
    ]);
  });

  it('stops early on a gzip bomb (100 MiB of zeros), keeping the files before it', async () => {
    const bomb = await tgzFile(await zeroBombTgz(100 * MiB));
    const started = Date.now();
    const loaded = await loadSubmission(bomb);
    expect(Date.now() - started).toBeLessThan(500);
    expect(paths(loaded)).toEqual(['producer.py']);
    expect(loaded.warnings).toHaveLength(2);
    expect(loaded.warnings[0]).toBe('dropped bomb.bin: larger than 5 MiB (the limit per file)');
    const [, after] = /^zip bomb: alice\.tgz expands more than 200:1; stopped reading it after ([\d.]+) MiB$/.exec(loaded.warnings[1]!) ?? [];
    expect(Number(after)).toBeLessThan(10);
  });

  it('stops after decompressing the limit, even when nothing expands suspiciously', async () => {
    const items: TarItem[] = Array.from({ length: 4 }, (_, i) => ({ name: `big${i}.bin`, data: noise(MiB, i + 1) }));
    const loaded = await loadSubmission(await tgzOf([{ name: 'producer.py' }, ...items]), { maxFileBytes: 1000, maxInflatedBytes: 2 * MiB });
    expect(paths(loaded)).toEqual(['producer.py']);
    expect(loaded.warnings).toEqual([
      'dropped big0.bin: larger than 1000 bytes (the limit per file)',
      'dropped big1.bin: larger than 1000 bytes (the limit per file)',
      'zip bomb: stopped reading alice.tgz after decompressing 2 MiB',
    ]);
  });

  it('stops at the total and file limits', async () => {
    const loaded = await loadSubmission(await tgzOf([
      { name: 'a.bin', data: noise(40_000) }, { name: 'b.bin', data: noise(40_000) }, { name: 'c.bin', data: noise(40_000) },
    ]), { maxTotalBytes: 100_000 });
    expect(paths(loaded)).toEqual(['a.bin', 'b.bin']);
    expect(loaded.warnings).toEqual(['too large: kept 78.1 KiB and dropped c.bin and everything after it (the limit is 97.7 KiB in all)']);

    const many = await loadSubmission(await tgzOf(Array.from({ length: 510 }, (_, i) => ({ name: `f${String(i).padStart(3, '0')}.py` }))));
    expect(many.files).toHaveLength(500);
    expect(many.warnings).toEqual(['too many files: kept the first 500, dropped f500.py and everything after it']);
  });

  it('reads a plain tar named .tgz', async () => {
    const loaded = await loadSubmission(await tgzFile(await tarBuffer([{ name: 'producer.py' }])));
    expect(loaded).toMatchObject({ files: [{ path: 'producer.py' }], warnings: [] });
  });

  it('a corrupt archive is no files and a warning, never an exception', async () => {
    const whole = await tgzBuffer([{ name: 'producer.py', data: noise(50_000) }, { name: 'consumer.py', data: noise(50_000) }]);
    const truncated = await loadSubmission(await tgzFile(whole.subarray(0, whole.length / 2), 'bob.tar.gz'));
    expect(truncated).toMatchObject({ files: [], warnings: ['could not read bob.tar.gz: unexpected end of file'] });

    const notTar = await loadSubmission(await tgzFile(Buffer.from('my homework, honest'), 'carol.tgz'));
    expect(notTar).toMatchObject({ files: [], warnings: ['could not read carol.tgz: Unexpected end of data'] });

    const empty = await loadSubmission(await tgzFile(Buffer.alloc(0), 'dave.tgz'));
    expect(empty).toMatchObject({ files: [], warnings: ['could not read dave.tgz: unexpected end of file'] });
  });
});
