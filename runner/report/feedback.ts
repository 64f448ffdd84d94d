/**
 * `DIR/feedback/<student>.md` and `.json`: what a student reads after `labs grade`. The words are the
 * ones `labs check` prints (terminal.ts); the HTML report renders the same view.
 */
import type { SubmissionResult, SubmissionStatus } from '../rubric/submission.js';
import type { Lab } from '../lab/types.js';
import { formatPoints } from './batch-stats.js';
import { jsonReport } from './json.js';

export interface FeedbackCheck {
  id: string;
  title: string;
  passed: boolean;
  /** As `labs check` prints it. */
  mark: '✓ PASS' | '✗ FAIL';
  score: number;
  maxScore: number;
  summary: string;
  details: string[];
  hint: string | null;
}

export interface FeedbackView {
  labId: string;
  labTitle: string;
  student: string;
  status: SubmissionStatus;
  /** Present when the submission was graded. */
  graded?: {
    score: number;
    maxScore: number;
    seed: number;
    /** "All checks passed" or "2 of 7 checks failed", as `labs check` ends. */
    verdict: string;
    allPassed: boolean;
    checks: FeedbackCheck[];
  };
  /** Present when it was not: why this is not a grade, and what went wrong. */
  notGraded?: { explanation: string; error: string | undefined };
  warnings: string[];
}

const notGradedExplanation: Record<Exclude<SubmissionStatus, 'graded'>, string> = {
  'infra-error': 'This submission could not be graded because the grading machinery failed (not your code).',
  timeout: 'Grading this submission did not finish within the time allowed.',
};

export function feedbackView(lab: Lab, result: SubmissionResult): FeedbackView {
  const base = { labId: lab.id, labTitle: lab.title, student: result.student, status: result.status, warnings: result.warnings };
  const report = result.status === 'graded' ? result.report : undefined;
  if (!report) {
    const why = result.status === 'graded' ? 'No report was recorded for this submission.' : notGradedExplanation[result.status];
    return { ...base, notGraded: { explanation: `${why} This is not a grade: your instructor will rerun it.`, error: result.error } };
  }
  const failed = report.checks.filter((c) => !c.passed).length;
  return {
    ...base,
    graded: {
      score: report.score,
      maxScore: report.maxScore,
      seed: report.seed,
      verdict: failed ? `${failed} of ${report.checks.length} checks failed` : 'All checks passed',
      allPassed: failed === 0,
      checks: report.checks.map((c) => ({
        id: c.id,
        title: c.title,
        passed: c.passed,
        mark: c.passed ? '✓ PASS' : '✗ FAIL',
        score: c.score,
        maxScore: c.maxScore,
        summary: c.summary,
        details: c.details,
        hint: c.hint,
      })),
    },
  };
}

// Control characters other than tab and newline have no business in a text file a student opens.
const controls = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/**
 * Student-controlled text (output lines, crash messages, ids) as literal Markdown: every character
 * that could start markup or raw HTML is backslash-escaped, line breaks become spaces.
 */
export function markdownText(text: string): string {
  return (
    text
      .replace(/\r\n?|\n/g, ' ')
      .replace(controls, '')
      .replace(/[\\`*_[\]<>#|~&]/g, (c) => `\\${c}`)
      // A line that starts like a list item, a quote, a heading or a setext underline.
      .replace(/^(\s*)([-+=>]|\d+[.)])/, (_, space: string, lead: string) => `${space}${lead.replace(/([-+=>.)])$/, '\\$1')}`)
  );
}

/** Lines shown verbatim in a fenced block, the fence longer than any backtick run inside. */
export function markdownFence(lines: string[]): string {
  const body = lines.map((l) => l.replace(controls, '')).join('\n');
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}text\n${body}\n${fence}`;
}

/** `DIR/feedback/<student>.md`: the student's score and each check's summary, details and hint, or why it was not graded; then the notes on the submission. */
export function feedbackMarkdown(lab: Lab, result: SubmissionResult): string {
  const view = feedbackView(lab, result);
  const out: string[] = [`# ${markdownText(view.labTitle)} (${markdownText(view.labId)})`, '', `Feedback for **${markdownText(view.student)}**`, ''];
  if (view.graded) {
    const g = view.graded;
    out.push(`**${g.verdict}: ${formatPoints(g.score)}/${formatPoints(g.maxScore)} points** (seed ${g.seed}; \`--seed ${g.seed}\` replays this run)`, '');
    for (const c of g.checks) {
      out.push(`## ${c.mark} · ${markdownText(c.title)} · ${formatPoints(c.score)}/${formatPoints(c.maxScore)}`, '');
      out.push(`\`${c.id.replace(/`/g, '')}\`: ${markdownText(c.summary)}`, '');
      if (c.details.length) out.push(markdownFence(c.details), '');
      if (c.hint) out.push(`**hint:** ${markdownText(c.hint)}`, '');
    }
  }
  if (view.notGraded) {
    out.push(`**Not graded.** ${view.notGraded.explanation}`, '');
    if (view.notGraded.error) out.push('What went wrong:', '', markdownFence([view.notGraded.error]), '');
  }
  if (view.warnings.length) {
    out.push('## Notes on your submission', '');
    for (const w of view.warnings) out.push(`- ${markdownText(w)}`);
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/**
 * `DIR/feedback/<student>.json`: for a graded submission exactly what `labs check --json` prints;
 * otherwise `{lab, student, status, error, warnings}`. Needs the lab (or its id) because a submission
 * that was never graded has no report to name it.
 */
export function feedbackJson(result: SubmissionResult, lab: Pick<Lab, 'id'> | string): string {
  // The batch's own record of intake's warnings: a report from before reports carried them has none.
  if (result.status === 'graded' && result.report) return jsonReport({ ...result.report, warnings: result.warnings });
  const labId = typeof lab === 'string' ? lab : lab.id;
  return `${JSON.stringify({ lab: labId, student: result.student, status: result.status, error: result.error ?? null, warnings: result.warnings }, null, 2)}\n`;
}
