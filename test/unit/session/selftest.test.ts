import { describe, expect, it } from 'vitest';
import { buildReport, type CheckResult } from '../../../runner/rubric/score.js';
import { describeExit } from '../../../runner/run/script.js';
import { judgeCase } from '../../../runner/session/selftest.js';

const check = (id: string, kind: CheckResult['kind'], passed: boolean): CheckResult => ({
  id,
  kind,
  title: id,
  passed,
  score: passed ? 1 : 0,
  maxScore: 1,
  summary: '',
  hint: null,
  details: [],
  durationMs: 0,
  measurements: {},
});

describe('judgeCase', () => {
  const report = buildReport('x', 1, [
    check('p', 'producer', true),
    check('d1', 'delivery', false),
    check('d2', 'delivery', false),
    check('l', 'latency', true),
  ]);
  it('a variant fails exactly its declared kinds', () => {
    expect(judgeCase(report, ['delivery'])).toEqual({ passedWrongly: [], failedWrongly: [], ok: true });
  });
  it('a declared kind that passed, or another kind that failed, is wrong', () => {
    expect(judgeCase(report, ['delivery', 'latency'])).toMatchObject({ passedWrongly: ['l'], ok: false });
    expect(judgeCase(report, [])).toMatchObject({ failedWrongly: ['d1', 'd2'], ok: false });
  });
  it('declaring a kind the lab has no check of is wrong too', () => {
    expect(judgeCase(report, ['delivery', 'static'])).toMatchObject({ passedWrongly: ['(no static check)'], ok: false });
  });
});

describe('describeExit', () => {
  it('says in words how a script ended', () => {
    expect(describeExit(1, { oomKilled: false, stoppedByGrader: false })).toBe('exited with code 1');
    expect(describeExit(137, { oomKilled: true, stoppedByGrader: false })).toBe('killed: out of memory (exit 137)');
    expect(describeExit(137, { oomKilled: false, stoppedByGrader: false })).toBe('killed (SIGKILL, exit 137)');
    expect(describeExit(137, { oomKilled: false, stoppedByGrader: true })).toBe('stopped by the grader');
    expect(describeExit(137, { oomKilled: false, stoppedByGrader: false, timedOutMs: 15000 })).toBe('timed out after 15000 ms and was stopped');
    expect(describeExit(139, { oomKilled: false, stoppedByGrader: false })).toBe('killed by signal 11 (exit 139)');
  });
});
