/**
 * Canvas's "Download Submissions": one flat zip, a file per uploaded file, named
 * `<name>_[LATE_]<user id>_<submission id>_<file name>`. Pure: names in, students out.
 *
 * Where this comes from: Canvas does not document the names of this download; its shape is the one
 * instructors' tools parse (for instance TimHanneman/Canvas_submission_sort's README: "a student name,
 * two id fields … an extra field if the assignment was submitted late and if the assignment was
 * resubmitted multiple times a number is added at the end of the filename, but before the file
 * extension"). Assumed where that is silent: `<name>` is Canvas's sortable name with separators
 * removed (display only, never an id); the user id is Canvas's numeric user id (the `ID` column of
 * its gradebook export); `-N` before the extension marks Canvas's renaming of a file uploaded again
 * under the same name, so of `producer.py`, `producer-1.py` and `producer-2.py` the highest N is
 * the latest and is kept as `producer.py` (a name the lab itself gives a file, `part-1.py`, is that
 * file's, not a copy); a student whose only file is a .zip/.tar.gz uploaded
 * their submission as that archive.
 */
import { archiveKind } from '../../intake/read.js';
import { quoted, studentIdProblem } from './ids.js';

export interface CanvasName {
  /** The name part (`lovelaceada`): display only. */
  name: string;
  late: boolean;
  userId: string;
  submissionId: string;
  /** The file's name as the student uploaded it, with Canvas's `-N` still on (see `resubmission`). */
  file: string;
}

// The name part is lazy so that `_LATE_` and the two ids are taken from the first place they fit.
const canvasName = /^(.+?)_(LATE_)?(\d{1,20})_(\d{1,20})_(.+)$/s;

/** The parts of a Canvas download's file name, or undefined when it is not one. */
export function parseCanvasName(entry: string): CanvasName | undefined {
  const match = canvasName.exec(entry);
  if (!match) return undefined;
  const [, name, late, userId, submissionId, file] = match;
  return { name: name!, late: Boolean(late), userId: userId!, submissionId: submissionId!, file: file! };
}

/**
 * `producer-2.py` → `{ base: 'producer.py', copy: 2 }`; a name without `-N` is copy 0, and so is a
 * name in `labFiles` (the lab's own file names: a lab's `part-1.py` is not a copy of `part.py`).
 */
export function resubmission(file: string, labFiles: ReadonlySet<string> = new Set()): { base: string; copy: number } {
  const match = /^(.+?)-(\d{1,4})(\.[^./]*)?$/.exec(file);
  if (!match || labFiles.has(file)) return { base: file, copy: 0 };
  return { base: `${match[1]}${match[3] ?? ''}`, copy: Number(match[2]) };
}

export interface CanvasStudent {
  userId: string;
  name: string;
  late: boolean;
  /** The file kept for each restored name: export entry → the name graded. */
  files: Map<string, string>;
  /** Set when the student's one file is an archive: the entry to read as the submission. */
  archive?: { entry: string; kind: 'zip' | 'tar.gz' };
  /** Every entry of this student's in the export, kept or not. */
  sources: string[];
  /** Earlier copies left out for a later one ("producer-1.py: producer-2.py is graded"). */
  superseded: string[];
}

export interface Unattributed {
  /** The entry's name in the export. */
  entry: string;
  /** Why it is nobody's, a clause: "its name is not <name>_<user id>_<submission id>_<file>". */
  why: string;
}

/**
 * The students of a Canvas download from its top-level file names (`entries`, litter already out),
 * sorted by user id; every name that is not Canvas's shape, or whose file part is no safe file
 * name, is in `unattributed` with why. `labFiles`: the lab's file names, never read as copies.
 */
export function canvasStudents(
  entries: readonly string[],
  labFiles: ReadonlySet<string> = new Set(),
): { students: CanvasStudent[]; unattributed: Unattributed[] } {
  type Building = Omit<CanvasStudent, 'files' | 'archive'> & { copies: Map<string, { entry: string; copy: number }> };
  const byUser = new Map<string, Building>();
  const unattributed: Unattributed[] = [];
  for (const entry of entries) {
    const parsed = parseCanvasName(entry);
    if (!parsed) {
      unattributed.push({ entry, why: 'its name is not Canvas\'s "<name>_[LATE_]<user id>_<submission id>_<file name>"' });
      continue;
    }
    const problem = studentIdProblem(parsed.userId);
    if (problem) {
      unattributed.push({ entry, why: `the user id ${quoted(parsed.userId)} cannot be a student id: ${problem}` });
      continue;
    }
    const student: Building = byUser.get(parsed.userId) ?? {
      userId: parsed.userId,
      name: parsed.name,
      late: false,
      sources: [],
      superseded: [],
      copies: new Map(),
    };
    byUser.set(parsed.userId, student);
    student.late ||= parsed.late;
    student.sources.push(entry);
    const { base, copy } = resubmission(parsed.file, labFiles);
    const kept = student.copies.get(base);
    if (kept && kept.copy >= copy) {
      student.superseded.push(entry);
      continue;
    }
    if (kept) student.superseded.push(kept.entry);
    student.copies.set(base, { entry, copy });
  }
  const students = [...byUser.values()]
    .map(({ copies, ...student }): CanvasStudent => {
      const kept = [...copies].map(([base, { entry }]) => [entry, base] as const);
      const only = kept.length === 1 ? kept[0]! : undefined;
      const kind = only ? archiveKind(only[1]) : undefined;
      return { ...student, files: new Map(kept), ...(only && kind ? { archive: { entry: only[0], kind } } : {}) };
    })
    .sort((a, b) => (BigInt(a.userId) < BigInt(b.userId) ? -1 : BigInt(a.userId) > BigInt(b.userId) ? 1 : 0));
  return { students, unattributed };
}
