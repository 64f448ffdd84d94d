/**
 * Submission intake, for `labs check` (a workspace, a student's folder or archive) and `labs grade`
 * (each submission) alike: a folder, a .zip or a .tar.gz read into memory, never extracted to disk,
 * with one set of limits (limits.ts) and one set of warnings (collect.ts). A hostile or broken upload
 * costs the student the files it names, never the caller: what is inside never throws.
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { LabsError } from '../errors.js';
import { Collector, type SubmissionFiles } from './collect.js';
import { readFolder } from './folder.js';
import { type Limits, defaultLimits } from './limits.js';
import { readTarGz } from './tar.js';
import { readZip } from './zip.js';

export { type SubmissionFile, type SubmissionFiles } from './collect.js';
export { type Limits } from './limits.js';

export type SubmissionKind = 'folder' | 'zip' | 'tar.gz';

/** The archive names intake reads, longest suffix first, matched without regard to case. */
export const archiveSuffixes: readonly (readonly [suffix: string, kind: Exclude<SubmissionKind, 'folder'>])[] = [
  ['.tar.gz', 'tar.gz'],
  ['.tgz', 'tar.gz'],
  ['.zip', 'zip'],
];

/** The kind of archive a file's name says it is, or undefined (a name that is only the suffix is none). */
export function archiveKind(name: string): Exclude<SubmissionKind, 'folder'> | undefined {
  const lower = name.toLowerCase();
  return archiveSuffixes.find(([suffix]) => lower.endsWith(suffix) && lower.length > suffix.length)?.[1];
}

export interface ReadOptions {
  /** Tighter or looser bounds than `defaultLimits`, field by field (tests, a library user). */
  limits?: Partial<Limits>;
  /** The submission's name in warnings about it as a whole (default: the last part of its path). */
  label?: string;
}

const fromDisk = { folder: readFolder, zip: readZip, 'tar.gz': readTarGz } as const;

/**
 * The files of the submission at `source` (a folder's or an archive's path, of that `kind`): sorted by
 * path, without a common top folder, litter left out silently (.git, .labs, node_modules,
 * __pycache__, data/, …: see paths.ts), every other file left out named in `warnings`. Never throws
 * for what is inside, nor for a source that cannot be read (no files and a warning): a batch grades
 * that as the student's; a caller with a user's path checks it first (`submissionKind`).
 */
export async function readSubmission(source: string, kind: SubmissionKind, options: ReadOptions = {}): Promise<SubmissionFiles> {
  return collect(options.label ?? basename(source), options.limits, (collector) => fromDisk[kind](source, collector));
}

/**
 * The files of an archive already in memory (an upload, say), as `readSubmission` reads one from disk.
 * `label` names it in warnings ("alice.zip").
 */
export async function readArchive(bytes: Buffer, kind: Exclude<SubmissionKind, 'folder'>, label: string, limits?: Partial<Limits>): Promise<SubmissionFiles> {
  return collect(label, limits, (collector) => (kind === 'zip' ? readZip(bytes, collector) : readTarGz(bytes, collector)));
}

async function collect(label: string, limits: Partial<Limits> | undefined, read: (collector: Collector) => Promise<void>): Promise<SubmissionFiles> {
  const collector = new Collector({ ...defaultLimits, ...limits }, label);
  try {
    await read(collector);
  } catch (error) {
    return collector.fail(error);
  }
  return collector.finish();
}

/**
 * What a path a user gave is: a folder, or a file named as an archive intake reads. Follows a link
 * the user made (their own path, not a student's entry). Throws LabsError 'USAGE' for a path that
 * does not exist or is neither.
 */
export async function submissionKind(path: string): Promise<SubmissionKind> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    const problem = error.code === 'ENOENT' ? 'does not exist' : `cannot be read (${error.code ?? String(error)})`;
    throw new LabsError('USAGE', `${path} ${problem}`, { hint: "give the student's folder, .zip or .tar.gz", cause: error });
  });
  if (info.isDirectory()) return 'folder';
  const kind = info.isFile() ? archiveKind(path) : undefined;
  if (kind) return kind;
  throw new LabsError('USAGE', `${path} is neither a folder nor a .zip, .tar.gz or .tgz`, { hint: "give the student's folder, .zip or .tar.gz" });
}
