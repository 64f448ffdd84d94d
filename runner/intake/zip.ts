/**
 * A zip read entry by entry from the central directory (yauzl, lazyEntries), never written to disk.
 * Names are decoded and validated here rather than by yauzl: yauzl rejects the whole archive at the
 * first `../` name, and one planted entry must cost the student that entry, not the submission.
 */
import type { Readable } from 'node:stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import type { Collector, EntryKind } from './collect.js';

// Exported by yauzl 3, missing from @types/yauzl (written for yauzl 2).
const { getFileNameLowLevel } = yauzl as unknown as {
  getFileNameLowLevel(flags: number, name: Buffer, extraFields: Entry['extraFields'], strict: boolean): string;
};

/**
 * The zip at `source` (a file's path, or its bytes already in memory). Throws only when the archive
 * as a whole cannot be read; the caller turns that into a warning.
 */
export async function readZip(source: string | Buffer, collector: Collector): Promise<void> {
  const zip = await openZip(source);
  // yauzl reports a broken archive once, on the zip file, possibly between two entries: keep it for
  // the next read rather than let an unheard 'error' event crash the batch.
  const failure: { error?: Error } = {};
  zip.on('error', (error: Error) => void (failure.error ??= error));
  try {
    for (let entry = await nextEntry(zip, failure); entry && !collector.stopped; entry = await nextEntry(zip, failure)) {
      await readEntry(zip, entry, collector);
    }
  } finally {
    zip.close();
  }
}

/**
 * The entry names of the zip at `source`, decoded as `readZip` decodes them (so a name listed here
 * selects the same entry there), in central-directory order, at most `max`: a platform's export is
 * listed to tell whose each entry is before any is read. Throws when the archive cannot be read.
 */
export async function listZip(source: string, max: number): Promise<{ names: string[]; truncated: boolean }> {
  const zip = await openZip(source);
  const failure: { error?: Error } = {};
  zip.on('error', (error: Error) => void (failure.error ??= error));
  const names: string[] = [];
  try {
    for (let entry = await nextEntry(zip, failure); entry; entry = await nextEntry(zip, failure)) {
      if (names.length >= max) return { names, truncated: true };
      names.push(entryName(entry));
    }
    return { names, truncated: false };
  } finally {
    zip.close();
  }
}

function entryName(entry: Entry): string {
  const raw = entry.fileName as unknown as Buffer; // decodeStrings: false
  return getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, false);
}

async function readEntry(zip: ZipFile, entry: Entry, collector: Collector): Promise<void> {
  const name = entryName(entry);
  const path = collector.admit(name, kindOf(entry, name), { declared: entry.uncompressedSize, compressed: entry.compressedSize });
  if (path === undefined) return;
  if (entry.isEncrypted()) {
    collector.leaveOut(path, 'it is encrypted');
    return;
  }
  const reading = collector.read(path, entry.compressedSize);
  let stream: Readable | undefined;
  try {
    stream = await openEntry(zip, entry);
    for await (const chunk of stream) {
      const data = chunk as Buffer;
      if (!collector.inflated(data.length) || !reading.add(data)) return; // leaving the loop destroys the stream
    }
    reading.done();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // yauzl counts the bytes against the size the entry claims: more means a header lied.
    collector.leaveOut(path, /too many bytes/.test(message) ? 'it holds more data than its header claims, a zip bomb' : `it could not be read (${message})`);
  } finally {
    stream?.destroy();
  }
}

/** Unix file types live in the high bits of the external attributes, when a Unix tool made the zip. */
function kindOf(entry: Entry, name: string): EntryKind {
  if (name.endsWith('/') || name.endsWith('\\')) return 'directory';
  const host = entry.versionMadeBy >> 8;
  if (host !== 3 && host !== 19) return 'file'; // 3: Unix, 19: OS X; other hosts keep DOS attributes there
  const type = (entry.externalFileAttributes >>> 16) & 0o170000;
  if (type === 0 || type === 0o100000) return 'file';
  if (type === 0o040000) return 'directory';
  if (type === 0o120000) return 'symlink';
  return 'special';
}

function openZip(source: string | Buffer): Promise<ZipFile> {
  const options = { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true };
  return new Promise((resolve, reject) => {
    const opened = (error: Error | null, zip: ZipFile): void => (error ? reject(error) : resolve(zip));
    if (typeof source === 'string') yauzl.open(source, options, opened);
    else yauzl.fromBuffer(source, options, opened);
  });
}

function nextEntry(zip: ZipFile, failure: { error?: Error }): Promise<Entry | undefined> {
  return new Promise((resolve, reject) => {
    if (failure.error) {
      reject(failure.error);
      return;
    }
    const settle = (action: () => void): void => {
      zip.off('entry', onEntry).off('end', onEnd).off('error', onError);
      action();
    };
    const onEntry = (entry: Entry): void => settle(() => resolve(entry));
    const onEnd = (): void => settle(() => resolve(undefined));
    const onError = (error: Error): void => settle(() => reject(error));
    zip.on('entry', onEntry).on('end', onEnd).on('error', onError);
    zip.readEntry();
  });
}

function openEntry(zip: ZipFile, entry: Entry): Promise<Readable> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => (error ? reject(error) : resolve(stream)));
  });
}
