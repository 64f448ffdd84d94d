/**
 * One student's part of a platform's export (Canvas, Gradescope, GitHub Classroom), read through the
 * same collector and limits as any submission (read.ts): the export (a folder or a .zip) is the
 * container, and `ExportPart` says which of its entries are this student's and what they are called
 * in the submission. Nothing is extracted to disk; another student's entries are never read.
 */
import { join } from 'node:path';
import { Collector, type SubmissionFiles } from './collect.js';
import { readFiles, readFolder } from './folder.js';
import { type Limits, defaultLimits, formatBytes } from './limits.js';
import { readArchive } from './read.js';
import { readZip } from './zip.js';

/** A platform's export as given: an unpacked folder, or the .zip the platform handed out. */
export interface ExportContainer {
  path: string;
  kind: 'folder' | 'zip';
}

/** Which entries of the container are one student's, by their names in the container (`/`-separated). */
export type ExportPart =
  /** Everything under a folder of the export (`submission_123/`, `hw1-alice/exercise-1/`): the prefix ends in `/`. */
  | { type: 'prefix'; prefix: string }
  /** Named files (Canvas's flat download): entry name → the file's name in the submission. */
  | { type: 'files'; files: ReadonlyMap<string, string> }
  /** One entry that is itself the submission, an archive the student uploaded (Canvas). */
  | { type: 'archive'; entry: string; kind: 'zip' | 'tar.gz' }
  /** None: the platform lists the submission and the export holds nothing of it; `why` is the note on it (a sentence). */
  | { type: 'none'; why: string };

/** The platforms whose exports `labs grade --from` reads, and `folders`, a folder or archive per student. */
export type ExportShape = 'canvas' | 'gradescope' | 'classroom' | 'folders';

/** One student a submission is graded for, with what the platform knows of them. */
export interface Submitter {
  /** The id the outputs are named by (gradebook.csv, feedback/<student>.md); a safe file name (ids.ts). */
  student: string;
  /** As the platform shows it ("Ada Lovelace", Canvas's "lovelaceada"); for people, never a path. */
  name?: string;
  /** Canvas's numeric user id (the gradebook's `ID` column). */
  canvasUserId?: string;
  /** The student id a school gives (Gradescope's `sid`, Canvas's `SIS User ID`). */
  sid?: string;
  email?: string;
  /** GitHub Classroom: the GitHub username. */
  username?: string;
}

/** What the platform recorded of one submission, reported next to its grade. */
export interface SubmissionFacts {
  late?: boolean;
  /** As the platform wrote it (Gradescope: `2024-03-01 10:02:03 -0800`). */
  submittedAt?: string;
  /** GitHub Classroom: the commit graded (40 hex digits), or why it is not known. */
  commit?: string;
  /** The export's own names of the files this submission was made from. */
  sources: string[];
  /** Canvas: earlier copies of a file left out for a later one (`producer-1.py` when `producer-2.py` is graded). */
  superseded?: string[];
}

/**
 * The files of one student's `part` of an export, as `readSubmission` reads a submission: sorted,
 * without a common top folder, each file left out named in `warnings`. `label` names the part in
 * warnings about it as a whole. An uploaded archive is read first into memory, bounded by the
 * submission's whole size (`maxTotalBytes`), then as a submission of its own. Never throws.
 */
export async function readExportPart(container: ExportContainer, part: ExportPart, label: string, limits?: Partial<Limits>): Promise<SubmissionFiles> {
  const bounds = { ...defaultLimits, ...limits };
  if (part.type === 'none') return { ...new Collector(bounds, label).finish(), warnings: [part.why] };
  if (part.type === 'archive') {
    const outer = await collect(container, { ...bounds, maxFileBytes: bounds.maxTotalBytes }, label, {
      type: 'files',
      files: new Map([[part.entry, 'upload']]),
    });
    const upload = outer.files[0];
    if (!upload) {
      const why = outer.warnings.length ? outer.warnings : [`${label} could not be read (over ${formatBytes(bounds.maxTotalBytes)}?)`];
      return { ...outer, warnings: why };
    }
    const inner = await readArchive(upload.data, part.kind, label, limits);
    return { ...inner, warnings: [...outer.warnings, ...inner.warnings] };
  }
  return collect(container, bounds, label, part);
}

async function collect(
  container: ExportContainer,
  limits: Limits,
  label: string,
  part: Extract<ExportPart, { type: 'prefix' | 'files' }>,
): Promise<SubmissionFiles> {
  const select =
    part.type === 'prefix'
      ? (name: string) => (name.startsWith(part.prefix) ? name.slice(part.prefix.length) : undefined)
      : (name: string) => part.files.get(name);
  const collector = new Collector(limits, label, container.kind === 'zip' ? select : part.type === 'files' ? select : undefined);
  try {
    if (container.kind === 'zip') await readZip(container.path, collector);
    else if (part.type === 'prefix') await readFolder(join(container.path, part.prefix), collector);
    else await readFiles(container.path, [...part.files.keys()], collector);
  } catch (error) {
    return collector.fail(error);
  }
  return collector.finish();
}
