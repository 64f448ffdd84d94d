/**
 * How much of one submission intake keeps and reads: one set of bounds for `labs check` and
 * `labs grade` alike, against hostile uploads and stray large files (README.md, "What is read of a submission").
 */

export interface Limits {
  /** Files kept, after ignored entries; later ones are left out, named. */
  maxFiles: number;
  /** Bytes of one file; a larger file is dropped whole, never truncated. */
  maxFileBytes: number;
  /** Bytes kept in all; a file that would cross it is left out, named, and smaller ones after it are still kept. */
  maxTotalBytes: number;
  /** Expansion above this ratio (decompressed : compressed) is a zip bomb… */
  maxRatio: number;
  /** …once an entry (or a tar.gz stream) has produced more than this many bytes. */
  ratioMinBytes: number;
  /**
   * Bytes decompressed in all, dropped entries included: a tar.gz must be inflated to skip an entry,
   * so dropping is not free, and this bounds the CPU one upload can cost.
   */
  maxInflatedBytes: number;
  /** Entries looked at in all (directories and skipped ones too), so a million empty entries cannot stall a batch. */
  maxEntries: number;
}

const MiB = 1024 * 1024;

export const defaultLimits: Readonly<Limits> = Object.freeze({
  maxFiles: 500,
  maxFileBytes: 5 * MiB,
  maxTotalBytes: 20 * MiB,
  maxRatio: 200,
  ratioMinBytes: 1 * MiB,
  maxInflatedBytes: 200 * MiB,
  maxEntries: 10_000,
});

/** "5 MiB", "1.5 MiB", "300 KiB", "12 bytes": sizes as an instructor reads them in a warning. */
export function formatBytes(bytes: number): string {
  if (bytes >= MiB) return `${trim(bytes / MiB)} MiB`;
  if (bytes >= 1024) return `${trim(bytes / 1024)} KiB`;
  return `${bytes} bytes`;
}

const trim = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(1).replace(/\.0$/, ''));
