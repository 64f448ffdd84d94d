/** Submissions built in temp folders: folders, zips (yazl) and tar.gz (tar-stream + zlib). */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import yazl from 'yazl';

export interface ZipItem {
  name: string;
  data?: Buffer | string;
  /** Unix mode with file type bits, e.g. 0o120777 for a symlink. */
  mode?: number;
  /** Store without compression. */
  store?: boolean;
}

/**
 * yazl refuses unsafe names (`../x`, `/etc/x`), which is exactly what hostile zips hold: such names
 * are written under a same-length placeholder and swapped into the bytes afterwards.
 */
export async function zipBuffer(items: ZipItem[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const swaps: [placeholder: Buffer, real: Buffer][] = [];
  items.forEach((item, i) => {
    const real = Buffer.from(item.name);
    let name = item.name;
    if (/^[A-Za-z]:|^\/|(^|\/)\.\.(\/|$)|\\/.test(item.name)) {
      name = `q${i}`.padEnd(real.length, 'q');
      swaps.push([Buffer.from(name), real]);
    }
    if (name.endsWith('/')) return zip.addEmptyDirectory(name, { mode: item.mode, mtime: new Date(0) });
    const data = Buffer.isBuffer(item.data) ? item.data : Buffer.from(item.data ?? `# ${item.name}\n`);
    zip.addBuffer(data, name, { mode: item.mode, compress: !item.store, mtime: new Date(0) });
  });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  const out = Buffer.concat(chunks);
  for (const [placeholder, real] of swaps) {
    for (let at = out.indexOf(placeholder); at !== -1; at = out.indexOf(placeholder, at + 1)) real.copy(out, at);
  }
  return out;
}

/** A zip whose central directory claims `claimed` bytes for every entry: a lying zip bomb. */
export function lieAboutSizes(zip: Buffer, claimed: number): Buffer {
  const centralSignature = Buffer.from([0x50, 0x4b, 0x01, 0x02]);
  const out = Buffer.from(zip);
  for (let at = out.indexOf(centralSignature); at !== -1; at = out.indexOf(centralSignature, at + 4)) {
    out.writeUInt32LE(claimed, at + 24);
  }
  return out;
}

export interface TarItem {
  name: string;
  data?: Buffer | string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'fifo' | 'character-device';
  linkname?: string;
}

export async function tarBuffer(items: TarItem[]): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of archive) chunks.push(chunk as Buffer);
  })();
  for (const item of items) {
    const type = item.type ?? 'file';
    const data = type === 'file' ? (Buffer.isBuffer(item.data) ? item.data : Buffer.from(item.data ?? `# ${item.name}\n`)) : undefined;
    await new Promise<void>((resolve, reject) => {
      const header = { name: item.name, type, linkname: item.linkname, mode: type === 'directory' ? 0o755 : 0o644, mtime: new Date(0) };
      const cb = (error?: Error | null): void => (error ? reject(error) : resolve());
      if (data) archive.entry(header, data, cb);
      else archive.entry(header, cb);
    });
  }
  archive.finalize();
  await done;
  return Buffer.concat(chunks);
}

export async function tgzBuffer(items: TarItem[]): Promise<Buffer> {
  return gzipSync(await tarBuffer(items));
}

/** A fresh temp folder, removed by `cleanup`. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'labs-intake-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes `{ 'a/b.py': 'text' }` under `dir`. */
export async function writeTree(dir: string, files: Record<string, string | Buffer>): Promise<string> {
  for (const [path, data] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), data);
  }
  return dir;
}

/** Bytes that do not compress, so sizes in tests are what they say. */
export function noise(bytes: number, seed = 1): Buffer {
  const out = Buffer.alloc(bytes);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < bytes; i += 1) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
