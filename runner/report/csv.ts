/**
 * `DIR/gradebook.csv`: one row per submission, RFC 4180 quoting, LF line endings (every spreadsheet
 * and CSV library reads them; CRLF would only show up as noise in diffs between runs).
 */
import type { SubmissionResult } from '../rubric/submission.js';
import type { Lab } from '../lab/types.js';
import { byStudent, formatPoints, labMaxScore } from './batch-stats.js';

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * Excel and LibreOffice run a cell that starts with = + - @ (or a tab or carriage return, which they
 * strip first) as a formula, so a student id like `=HYPERLINK(…)` would execute on the instructor's
 * machine. A leading apostrophe makes the spreadsheet show the text as typed (OWASP, "CSV Injection").
 */
export function neutraliseFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/**
 * `gradebook.csv` of a batch: a header `student,total,max,<check ids in lab order>,status`, then one row
 * per result sorted by student id (an id a spreadsheet would run as a formula shown as text:
 * neutraliseFormula); points as formatPoints writes them, and empty scores on a row that is not `graded`.
 */
export function gradebookCsv(lab: Lab, results: SubmissionResult[]): string {
  const max = formatPoints(labMaxScore(lab));
  const header = ['student', 'total', 'max', ...lab.checks.map((c) => c.id), 'status'];
  const rows = [...results].sort(byStudent).map((r) => {
    // Scores of a submission that was not graded stay empty: a 0 would read as a grade.
    const report = r.status === 'graded' ? r.report : undefined;
    const checks = lab.checks.map((spec) => {
      const check = report?.checks.find((c) => c.id === spec.id);
      return check ? formatPoints(check.score) : '';
    });
    return [neutraliseFormula(r.student), report ? formatPoints(report.score) : '', max, ...checks, r.status];
  });
  return [header, ...rows].map((fields) => fields.map(csvField).join(',')).join('\n') + '\n';
}
