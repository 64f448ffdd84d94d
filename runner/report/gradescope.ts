/** Gradescope's results.json: score, max_score, and a test per check with its output. */
import type { CheckReport } from '../grade/score.js';

export function gradescopeReport(report: CheckReport): string {
  return `${JSON.stringify(
    {
      score: report.score,
      max_score: report.maxScore,
      output: `labs ${report.lab}, seed ${report.seed}: ${report.score}/${report.maxScore}`,
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
