/**
 * `--gradescope-csv FILE`: scores to upload to a Gradescope assignment. Pure.
 *
 * Gradescope's help documents score uploads for offline assignments ("Upload Scores": a CSV with a
 * header row, students found by their SID or e-mail); the column names here are those of
 * Gradescope's own grade export (`Name`, `SID`, `Email`, `Total Score`), which its upload reads
 * back. Assumed where that is silent: one row per student (each submitter of a group), and a
 * student not graded (infra-error, timeout) has no row, so an upload never overwrites their score.
 */
import { csvField, neutraliseFormula } from './csv.js';
import { formatPoints } from './batch-stats.js';
import type { GradedStudent } from './canvas-gradebook.js';

const gradescopeColumns = ['Name', 'SID', 'Email', 'Total Score'] as const;

/** The CSV, rows sorted by student id, LF line endings; the students left out because not graded. */
export function gradescopeScoresCsv(graded: readonly GradedStudent[]): { text: string; notGraded: { student: string; status: string }[] } {
  const rows: string[][] = [];
  const notGraded: { student: string; status: string }[] = [];
  for (const { submitter, result } of [...graded].sort((a, b) => (a.submitter.student < b.submitter.student ? -1 : 1))) {
    if (result.status !== 'graded' || !result.report) {
      notGraded.push({ student: submitter.student, status: result.status });
      continue;
    }
    const email = submitter.email ?? (submitter.student.includes('@') ? submitter.student : '');
    const sid = submitter.sid ?? (email ? '' : submitter.student);
    rows.push([submitter.name ?? '', sid, email, formatPoints(result.report.score)].map(neutraliseFormula));
  }
  const text = [[...gradescopeColumns], ...rows].map((r) => r.map(csvField).join(',')).join('\n') + '\n';
  return { text, notGraded };
}
