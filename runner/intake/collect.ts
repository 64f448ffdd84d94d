/**
 * The one place a submission's limits are enforced, whatever it came in: each reader (folder, zip,
 * tar.gz) asks `admit` before reading an entry and feeds its bytes to a `FileReading`, and the
 * collector keeps the file, leaves it out (naming it), or stops reading altogether. Pure: no I/O.
 *
 * Every file left out is named in a warning, worded for the student who reads it in `labs check` or
 * a batch's feedback ("huge.bin (6 MiB) was not graded: files over 5 MiB are left out"). Only what
 * was never read cannot be named: the rest of an archive after a limit that stops reading (too many
 * entries, a zip bomb), said as such.
 */
import { createHash } from 'node:crypto';
import { plural } from '../lab/problem.js';
import { type Limits, formatBytes } from './limits.js';
import { byPath, entryPath, isIgnored, stripCommonTop } from './paths.js';

export type EntryKind = 'file' | 'directory' | 'symlink' | 'hardlink' | 'special';

export interface EntrySizes {
  /** The size the container states, in bytes; trusted only to leave a file out early, never to allow more. */
  declared?: number;
  /** The entry's compressed size in bytes, where it has its own (zip). */
  compressed?: number;
}

/** One file of a submission: a relative, `/`-separated, validated path (no `..`, not absolute) and its bytes. */
export interface SubmissionFile {
  path: string;
  data: Buffer;
}

/** A submission as read: what a check session runs, and what a batch hashes and records. */
export interface SubmissionFiles {
  /** Sorted by path, without a common top folder. */
  files: SubmissionFile[];
  /** sha256 of the (path, content) pairs: equal for equal files, whatever they came in. */
  contentHash: string;
  /** What the student and the instructor should know: each file left out and why, limits reached, an unreadable archive. */
  warnings: string[];
}

const kindProblem: Record<Exclude<EntryKind, 'file' | 'directory'>, string> = {
  symlink: 'it is a symbolic link, and links are not followed',
  hardlink: 'it is a hard link, and links are not followed',
  special: 'it is not a regular file (a device, fifo or socket)',
};

/** How many names one warning lists before it says "and N more files". */
const namesPerWarning = 20;

/**
 * One submission's intake as it is read (see the top of this file): `admit` each entry, `read` its
 * bytes, then `finish` for the files and the warnings, or `fail` when the container could not be read.
 */
export class Collector {
  private readonly warnings: string[] = [];
  private readonly files = new Map<string, Buffer>();
  /** Every folder a kept file sits in, so a file cannot take a folder's name or the reverse. */
  private readonly folders = new Set<string>();
  /** Files left out because the submission already had its number of files, or its bytes: named together at the end. */
  private readonly overFileCount: string[] = [];
  private readonly overTotal: string[] = [];
  private keptBytes = 0;
  private inflatedBytes = 0;
  private entries = 0;
  private stoppedReading = false;
  /** The file being read, named when reading stops in the middle of it. */
  private reading: string | undefined;

  constructor(
    readonly limits: Limits,
    /** The submission's own name, for warnings about it as a whole ("alice.zip"). */
    readonly label: string,
    /**
     * For one student's part of a platform's export (export.ts): an entry's name in the container →
     * its name in the submission, or undefined for another student's entry, passed over without a
     * word and without counting against any limit. Without it every entry is the submission's.
     */
    private readonly select?: (name: string) => string | undefined,
  ) {}

  /** Once true, the reader stops: a limit was reached and said so. */
  get stopped(): boolean {
    return this.stoppedReading;
  }

  warn(message: string): void {
    this.warnings.push(message);
  }

  /** Stops reading: the rest of the submission is not read, `why` says which limit it reached. */
  stop(why: string): void {
    if (this.stoppedReading) return;
    this.stoppedReading = true;
    const from = this.reading === undefined ? '' : `, from ${this.reading} on,`;
    this.warn(`the rest of ${this.label}${from} was not read and not graded: ${why}`);
  }

  /** Whether a folder is worth walking into (folders only: archives list full paths). */
  descends(path: string): boolean {
    return !isIgnored(path, true);
  }

  /** The safe path to read the entry into, or undefined to skip it (named in a warning unless it is litter). */
  admit(entry: string, kind: EntryKind, sizes: EntrySizes = {}): string | undefined {
    if (this.stoppedReading) return undefined;
    const name = this.select ? this.select(entry) : entry;
    if (name === undefined) return undefined;
    this.entries += 1;
    if (this.entries > this.limits.maxEntries) {
      this.stop(`it holds more than ${this.limits.maxEntries} entries`);
      return undefined;
    }
    const parsed = entryPath(name);
    if (!parsed.ok) {
      this.warn(`${JSON.stringify(name)} was not graded: ${parsed.problem}`);
      return undefined;
    }
    const { path } = parsed;
    if (path === '' || isIgnored(path, kind === 'directory') || kind === 'directory') return undefined;
    if (kind !== 'file') {
      this.warn(`${path} was not graded: ${kindProblem[kind]}`);
      return undefined;
    }
    if (this.files.has(path)) {
      // A zip can hold one name twice, and tools disagree on which copy wins: keep the first.
      this.warn(`a second copy of ${path} was not graded: the first one is`);
      return undefined;
    }
    const clash = this.clash(path);
    if (clash !== undefined) {
      // `a` and `a/b.py` cannot both be files in the container; the first one read stays.
      this.warn(`${path} was not graded: ${clash}`);
      return undefined;
    }
    const { declared, compressed } = sizes;
    if (declared !== undefined && compressed !== undefined && this.isBomb(declared, compressed)) {
      this.warn(
        `${path} (${formatBytes(declared)}) was not graded: it expands more than ${this.limits.maxRatio}:1 from ${formatBytes(compressed)}, a zip bomb`,
      );
      return undefined;
    }
    if (declared !== undefined && declared > this.limits.maxFileBytes) {
      this.leaveOutTooLarge(path, formatBytes(declared));
      return undefined;
    }
    if (this.files.size >= this.limits.maxFiles) {
      this.overFileCount.push(path);
      return undefined;
    }
    if (declared !== undefined && this.keptBytes + declared > this.limits.maxTotalBytes) {
      this.overTotal.push(`${path} (${formatBytes(declared)})`);
      return undefined;
    }
    return path;
  }

  /** Start reading an admitted file; its bytes are counted as they arrive. */
  read(path: string, compressed?: number): FileReading {
    this.reading = path;
    return new FileReading(this, path, compressed);
  }

  /**
   * Count decompressed bytes, kept or not; false once the archive has cost too much to read further.
   */
  inflated(bytes: number): boolean {
    this.inflatedBytes += bytes;
    if (this.inflatedBytes <= this.limits.maxInflatedBytes) return true;
    this.stop(`it decompresses to more than ${formatBytes(this.limits.maxInflatedBytes)}, a zip bomb`);
    return false;
  }

  /** @internal FileReading's verdict on one more chunk: read on, leave this file out, or stop. */
  check(path: string, bytes: number, compressed: number | undefined): 'more' | 'drop' | 'stop' {
    if (this.stoppedReading) return 'stop';
    if (compressed !== undefined && this.isBomb(bytes, compressed)) {
      this.warn(`${path} was not graded: it expands more than ${this.limits.maxRatio}:1 (stopped after ${formatBytes(bytes)}), a zip bomb`);
      return this.dropped();
    }
    if (bytes > this.limits.maxFileBytes) {
      // Larger than its container said (a folder's file that grew, a header that lied): its size is not known.
      this.leaveOutTooLarge(path, `over ${formatBytes(this.limits.maxFileBytes)}`);
      return this.dropped();
    }
    if (this.keptBytes + bytes > this.limits.maxTotalBytes) {
      this.overTotal.push(`${path} (at least ${formatBytes(bytes)})`);
      return this.dropped();
    }
    return 'more';
  }

  /** @internal The file read to its end: kept. */
  keep(path: string, data: Buffer): void {
    this.reading = undefined;
    this.files.set(path, data);
    this.keptBytes += data.length;
    for (let at = path.indexOf('/'); at !== -1; at = path.indexOf('/', at + 1)) this.folders.add(path.slice(0, at));
  }

  /** An admitted file the reader cannot keep after all (encrypted, corrupt, unreadable): named, with why. */
  leaveOut(path: string, why: string): void {
    this.reading = undefined;
    this.warn(`${path} was not graded: ${why}`);
  }

  /** The files kept, without their common top folder, sorted, their content hash, and every warning. */
  finish(): SubmissionFiles {
    const files = stripCommonTop([...this.files].map(([path, data]) => ({ path, data }))).sort(byPath);
    const warnings = [...this.warnings];
    if (this.overFileCount.length) warnings.push(`${names(this.overFileCount)} not graded: a submission holds at most ${plural(this.limits.maxFiles, 'file')}`);
    if (this.overTotal.length) {
      warnings.push(
        `${names(this.overTotal)} not graded: a submission holds at most ${formatBytes(this.limits.maxTotalBytes)} in all, and the files kept came to ${formatBytes(this.keptBytes)}`,
      );
    }
    return { files, contentHash: contentHash(files), warnings };
  }

  /** Everything read is discarded: a corrupt archive is a failed submission, not half of one. */
  fail(error: unknown): SubmissionFiles {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      files: [],
      contentHash: contentHash([]),
      warnings: [...this.warnings, `could not read ${this.label}, so none of its files were graded: ${reason}`],
    };
  }

  private dropped(): 'drop' {
    this.reading = undefined;
    return 'drop';
  }

  private clash(path: string): string | undefined {
    if (this.folders.has(path)) return 'a folder of that name holds other files';
    for (let at = path.indexOf('/'); at !== -1; at = path.indexOf('/', at + 1)) {
      if (this.files.has(path.slice(0, at))) return `${path.slice(0, at)} is a file`;
    }
    return undefined;
  }

  private isBomb(bytes: number, compressed: number): boolean {
    return bytes > this.limits.ratioMinBytes && bytes > compressed * this.limits.maxRatio;
  }

  private leaveOutTooLarge(path: string, size: string): void {
    this.warn(`${path} (${size}) was not graded: files over ${formatBytes(this.limits.maxFileBytes)} are left out`);
  }
}

/** "a.bin was", "a.bin and b.bin were", "a, b, … and 12 more files were". */
function names(list: string[]): string {
  if (list.length === 1) return `${list[0]} was`;
  const shown = list.slice(0, namesPerWarning);
  const more = list.length - shown.length;
  if (more > 0) return `${shown.join(', ')} and ${plural(more, 'more file')} were`;
  return `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)} were`;
}

/** One file's bytes as they stream in, stopped at the first limit rather than trusted to end. */
export class FileReading {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;

  constructor(
    private readonly collector: Collector,
    readonly path: string,
    private readonly compressed: number | undefined,
  ) {}

  /** False when the reader should stop reading this entry (it was left out, or reading stopped). */
  add(chunk: Buffer): boolean {
    this.bytes += chunk.length;
    if (this.collector.check(this.path, this.bytes, this.compressed) !== 'more') return false;
    this.chunks.push(chunk);
    return true;
  }

  /** The entry ended: keep it. */
  done(): void {
    this.collector.keep(this.path, Buffer.concat(this.chunks, this.bytes));
  }
}

/**
 * sha256 over the sorted (path, content) pairs, each length-prefixed so no two file sets encode
 * alike: the same files give the same hash in a folder, a zip or a tar.gz.
 */
export function contentHash(files: readonly SubmissionFile[]): string {
  const hash = createHash('sha256');
  for (const file of [...files].sort(byPath)) {
    const path = Buffer.from(file.path, 'utf8');
    hash.update(`${path.length}:`).update(path).update(`${file.data.length}:`).update(file.data);
  }
  return hash.digest('hex');
}
