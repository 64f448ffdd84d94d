/**
 * Which students a submissions folder holds: one per sub-folder, .zip, .tar.gz or .tgz, named by
 * the entry without its extension. Every problem is reported at once, before any grading starts.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { LabsError } from '../errors.js';
import type { ExportPart, SubmissionFacts, Submitter } from '../intake/export.js';
import { type SubmissionKind, archiveKind, archiveSuffixes } from '../intake/read.js';

export interface Submission {
  /** The id the outputs are named by (`feedback/<student>.md`); a safe file name. */
  student: string;
  /** The folder or archive's full path (with `part`: the export's). */
  source: string;
  kind: SubmissionKind;
  /** A platform's export: which of its entries are this submission (intake/export.ts). */
  part?: ExportPart;
  /** Everyone graded by this submission, `student` first: one, or a Gradescope group. Absent for `folders`. */
  submitters?: Submitter[];
  /** What the platform recorded: late, when, the commit, the export's own names. */
  facts?: SubmissionFacts;
}

export interface Discovered {
  submissions: Submission[];
  /** Entry names that are no submission (a stray .pdf), so the CLI can say so. */
  skipped: string[];
}

/** What OSes and LMS downloads leave lying about: never a student, never worth mentioning. */
const litter = new Set(['__MACOSX', 'Thumbs.db', 'desktop.ini']);

const unsafeId = /[/\\\u0000-\u001f\u007f]/;

/**
 * The submissions in a folder, one per sub-folder, .zip or .tar.gz (the name without its extension is
 * the student id), sorted by id; litter (`__MACOSX`, dot files) is skipped. Throws USAGE when the
 * folder is missing or holds none, or an id is unsafe or collides with another.
 */
export async function discoverSubmissions(dir: string): Promise<Discovered> {
  const names = await listFolder(dir);
  const submissions: Submission[] = [];
  const skipped: string[] = [];
  for (const name of names) {
    if (name.startsWith('.') || litter.has(name)) continue;
    const source = join(dir, name);
    // stat follows a link the instructor made in their own folder; the student's files never are.
    const info = await stat(source).catch(() => undefined);
    const kind = info?.isDirectory() ? 'folder' : info?.isFile() ? archiveKind(name) : undefined;
    if (!kind) {
      skipped.push(name);
      continue;
    }
    submissions.push({ student: studentId(name, kind), source, kind });
  }
  checkIds(submissions, dir);
  if (submissions.length === 0) {
    throw new LabsError('USAGE', `no submissions in ${dir}`, {
      hint: 'put one folder, .zip, .tar.gz or .tgz per student in it',
      details: skipped.length ? [`not submissions: ${skipped.join(', ')}`] : [],
    });
  }
  return { submissions: submissions.sort((a, b) => compare(a.student, b.student)), skipped: skipped.sort(compare) };
}

async function listFolder(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT' ? 'does not exist' : code === 'ENOTDIR' ? 'is not a folder' : `cannot be read (${code ?? String(error)})`;
    throw new LabsError('USAGE', `the submissions folder ${dir} ${problem}`, {
      hint: 'pass a folder holding one folder, .zip, .tar.gz or .tgz per student',
      cause: error,
    });
  }
}

function studentId(name: string, kind: SubmissionKind): string {
  if (kind === 'folder') return name;
  const [suffix] = archiveSuffixes.find(([s]) => name.toLowerCase().endsWith(s))!;
  return name.slice(0, -suffix.length);
}

/**
 * Ids become file names: no separators or control characters, and no two alike, not even in case
 * or Unicode normalisation, which would overwrite each other's feedback on a macOS or Windows disk.
 */
function checkIds(submissions: Submission[], dir: string): void {
  checkStudentIds(
    submissions.map((sub) => ({ student: sub.student, entry: entryName(sub) })),
    dir,
  );
}

/**
 * Throws USAGE naming every id that is unsafe as a file name and every two entries that are the
 * same student (`entry`: what the instructor sees in the folder or export).
 */
export function checkStudentIds(ids: readonly { student: string; entry: string }[], dir: string): void {
  const problems: string[] = [];
  for (const sub of ids) {
    if (unsafeId.test(sub.student))
      problems.push(`${JSON.stringify(sub.student)} (${sub.entry}): a student id cannot hold path separators or control characters`);
  }
  const byKey = new Map<string, { student: string; entry: string }[]>();
  for (const sub of ids) {
    const key = sub.student.normalize('NFC').toLowerCase();
    byKey.set(key, [...(byKey.get(key) ?? []), sub]);
  }
  for (const same of byKey.values()) {
    if (same.length > 1)
      problems.push(
        `${same
          .map((s) => s.entry)
          .sort(compare)
          .join(' and ')} are the same student "${same[0]!.student}"`,
      );
  }
  if (problems.length === 0) return;
  throw new LabsError('USAGE', `${problems.length === 1 ? problems[0]! : `${problems.length} problems with the submissions`} in ${dir}`, {
    hint: 'rename or remove entries so that each student has exactly one folder or archive with a plain name',
    details: problems.length === 1 ? [] : problems,
  });
}

const entryName = (sub: Submission): string => {
  const name = basename(sub.source);
  return sub.kind === 'folder' ? `${name}/` : name;
};

export const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
