/** The report a student reads: each check with pass/fail, points, what was seen and a hint; notes on the submission. */
import type { CheckReport } from '../rubric/score.js';

export interface TerminalStyle {
  ok: (s: string) => string;
  bad: (s: string) => string;
  dim: (s: string) => string;
  bold: (s: string) => string;
}

export function terminalReport(report: CheckReport, style: TerminalStyle): string[] {
  const lines: string[] = [];
  for (const c of report.checks) {
    const mark = c.passed ? style.ok('✓ PASS') : style.bad('✗ FAIL');
    lines.push(`${mark}  ${style.bold(c.title)}  ${style.dim(`[${c.id}]`)}  ${c.score}/${c.maxScore}`);
    lines.push(`        ${c.summary}`);
    for (const d of c.details) lines.push(`        ${style.dim(d)}`);
    if (c.hint) lines.push(`        ${style.bold('hint:')} ${c.hint}`);
  }
  lines.push('');
  // Next to the verdict, where it stays on screen: a file left out explains the checks it failed.
  const notes = submissionNotes(report.warnings, style.bold);
  if (notes.length) lines.push(...notes, '');
  const all = report.checks.every((c) => c.passed);
  lines.push(
    `${all ? style.ok('All checks passed') : style.bad(`${report.checks.filter((c) => !c.passed).length} of ${report.checks.length} checks failed`)}: ${style.bold(`${report.score}/${report.maxScore}`)} points  ${style.dim(`(seed ${report.seed}; \`--seed ${report.seed}\` replays this run)`)}`,
  );
  return lines;
}

/**
 * Intake's notes on the submission (each file left out, and why) under one heading, or nothing when
 * there are none: the words `labs check` prints, which Gradescope and JUnit outputs carry too.
 */
export function submissionNotes(warnings: readonly string[], heading: (s: string) => string = (s) => s): string[] {
  return warnings.length ? [heading('Notes on your submission:'), ...warnings.map((w) => `  ${w}`)] : [];
}
