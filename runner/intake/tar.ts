/**
 * A tar.gz (or a plain tar under that name) streamed through gunzip and tar-stream, never written
 * to disk. The gzip stream is one for the whole archive, so entries have no compressed size of their
 * own: the expansion ratio is measured on the stream, and every inflated byte (dropped entries and
 * headers too, since skipping means inflating) is counted before tar-stream sees it.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';
import { type Header, extract } from 'tar-stream';
import type { Collector, EntryKind } from './collect.js';
import { formatBytes } from './limits.js';

/** Thrown into the pipeline to stop it; the collector has already said why. */
class StopReading extends Error {}

/** Small reads keep the measured ratio close: the compressed side is counted a chunk at a time. */
const chunkBytes = 16 * 1024;

/**
 * The tar.gz at `from` (a file's path, or its bytes already in memory). Throws only when the
 * archive as a whole cannot be read; the caller turns that into a warning.
 */
export async function readTarGz(from: string | Buffer, collector: Collector): Promise<void> {
  const gzipped = isGzip(typeof from === 'string' ? await firstBytes(from, 2) : from);
  const source = typeof from === 'string' ? createReadStream(from, { highWaterMark: chunkBytes }) : Readable.from(chunksOf(from));
  const gunzip = gzipped ? createGunzip() : undefined;
  const tar = extract();
  const meter = meterStream(collector, gunzip);
  const stages: Readable[] = gunzip ? [source, gunzip, meter] : [source, meter];
  const abort = (error: Error): void => {
    for (const stage of stages) stage.destroy();
    tar.destroy(error);
  };
  for (const stage of stages) stage.on('error', abort);
  (gunzip ? source.pipe(gunzip).pipe(meter) : source.pipe(meter)).pipe(tar);
  try {
    for await (const entry of tar) {
      const path = collector.admit(entry.header.name, kindOf(entry.header), { declared: entry.header.size });
      let reading = path === undefined ? undefined : collector.read(path);
      // The entry is read to its end even when dropped: tar-stream destroys the whole archive otherwise.
      for await (const chunk of entry) {
        if (collector.stopped) throw new StopReading();
        if (reading && !reading.add(chunk as Buffer)) reading = undefined;
      }
      if (collector.stopped) throw new StopReading();
      reading?.done();
    }
  } catch (error) {
    if (!collector.stopped) throw error;
  } finally {
    abort(new StopReading());
  }
}

/** Counts inflated bytes against the limits and the ratio; errors the stream when one is crossed. */
function meterStream(collector: Collector, gunzip: Gunzip | undefined): Transform {
  const { maxRatio, ratioMinBytes } = collector.limits;
  let inflated = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      inflated += chunk.length;
      if (!collector.inflated(chunk.length)) return callback(new StopReading());
      if (gunzip && inflated > ratioMinBytes && inflated > gunzip.bytesWritten * maxRatio) {
        collector.stop(`it expands more than ${maxRatio}:1 (stopped after ${formatBytes(inflated)}), a zip bomb`);
        return callback(new StopReading());
      }
      callback(null, chunk);
    },
  });
}

function kindOf(header: Header): EntryKind {
  switch (header.type) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
      return 'directory';
    case 'symlink':
      return 'symlink';
    case 'link':
      return 'hardlink';
    default:
      return 'special'; // devices, fifos, and types tar-stream does not know (null), such as GNU sparse files
  }
}

function* chunksOf(bytes: Buffer): Generator<Buffer> {
  for (let at = 0; at < bytes.length; at += chunkBytes) yield bytes.subarray(at, at + chunkBytes);
}

/** Students rename a plain .tar to .tgz; gzip files begin 1f 8b (an empty one is left to gunzip to refuse). */
function isGzip(head: Buffer): boolean {
  return head.length < 2 || (head[0] === 0x1f && head[1] === 0x8b);
}

async function firstBytes(file: string, count: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(count), 0, count, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
