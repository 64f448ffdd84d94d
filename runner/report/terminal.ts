/** The report a student reads: each check with pass/fail, points, what was seen and a hint; notes on the submission. */
import type { CheckReport, CheckResult } from '../rubric/score.js';

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
    lines.push(...checkBody(c, style, '        '));
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
 * What a check saw and what to do, under its title line: the summary, each detail, and the hint on a
 * failure, each line after `indent`. The same words in `labs check` and `labs check --watch`.
 */
export function checkBody(check: Pick<CheckResult, 'summary' | 'details' | 'hint'>, style: Pick<TerminalStyle, 'dim' | 'bold'>, indent: string): string[] {
  const lines = [`${indent}${check.summary}`, ...check.details.map((d) => `${indent}${style.dim(d)}`)];
  if (check.hint) lines.push(`${indent}${style.bold('hint:')} ${check.hint}`);
  return lines;
}

/**
 * Intake's notes on the submission (each file left out, and why) under one heading, or nothing when
 * there are none: the words `labs check` prints, which Gradescope and JUnit outputs carry too.
 */
export function submissionNotes(warnings: readonly string[], heading: (s: string) => string = (s) => s): string[] {
  return warnings.length ? [heading('Notes on your submission:'), ...warnings.map((w) => `  ${w}`)] : [];
}
