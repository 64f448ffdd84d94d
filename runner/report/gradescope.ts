/** Gradescope's results.json: score, max_score, a test per check with its output, and the notes on the submission in `output`. */
import type { CheckReport } from '../rubric/score.js';
import { submissionNotes } from './terminal.js';

/** The report as Gradescope's autograder results.json, pretty-printed with a final newline. */
export function gradescopeReport(report: CheckReport): string {
  return `${JSON.stringify(
    {
      score: report.score,
      max_score: report.maxScore,
      output: [`labs ${report.lab}, seed ${report.seed}: ${report.score}/${report.maxScore}`, ...submissionNotes(report.warnings)].join('\n'),
      tests: report.checks.map((c) => ({
        name: c.title,
        number: c.id,
        score: c.score,
        max_score: c.maxScore,
        status: c.passed ? 'passed' : 'failed',
        output: [c.summary, ...c.details, c.hint ? `Hint: ${c.hint}` : ''].filter(Boolean).join('\n'),
      })),
    },
    null,
    2,
  )}\n`;
}
