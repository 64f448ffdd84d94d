/**
 * The one place a submission's limits are enforced, whatever container it came in: each reader
 * (folder, zip, tar.gz) asks `admit` before reading an entry and feeds its bytes to a `FileReading`,
 * and the collector decides to keep, drop (with a warning) or stop reading altogether.
 */
import { createHash } from 'node:crypto';
import { type Limits, formatBytes } from './intake-limits.js';
import { byPath, entryPath, isIgnored, stripCommonTop } from './intake-paths.js';

export type EntryKind = 'file' | 'directory' | 'symlink' | 'hardlink' | 'special';

export interface EntrySizes {
  /** The size the container states; trusted only to drop early, never to allow more. */
  declared?: number;
  /** The entry's compressed size, where it has its own (zip). */
  compressed?: number;
}

export interface CollectedFiles {
  files: { path: string; data: Buffer }[];
  contentHash: string;
  warnings: string[];
}

const kindProblem: Record<Exclude<EntryKind, 'file' | 'directory'>, string> = {
  symlink: 'a symbolic link (links are not followed)',
  hardlink: 'a hard link (links are not followed)',
  special: 'not a regular file (a device, fifo or socket)',
};

export class Collector {
  readonly warnings: string[] = [];
  private readonly files = new Map<string, Buffer>();
  /** Every folder a kept file sits in, so a file cannot take a folder's name or the reverse. */
  private readonly folders = new Set<string>();
  private keptBytes = 0;
  private inflatedBytes = 0;
  private entries = 0;
  private stoppedReading = false;

  constructor(
    readonly limits: Limits,
    /** The container's file name, for archive-level warnings ("alice.zip"). */
    readonly label: string,
  ) {}

  /** Once true, the reader stops: a limit was reached and said so. */
  get stopped(): boolean {
    return this.stoppedReading;
  }

  warn(message: string): void {
    this.warnings.push(message);
  }

  stop(message: string): void {
    if (this.stoppedReading) return;
    this.stoppedReading = true;
    this.warn(message);
  }

  /** Whether a folder is worth walking into (folders only: archives list full paths). */
  descends(path: string): boolean {
    return !isIgnored(path, true);
  }

  /** The safe path to read the entry into, or undefined to skip it (with a warning when it matters). */
  admit(name: string, kind: EntryKind, sizes: EntrySizes = {}): string | undefined {
    if (this.stoppedReading) return undefined;
    this.entries += 1;
    if (this.entries > this.limits.maxEntries) {
      this.stop(`too many entries: stopped reading ${this.label} after ${this.limits.maxEntries}`);
      return undefined;
    }
    const parsed = entryPath(name);
    if (!parsed.ok) {
      this.warn(`skipped ${JSON.stringify(name)}: ${parsed.problem}`);
      return undefined;
    }
    const { path } = parsed;
    if (path === '' || isIgnored(path, kind === 'directory') || kind === 'directory') return undefined;
    if (kind !== 'file') {
      this.warn(`skipped ${path}: ${kindProblem[kind]}`);
      return undefined;
    }
    if (this.files.has(path)) {
      // A zip can hold one name twice, and tools disagree on which copy wins: keep the first.
      this.warn(`skipped a second copy of ${path}`);
      return undefined;
    }
    const clash = this.clash(path);
    if (clash !== undefined) {
      // `a` and `a/b.py` cannot both be written out; the first one read stays.
      this.warn(`skipped ${path}: ${clash}`);
      return undefined;
    }
    if (this.files.size >= this.limits.maxFiles) {
      this.stop(`too many files: kept the first ${this.limits.maxFiles}, dropped ${path} and everything after it`);
      return undefined;
    }
    const { declared, compressed } = sizes;
    if (declared !== undefined) {
      if (compressed !== undefined && this.isBomb(declared, compressed)) {
        this.warn(`zip bomb: dropped ${path}, it expands more than ${this.limits.maxRatio}:1 (${formatBytes(compressed)} to ${formatBytes(declared)})`);
        return undefined;
      }
      if (declared > this.limits.maxFileBytes) {
        this.dropTooLarge(path);
        return undefined;
      }
      if (this.keptBytes + declared > this.limits.maxTotalBytes) {
        this.stopTotal(path);
        return undefined;
      }
    }
    return path;
  }

  /** Start reading an admitted file; its bytes are counted as they arrive. */
  read(path: string, compressed?: number): FileReading {
    return new FileReading(this, path, compressed);
  }

  /**
   * Count decompressed bytes, kept or not; false once the archive has cost too much to read further.
   */
  inflated(bytes: number): boolean {
    this.inflatedBytes += bytes;
    if (this.inflatedBytes <= this.limits.maxInflatedBytes) return true;
    this.stop(`zip bomb: stopped reading ${this.label} after decompressing ${formatBytes(this.limits.maxInflatedBytes)}`);
    return false;
  }

  /** @internal FileReading's verdict on one more chunk. */
  check(path: string, bytes: number, compressed: number | undefined): 'more' | 'drop' | 'stop' {
    if (this.stoppedReading) return 'stop';
    if (compressed !== undefined && this.isBomb(bytes, compressed)) {
      this.warn(`zip bomb: dropped ${path}, it expands more than ${this.limits.maxRatio}:1 (stopped after ${formatBytes(bytes)})`);
      return 'drop';
    }
    if (bytes > this.limits.maxFileBytes) {
      this.dropTooLarge(path);
      return 'drop';
    }
    if (this.keptBytes + bytes > this.limits.maxTotalBytes) {
      this.stopTotal(path);
      return 'stop';
    }
    return 'more';
  }

  /** @internal */
  keep(path: string, data: Buffer): void {
    this.files.set(path, data);
    this.keptBytes += data.length;
    for (let at = path.indexOf('/'); at !== -1; at = path.indexOf('/', at + 1)) this.folders.add(path.slice(0, at));
  }

  private clash(path: string): string | undefined {
    if (this.folders.has(path)) return 'a folder of that name holds other files';
    for (let at = path.indexOf('/'); at !== -1; at = path.indexOf('/', at + 1)) {
      if (this.files.has(path.slice(0, at))) return `${path.slice(0, at)} is a file`;
    }
    return undefined;
  }

  /** The files kept, without their common top folder, sorted, and their content hash. */
  finish(): CollectedFiles {
    const files = stripCommonTop([...this.files].map(([path, data]) => ({ path, data }))).sort(byPath);
    return { files, contentHash: contentHash(files), warnings: this.warnings };
  }

  /** Everything read is discarded: a corrupt archive is a failed submission, not half of one. */
  fail(error: unknown): CollectedFiles {
    const reason = error instanceof Error ? error.message : String(error);
    return { files: [], contentHash: contentHash([]), warnings: [...this.warnings, `could not read ${this.label}: ${reason}`] };
  }

  private isBomb(bytes: number, compressed: number): boolean {
    return bytes > this.limits.ratioMinBytes && bytes > compressed * this.limits.maxRatio;
  }

  private dropTooLarge(path: string): void {
    this.warn(`dropped ${path}: larger than ${formatBytes(this.limits.maxFileBytes)} (the limit per file)`);
  }

  private stopTotal(path: string): void {
    this.stop(`too large: kept ${formatBytes(this.keptBytes)} and dropped ${path} and everything after it (the limit is ${formatBytes(this.limits.maxTotalBytes)} in all)`);
  }
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

  /** False when the reader should stop reading this entry (it was dropped, or reading stopped). */
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
export function contentHash(files: { path: string; data: Buffer }[]): string {
  const hash = createHash('sha256');
  for (const file of [...files].sort(byPath)) {
    const path = Buffer.from(file.path, 'utf8');
    hash.update(`${path.length}:`).update(path).update(`${file.data.length}:`).update(file.data);
  }
  return hash.digest('hex');
}
