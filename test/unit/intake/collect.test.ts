/** The collector alone, fed as a reader feeds it: every limit, and every file it leaves out named. */
import { describe, expect, it } from 'vitest';
import { Collector } from '../../../runner/intake/collect.js';
import { type Limits, defaultLimits } from '../../../runner/intake/limits.js';

const collector = (limits: Partial<Limits> = {}): Collector => new Collector({ ...defaultLimits, ...limits }, 'alice.zip');

/** Admits and reads `data` in chunks of `chunk` bytes, as a reader does; whether the file was kept. */
function feed(c: Collector, name: string, data: Buffer, declared: number | undefined = data.length, chunk = 1024): boolean {
  const path = c.admit(name, 'file', { declared });
  if (path === undefined) return false;
  const reading = c.read(path);
  for (let at = 0; at < data.length; at += chunk) if (!reading.add(data.subarray(at, at + chunk))) return false;
  reading.done();
  return true;
}

describe('Collector', () => {
  it('a file larger than its container said is left out once it crosses the limit, its size "over" the limit', () => {
    const c = collector({ maxFileBytes: 4096 });
    expect(feed(c, 'grew.bin', Buffer.alloc(10_000), 100)).toBe(false);
    expect(feed(c, 'p.py', Buffer.from('x'))).toBe(true);
    expect(c.finish().warnings).toEqual(['grew.bin (over 4 KiB) was not graded: files over 4 KiB are left out']);
  });

  it('names at most 20 files in one warning, then how many more', () => {
    const c = collector({ maxFiles: 1 });
    for (let i = 0; i < 25; i += 1) feed(c, `f${String(i).padStart(2, '0')}.py`, Buffer.from('x'));
    const named = Array.from({ length: 20 }, (_, i) => `f${String(i + 1).padStart(2, '0')}.py`).join(', ');
    expect(c.finish().warnings).toEqual([`${named} and 4 more files were not graded: a submission holds at most 1 file`]);
  });

  it('a limit that stops reading names the file it stopped in, and says the rest was not read', () => {
    const c = collector({ maxInflatedBytes: 2048 });
    expect(feed(c, 'a.py', Buffer.from('x'))).toBe(true);
    const path = c.admit('b.bin', 'file', { declared: 4096 })!;
    const reading = c.read(path);
    expect(c.inflated(4096)).toBe(false);
    expect(reading.add(Buffer.alloc(4096))).toBe(false);
    expect(c.stopped).toBe(true);
    expect(c.admit('c.py', 'file')).toBeUndefined();
    const { files, warnings } = c.finish();
    expect(files.map((f) => f.path)).toEqual(['a.py']);
    expect(warnings).toEqual(['the rest of alice.zip, from b.bin on, was not read and not graded: it decompresses to more than 2 KiB, a zip bomb']);
  });

  it('litter is left out silently, before any limit counts it', () => {
    const c = collector({ maxFiles: 1 });
    for (const name of ['.git/HEAD', 'node_modules/x/i.js', '__pycache__/p.pyc', 'data/dump.rdb', '.labs/state.json', '.DS_Store'])
      expect(feed(c, name, Buffer.from('x'))).toBe(false);
    expect(feed(c, 'producer.py', Buffer.from('x'))).toBe(true);
    expect(c.finish()).toMatchObject({ files: [{ path: 'producer.py' }], warnings: [] });
  });
});
