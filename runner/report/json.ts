/**
 * `labs check --json`: the keys of ARCHITECTURE.md, "Outputs" (`warnings`: the notes on the submission,
 * [] when none); nothing else on stdout.
 */
import type { CheckReport } from '../rubric/score.js';

/** The report as `labs check --json` prints it: pretty-printed JSON and a final newline. */
export function jsonReport(report: CheckReport): string {
  return `${JSON.stringify(
    {
      lab: report.lab,
      seed: report.seed,
      score: report.score,
      maxScore: report.maxScore,
      checks: report.checks.map((c) => ({
        id: c.id,
        kind: c.kind,
        passed: c.passed,
        score: c.score,
        maxScore: c.maxScore,
        summary: c.summary,
        hint: c.hint,
        title: c.title,
        details: c.details,
      })),
      warnings: report.warnings,
    },
    null,
    2,
  )}\n`;
}
