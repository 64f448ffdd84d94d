import { describe, expect, it } from 'vitest';
import { jsonReport } from '../../../runner/report/json.js';
import { feedbackJson, feedbackMarkdown, markdownFence, markdownText } from '../../../runner/report/feedback.js';
import { graded, makeLab, notGraded } from './batch-fixture.js';

const lab = makeLab();

describe('feedbackMarkdown', () => {
  it('all passed: title, student, total and verdict in labs check’s words, each check with ✓ PASS and its points', () => {
    const md = feedbackMarkdown(lab, graded('alice'));
    const lines = md.split('\n');
    expect(lines[0]).toBe('# The consume method (exercise-1)');
    expect(md).toContain('Feedback for **alice**');
    expect(md).toContain('**All checks passed: 10/10 points** (seed 4242; `--seed 4242` replays this run)');
    expect(md).toContain('## ✓ PASS · The producer puts every argument, in order · 2/2');
    expect(md).toContain('`producer`: producer: as expected');
    // An untitled check is shown by its id, as labs check does.
    expect(md).toContain('## ✓ PASS · latency · 2/2');
    expect(md).not.toContain('hint:');
    expect(md).not.toContain('✗');
    expect(md.endsWith('\n')).toBe(true);
  });

  it('a failure: ✗ FAIL, 0 points, the summary, the details verbatim, the hint', () => {
    const md = feedbackMarkdown(lab, graded('bob', ['blocking']));
    expect(md).toContain('**1 of 4 checks failed: 8/10 points**');
    expect(md).toContain('## ✗ FAIL · The consumer blocks while idle · 0/2');
    expect(md).toContain('`blocking`: blocking: 3 of 20 messages lost');
    expect(md).toContain('```text\nstill queued: m-03, m-07, m-11\nper replica (popped / printed): consumer-1 17/17\n```');
    expect(md).toContain('**hint:** use q.consume() (a blocking pop), not a loop around q.get()');
  });

  it('infra-error and timeout: not a grade, the instructor reruns it, what went wrong; no points', () => {
    const md = feedbackMarkdown(lab, notGraded('carol', 'infra-error', 'Docker is not reachable'));
    expect(md).toContain(
      '**Not graded.** This submission could not be graded because the grading machinery failed (not your code). This is not a grade: your instructor will rerun it.',
    );
    expect(md).toContain('```text\nDocker is not reachable\n```');
    expect(md).not.toMatch(/points|PASS|FAIL/);
    expect(feedbackMarkdown(lab, notGraded('dan', 'timeout', 'too slow'))).toContain(
      'did not finish within the time allowed. This is not a grade: your instructor will rerun it.',
    );
  });

  it('warnings are listed, graded or not', () => {
    const warnings = ['skipped __MACOSX/._consumer.py from the archive', 'output truncated at 1 MiB'];
    const md = feedbackMarkdown(lab, graded('eve', [], { warnings }));
    expect(md).toContain('## Notes on your submission\n\n- skipped \\_\\_MACOSX/.\\_consumer.py from the archive\n- output truncated at 1 MiB\n');
    expect(feedbackMarkdown(lab, notGraded('f', 'timeout', 'x', { warnings }))).toContain('## Notes on your submission');
  });

  it('student text cannot inject markup: HTML, links and headings escaped; a fence outgrows backticks inside', () => {
    expect(markdownText('<script>alert(1)</script> [x](http://e) *b* & `c`')).toBe('\\<script\\>alert(1)\\</script\\> \\[x\\](http://e) \\*b\\* \\& \\`c\\`');
    expect(markdownText('# title\n- item')).toBe('\\# title - item');
    expect(markdownText('- item')).toBe('\\- item');
    expect(markdownText('1. first')).toBe('1\\. first');
    expect(markdownFence(['a ``` b'])).toBe('````text\na ``` b\n````');
    const r = graded('<b>x</b>', ['delivery']);
    r.report!.checks[1]!.details = ['```', '</details>'];
    const md = feedbackMarkdown(lab, r);
    expect(md).toContain('Feedback for **\\<b\\>x\\</b\\>**');
    expect(md).toContain('````text\n```\n</details>\n````');
  });
});

describe('feedbackJson', () => {
  it('graded: exactly what labs check --json prints', () => {
    const r = graded('alice', ['latency']);
    expect(feedbackJson(r, lab)).toBe(jsonReport(r.report!));
  });

  it("graded: the batch's notes on the submission are the report's warnings, even in a report recorded without them", () => {
    const warnings = ['huge.bin (6 MiB) was not graded: files over 5 MiB are left out'];
    const r = graded('alice', [], { warnings });
    const { warnings: _, ...older } = r.report!;
    r.report = older as typeof r.report;
    expect((JSON.parse(feedbackJson(r, lab)) as { warnings: string[] }).warnings).toEqual(warnings);
  });

  it('not graded: {lab, student, status, error, warnings}', () => {
    expect(JSON.parse(feedbackJson(notGraded('bob', 'timeout', 'too slow'), lab))).toEqual({
      lab: 'exercise-1',
      student: 'bob',
      status: 'timeout',
      error: 'too slow',
      warnings: [],
    });
    const keys = Object.keys(JSON.parse(feedbackJson(notGraded('c', 'infra-error', 'x', { warnings: ['w'] }), 'exercise-1')) as object);
    expect(keys).toEqual(['lab', 'student', 'status', 'error', 'warnings']);
  });
});
