/** JUnit XML, one testcase per check, for course CI systems; the notes on the submission as the suite's system-err. */
import type { CheckReport } from '../rubric/score.js';
import { submissionNotes } from './terminal.js';

export function xmlEscape(text: string): string {
  return (
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      // XML 1.0 cannot carry most control characters, which student output may contain.
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
  );
}

/**
 * The report as JUnit XML: one `<testsuite>` (`labs <lab> (seed N)`), a `<testcase>` per check with its
 * time in s, its summary as `<system-out>` on a pass and a `<failure>` (summary, details, hint) on a
 * fail; the notes on the submission as the suite's `<system-err>`.
 */
export function junitReport(report: CheckReport): string {
  const failures = report.checks.filter((c) => !c.passed).length;
  const seconds = (ms: number): string => (ms / 1000).toFixed(3);
  const total = report.checks.reduce((sum, c) => sum + c.durationMs, 0);
  const cases = report.checks.map((c) => {
    const head = `    <testcase classname="labs.${xmlEscape(report.lab)}" name="${xmlEscape(`${c.id}: ${c.title}`)}" time="${seconds(c.durationMs)}">`;
    const body = c.passed
      ? `      <system-out>${xmlEscape(c.summary)}</system-out>`
      : `      <failure message="${xmlEscape(c.summary)}" type="${c.kind}">${xmlEscape([c.summary, ...c.details, c.hint ? `hint: ${c.hint}` : ''].filter(Boolean).join('\n'))}</failure>`;
    return `${head}\n${body}\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites tests="${report.checks.length}" failures="${failures}" time="${seconds(total)}">`,
    `  <testsuite name="labs ${xmlEscape(report.lab)} (seed ${report.seed})" tests="${report.checks.length}" failures="${failures}" time="${seconds(total)}">`,
    ...cases,
    ...(report.warnings.length ? [`    <system-err>${xmlEscape(submissionNotes(report.warnings).join('\n'))}</system-err>`] : []),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
