/**
 * Submission intake for `labs grade`: which students a folder holds, each one's files read into
 * memory within limits (folders, zips and tar.gz alike, never extracted to disk), and written out
 * again for a check run. A hostile or broken upload costs its student warnings and files, never
 * the batch: only a bad submissions folder throws (LabsError 'USAGE').
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { readTarGz } from './archive-tar.js';
import { readZip } from './archive-zip.js';
import { Collector } from './intake-collect.js';
import type { Submission } from './intake-discover.js';
import { readFolder } from './intake-folder.js';
import { type Limits, defaultLimits } from './intake-limits.js';
import { entryPath } from './intake-paths.js';

export { discoverSubmissions, type Discovered, type Submission, type SubmissionKind } from './intake-discover.js';
export { type Limits, defaultLimits } from './intake-limits.js';

export interface SubmissionFile {
  /** Relative, `/`-separated, validated: no `..`, no absolute path, no control characters. */
  path: string;
  data: Buffer;
}

export interface LoadedSubmission {
  /** Sorted by path, without a common top folder. */
  files: SubmissionFile[];
  /** sha256 of the (path, content) pairs: equal for equal files, whatever the container. */
  contentHash: string;
  /** What an instructor should know: entries skipped, limits reached, an unreadable archive. */
  warnings: string[];
}

const readers = { folder: readFolder, zip: readZip, 'tar.gz': readTarGz } as const;

/** Never throws for what is inside the submission: a corrupt archive is no files and a warning. */
export async function loadSubmission(sub: Submission, limits: Partial<Limits> = {}): Promise<LoadedSubmission> {
  const collector = new Collector({ ...defaultLimits, ...limits }, basename(sub.source));
  try {
    await readers[sub.kind](sub.source, collector);
  } catch (error) {
    return collector.fail(error);
  }
  return collector.finish();
}

/**
 * Writes the files into `intoDir`, which must not exist yet or be empty, and returns its absolute
 * path. Paths are checked again and files created exclusively, so nothing lands outside it.
 */
export async function materialize(files: SubmissionFile[], intoDir: string): Promise<string> {
  const root = resolve(intoDir);
  await mkdir(root, { recursive: true });
  if ((await readdir(root)).length > 0) throw new Error(`materialize: ${root} is not empty`);
  for (const file of files) {
    const parsed = entryPath(file.path);
    if (!parsed.ok || parsed.path !== file.path || file.path === '') throw new Error(`materialize: unsafe path ${JSON.stringify(file.path)}`);
    const target = join(root, file.path);
    await mkdir(dirname(target), { recursive: true, mode: 0o755 });
    await writeFile(target, file.data, { flag: 'wx', mode: 0o644 });
  }
  return root;
}
