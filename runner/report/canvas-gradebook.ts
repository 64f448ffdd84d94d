/**
 * `--canvas-gradebook FILE`: the CSV Canvas exports from its gradebook (Grades → Export), copied with
 * the lab's column filled, ready for Grades → Import. Pure: text in, text out.
 *
 * The shape, from Canvas's guides ("How do I export grades in the Gradebook?", "How do I import
 * grades in the Gradebook?"): a header row `Student, ID, SIS User ID, SIS Login ID, Section,
 * <assignment> (<assignment id>), …, Current Points, Final Points, Current Score, …`; then a
 * `Points Possible` row (first cell, often indented with spaces), and in newer exports rows such as
 * `Manual Posting` with an empty ID; then a row per student, `ID` their Canvas user id. On import
 * Canvas matches students by `ID` (then SIS ids), leaves read-only columns alone, and makes a new
 * assignment of a column with no `(id)`, its points from the Points Possible row. Assumed: a row
 * with an empty `ID` is not a student; `Student, Test` is Canvas's test student, never missing.
 */
import { parse } from 'csv-parse/sync';
import { LabsError } from '../errors.js';
import type { Submitter } from '../intake/export.js';
import type { Lab } from '../lab/types.js';
import type { SubmissionResult } from '../rubric/submission.js';
import { formatPoints, labMaxScore } from './batch-stats.js';
import { csvField } from './csv.js';

/** A gradebook as exported: its rows of cells, and how it ended its lines. */
export interface CanvasGradebook {
  rows: string[][];
  newline: '\r\n' | '\n';
  bom: boolean;
  /** Indexes of the `ID` and (when exported) `SIS User ID` and `SIS Login ID` columns. */
  idColumn: number;
  sisColumn: number | undefined;
  loginColumn: number | undefined;
}

/** One student graded by the batch: who, and their result (one per submitter of a group). */
export interface GradedStudent {
  submitter: Submitter;
  result: SubmissionResult;
}

/** A student of the exported Canvas gradebook whom no submission matched (roster.ts's RosterStudent is a roster's). */
export interface GradebookStudent {
  name: string;
  canvasUserId: string;
  sisId?: string;
}

/** What `fillCanvasGradebook` made: the CSV to import, and what it did and could not do, for the CLI's summary. */
export interface CanvasFill {
  /** The gradebook to import (`canvas-import.csv`), every other cell as exported. */
  text: string;
  /** The column's header as written. */
  column: string;
  /** No column was the lab's, so one was added (before Canvas's computed columns, else last), its points possible the lab's maximum. */
  added: boolean;
  /** Students whose cell was written. */
  filled: number;
  /** Students of the gradebook with no submission: their cell is left as it was, never 0. */
  missing: GradebookStudent[];
  /** Students graded whom the gradebook does not list (by Canvas user id, then SIS id). */
  notInGradebook: Submitter[];
  /** Students whose submission was not graded (infra-error, timeout): their cell is left as it was. */
  notGraded: { student: string; status: string }[];
  /** The column's points possible when not the lab's, so scores were scaled to it. */
  scaledTo?: number;
}

/** Parses an exported gradebook. Throws USAGE when it is not CSV or has no `ID` column. */
export function readCanvasGradebook(text: string, where: string): CanvasGradebook {
  let rows: string[][];
  try {
    rows = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch (error) {
    throw new LabsError('USAGE', `${where} is not a CSV file: ${(error as Error).message}`, {
      hint: 'give the CSV Canvas exports from Grades → Export → Export Entire Gradebook',
      cause: error,
    });
  }
  const header = rows[0] ?? [];
  const idColumn = header.findIndex((h) => h.trim() === 'ID');
  if (idColumn === -1) {
    throw new LabsError('USAGE', `${where} has no "ID" column, so it is not a gradebook Canvas exported`, {
      hint: 'give the CSV Canvas exports from Grades → Export → Export Entire Gradebook',
    });
  }
  const column = (name: string): number | undefined => {
    const at = header.findIndex((h) => h.trim() === name);
    return at === -1 ? undefined : at;
  };
  return {
    rows,
    newline: text.includes('\r\n') ? '\r\n' : '\n',
    bom: text.charCodeAt(0) === 0xfeff,
    idColumn,
    sisColumn: column('SIS User ID'),
    loginColumn: column('SIS Login ID'),
  };
}

const assignmentName = (header: string): string => header.replace(/\s*\(\d+\)\s*$/, '').trim();
/** "Exercise 1", "exercise-1" and "EXERCISE_1" name one assignment: case and punctuation aside. */
const comparable = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
const computed = /(^|\s)(Current|Final|Unposted Current|Unposted Final) (Points|Score|Grade)$/;

/**
 * The header of the lab's column: the one named `column` (or else the lab's id, title, or title up to
 * its colon: "Exercise 1"), case, punctuation and Canvas's `(id)` aside; or a new one named
 * `column ?? lab.id`. Throws USAGE when two match.
 */
function findColumn(header: string[], lab: Lab, column: string | undefined): { index: number; added: boolean } {
  const wanted = (column ? [column] : [lab.id, lab.title, lab.title.split(':')[0]!]).map(comparable);
  const matches = header.map((h, i) => [comparable(assignmentName(h)), i] as const).filter(([name]) => wanted.includes(name));
  if (matches.length > 1) {
    throw new LabsError('USAGE', `the gradebook has ${matches.length} columns for ${lab.id}: ${matches.map(([, i]) => header[i]).join(', ')}`, {
      hint: 'pass --canvas-column with the one to fill',
    });
  }
  if (matches.length === 1) return { index: matches[0]![1], added: false };
  const firstComputed = header.findIndex((h) => computed.test(h.trim()));
  return { index: firstComputed === -1 ? header.length : firstComputed, added: true };
}

/**
 * The gradebook with the lab's column filled from `graded`: a graded student's total (scaled to the
 * column's points possible when that differs from the lab's maximum), matched by Canvas user id,
 * then SIS User ID (a submitter's `sid`, else their student id), then SIS Login ID (a submitter's
 * e-mail, case aside: a Gradescope student without a sid). Everything else is copied unchanged.
 */
export function fillCanvasGradebook(book: CanvasGradebook, lab: Lab, graded: readonly GradedStudent[], column?: string): CanvasFill {
  const rows = book.rows.map((r) => [...r]);
  const header = rows[0]!;
  const { index, added } = findColumn(header, lab, column);
  const max = labMaxScore(lab);
  const shift = (at: number): number => (added && at >= index ? at + 1 : at);
  const idAt = shift(book.idColumn);
  const sisAt = book.sisColumn === undefined ? undefined : shift(book.sisColumn);
  const loginAt = book.loginColumn === undefined ? undefined : shift(book.loginColumn);
  if (added) for (const row of rows) row.splice(Math.min(index, row.length), 0, '');
  if (added) header[index] = column ?? lab.id;
  const pointsRow = rows.find((r) => (r[0] ?? '').trim() === 'Points Possible');
  let scaledTo: number | undefined;
  if (pointsRow) {
    if (added || (pointsRow[index] ?? '').trim() === '') pointsRow[index] = formatPoints(max);
    const possible = Number(pointsRow[index]);
    if (Number.isFinite(possible) && possible > 0 && possible !== max) scaledTo = possible;
  }
  const students = rows.slice(1).filter((r) => /^\d+$/.test((r[idAt] ?? '').trim()));
  const rowsBy = (at: number | undefined, key = (v: string): string => v): Map<string, string[]> =>
    new Map(at === undefined ? [] : students.filter((r) => (r[at] ?? '').trim()).map((r) => [key(r[at]!.trim()), r]));
  const byId = rowsBy(idAt);
  const bySis = rowsBy(sisAt);
  const byLogin = rowsBy(loginAt, (v) => v.toLowerCase());
  const matched = new Set<string[]>();
  const notInGradebook: Submitter[] = [];
  const notGraded: CanvasFill['notGraded'] = [];
  let filled = 0;
  for (const { submitter, result } of graded) {
    const row =
      (submitter.canvasUserId && byId.get(submitter.canvasUserId)) ||
      bySis.get(submitter.sid ?? submitter.student) ||
      (submitter.email && byLogin.get(submitter.email.toLowerCase())) ||
      undefined;
    if (!row) {
      notInGradebook.push(submitter);
      continue;
    }
    matched.add(row);
    if (result.status !== 'graded' || !result.report) {
      notGraded.push({ student: submitter.student, status: result.status });
      continue;
    }
    const score = scaledTo === undefined ? result.report.score : (result.report.score * scaledTo) / max;
    while (row.length <= index) row.push('');
    row[index] = formatPoints(score);
    filled += 1;
  }
  const missing = students
    .filter((r) => !matched.has(r) && (r[0] ?? '').trim() !== 'Student, Test')
    .map((r) => ({ name: r[0] ?? '', canvasUserId: r[idAt]!.trim(), ...(sisAt !== undefined && r[sisAt]?.trim() && { sisId: r[sisAt]!.trim() }) }));
  const text = (book.bom ? '\ufeff' : '') + rows.map((r) => r.map(csvField).join(',')).join(book.newline) + book.newline;
  return { text, column: header[index]!, added, filled, missing, notInGradebook, notGraded, ...(scaledTo !== undefined && { scaledTo }) };
}
