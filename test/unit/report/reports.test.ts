import { describe, expect, it } from 'vitest';
import { buildReport, type CheckResult } from '../../../runner/rubric/score.js';
import { gradescopeReport } from '../../../runner/report/gradescope.js';
import { jsonReport } from '../../../runner/report/json.js';
import { junitReport } from '../../../runner/report/junit.js';
import { terminalReport } from '../../../runner/report/terminal.js';

const result = (over: Partial<CheckResult>): CheckResult => ({
  id: 'delivery-one-consumer',
  kind: 'delivery',
  title: 'Every message arrives once',
  passed: true,
  score: 4,
  maxScore: 4,
  summary: '50 sent: all delivered',
  hint: null,
  details: [],
  durationMs: 1234,
  measurements: {},
  ...over,
});
const report = buildReport('exercise-1', 77, [
  result({}),
  result({
    id: 'blocking',
    kind: 'blocking',
    title: 'Blocks <when> idle & "quiet"',
    passed: false,
    score: 0,
    maxScore: 2,
    summary: '60 commands/s',
    hint: 'use q.consume()',
    details: ['first: a\u0001b'],
  }),
]);

describe('reports', () => {
  it('the score adds the checks’ scores', () => {
    expect([report.score, report.maxScore]).toEqual([4, 6]);
  });

  it('--json: the documented keys, checks in lab order, hint null on a pass', () => {
    const json = JSON.parse(jsonReport(report)) as Record<string, unknown> & { checks: Record<string, unknown>[] };
    expect(Object.keys(json)).toEqual(['lab', 'seed', 'score', 'maxScore', 'checks', 'warnings']);
    expect(json.warnings).toEqual([]);
    expect(json).toMatchObject({ lab: 'exercise-1', seed: 77, score: 4, maxScore: 6 });
    expect(json.checks.map((c) => [c.id, c.kind, c.passed, c.score, c.maxScore, c.hint])).toEqual([
      ['delivery-one-consumer', 'delivery', true, 4, 4, null],
      ['blocking', 'blocking', false, 0, 2, 'use q.consume()'],
    ]);
  });

  it('JUnit: a testcase per check, failures with their text, XML escaped and control characters dropped', () => {
    const xml = junitReport(report);
    expect(xml).toMatch(/<testsuites tests="2" failures="1"/);
    expect(xml).toContain('name="blocking: Blocks &lt;when&gt; idle &amp; &quot;quiet&quot;"');
    expect(xml).toContain('<failure message="60 commands/s" type="blocking">60 commands/s\nfirst: ab\nhint: use q.consume()</failure>');
    expect(xml).not.toMatch(/\u0001/);
  });

  it('Gradescope: score, max_score and tests with name, score, max_score, status, output', () => {
    const g = JSON.parse(gradescopeReport(report)) as { score: number; max_score: number; tests: Record<string, unknown>[] };
    expect([g.score, g.max_score]).toEqual([4, 6]);
    expect(g.tests[1]).toMatchObject({ name: 'Blocks <when> idle & "quiet"', score: 0, max_score: 2, status: 'failed' });
    expect(g.tests[1]!.output).toContain('Hint: use q.consume()');
  });

  it('terminal: pass/fail, points, what was seen, the hint, the total and the seed', () => {
    const plain = { ok: (s: string) => s, bad: (s: string) => s, dim: (s: string) => s, bold: (s: string) => s };
    const lines = terminalReport(report, plain);
    expect(lines[0]).toBe('✓ PASS  Every message arrives once  [delivery-one-consumer]  4/4');
    expect(lines).toContain('        hint: use q.consume()');
    expect(lines.at(-1)).toBe('1 of 2 checks failed: 4/6 points  (seed 77; `--seed 77` replays this run)');
    expect(lines.join('\n')).not.toContain('Notes on your submission');
  });

  it('the notes on the submission (files left out) in every output: terminal, --json, JUnit, Gradescope', () => {
    const warnings = ['huge.bin (6 MiB) was not graded: files over 5 MiB are left out', '"../x.py" was not graded: its path leads outside the submission (..)'];
    const noted = { ...report, warnings };
    const plain = { ok: (s: string) => s, bad: (s: string) => s, dim: (s: string) => s, bold: (s: string) => `*${s}*` };
    const lines = terminalReport(noted, plain);
    // Just above the verdict, which stays last.
    expect(lines.slice(-5)).toEqual([
      '*Notes on your submission:*',
      `  ${warnings[0]}`,
      `  ${warnings[1]}`,
      '',
      '1 of 2 checks failed: *4/6* points  (seed 77; `--seed 77` replays this run)',
    ]);
    expect((JSON.parse(jsonReport(noted)) as { warnings: string[] }).warnings).toEqual(warnings);
    expect(junitReport(noted)).toContain(
      `    <system-err>Notes on your submission:\n  ${warnings[0]}\n  &quot;../x.py&quot; was not graded: its path leads outside the submission (..)</system-err>\n  </testsuite>`,
    );
    expect((JSON.parse(gradescopeReport(noted)) as { output: string }).output).toBe(
      `labs exercise-1, seed 77: 4/6\nNotes on your submission:\n  ${warnings[0]}\n  ${warnings[1]}`,
    );
  });
});
