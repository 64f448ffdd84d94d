/**
 * `DIR/intake.md`: what a batch was made of, for the instructor: the export's shape, each student
 * with what the platform recorded (late, submitted at, the commit graded, the export's file names),
 * every entry nobody could be given, and the gradebook's students with no submission. Pure.
 */
import type { ExportShape, SubmissionFacts, Submitter } from '../intake/export.js';
import type { SubmissionResult } from '../rubric/submission.js';
import type { CanvasFill } from './canvas-gradebook.js';
import { formatPoints } from './batch-stats.js';
import type { RosterStudent } from './roster.js';

/** What intake.md shows: the discovery's submissions with their results, and what the CSVs found. */
export interface IntakeView {
  shape: ExportShape;
  source: string;
  submissions: { submitters: Submitter[]; facts?: SubmissionFacts; result?: SubmissionResult }[];
  unattributed: { entry: string; why: string }[];
  canvas?: CanvasFill & { file: string };
  gradescope?: { file: string; rows: number; notGraded: { student: string; status: string }[] };
  roster?: { file: string; missing: RosterStudent[] };
}

/** Markdown cells: a pipe or a line break in a name must not break the table. */
const cell = (value: string): string => value.replace(/[\r\n]+/g, ' ').replace(/\|/g, '\\|');

/** The page: a table of the submissions, then what was not attributed, missing, or left out of the CSVs. */
export function intakeMarkdown(view: IntakeView): string {
  const lines = [`# Intake: ${view.shape}`, '', `From \`${view.source}\`: ${view.submissions.length} submission(s).`, ''];
  lines.push('| student | name | late | submitted at | commit | score | from |', '| --- | --- | --- | --- | --- | --- | --- |');
  for (const { submitters, facts, result } of view.submissions) {
    const score =
      result?.status === 'graded' && result.report
        ? `${formatPoints(result.report.score)}/${formatPoints(result.report.maxScore)}`
        : (result?.status ?? 'not graded');
    const superseded = new Set(facts?.superseded);
    const kept = (facts?.sources ?? []).filter((s) => !superseded.has(s));
    const from = [...(kept.length ? kept : ['(no files)']), ...[...superseded].map((s) => `~~${s}~~ (an earlier copy, not graded)`)].join(', ');
    lines.push(
      `| ${[submitters.map((s) => s.student).join(', '), submitters.map((s) => s.name ?? '').join(', '), facts?.late ? 'LATE' : '', facts?.submittedAt ?? '', facts?.commit ?? '', score, from].map(cell).join(' | ')} |`,
    );
  }
  lines.push('', `## Not attributed to any student (${view.unattributed.length})`, '');
  if (view.unattributed.length === 0) lines.push('Every entry of the export was attributed to a student.');
  for (const u of view.unattributed) lines.push(`- \`${cell(u.entry)}\`: ${cell(u.why)}`);
  if (view.canvas) {
    const c = view.canvas;
    lines.push('', `## Canvas gradebook: ${c.file}`, '');
    lines.push(
      `Column "${cell(c.column)}" ${c.added ? 'added' : 'filled'}: ${c.filled} score(s)${c.scaledTo !== undefined ? `, scaled to its ${c.scaledTo} points possible` : ''}.`,
    );
    lines.push('', `### Missing: in the gradebook, no submission (${c.missing.length})`, '', 'Their cells are left as they were, not 0.', '');
    for (const m of c.missing) lines.push(`- ${cell(m.name)} (ID ${m.canvasUserId}${m.sisId ? `, SIS ${cell(m.sisId)}` : ''})`);
    if (c.notInGradebook.length) {
      lines.push('', `### Graded, not in the gradebook (${c.notInGradebook.length})`, '');
      for (const s of c.notInGradebook) lines.push(`- ${cell(s.student)}${s.name ? ` (${cell(s.name)})` : ''}`);
    }
    if (c.notGraded.length) {
      lines.push('', `### Not graded: cells left as they were (${c.notGraded.length})`, '');
      for (const s of c.notGraded) lines.push(`- ${cell(s.student)}: ${s.status}`);
    }
  }
  if (view.gradescope) {
    lines.push('', `## Gradescope scores: ${view.gradescope.file}`, '', `${view.gradescope.rows} row(s).`);
    for (const s of view.gradescope.notGraded) lines.push(`- ${cell(s.student)}: ${s.status}, no row`);
  }
  if (view.roster) {
    lines.push('', `## Missing: in the roster ${view.roster.file}, no submission (${view.roster.missing.length})`, '', 'Not graded, and not given 0.', '');
    for (const m of view.roster.missing) lines.push(`- ${cell(rosterLabel(m))}`);
  }
  return `${lines.join('\n')}\n`;
}

/** "Ada Lovelace (sid S1, email ada@example.edu)": a roster's student as the instructor finds them. */
export function rosterLabel(student: RosterStudent): string {
  const ids = Object.entries(student.ids).map(([field, id]) => `${field} ${id}`);
  return `${student.name || '(no name)'} (${ids.length ? ids.join(', ') : 'no id'})`;
}
