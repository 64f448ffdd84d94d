import { describe, expect, it } from 'vitest';
import { classroomOutputLine, classroomRunnerResult, runnerName } from '../../../runner/report/github-classroom.js';

describe('GitHub Classroom results', () => {
  it('names a runner as GitHub names a step: a letter or _ first, no dots', () => {
    expect(runnerName('delivery-one-consumer')).toBe('delivery-one-consumer');
    expect(runnerName('2-consumers.v2')).toBe('check-2-consumers_v2');
  });

  it('one check as the command grader writes a test: the points on a pass, 0 and the hint on a fail; base64 JSON in a result= line', () => {
    const report = {
      lab: 'exercise-1',
      checks: [
        { id: 'a', title: 'A', passed: true, score: 2, maxScore: 2, summary: 'fine', hint: null },
        { id: 'b', title: 'B', passed: false, score: 0, maxScore: 4, summary: '25 lost', hint: 'keep consuming' },
      ],
    };
    expect(classroomRunnerResult(report, 'b')).toEqual({
      version: 1,
      status: 'fail',
      max_score: 4,
      tests: [
        {
          name: 'B',
          status: 'fail',
          score: 0,
          message: '25 lost\nhint: keep consuming',
          test_code: 'labs check --only b',
          filename: '',
          line_no: 0,
          duration: 0,
        },
      ],
    });
    const line = classroomOutputLine(classroomRunnerResult(report, 'a')!);
    expect(line).toMatch(/^result=[A-Za-z0-9+/=]+\n$/);
    expect(JSON.parse(Buffer.from(line.slice('result='.length), 'base64').toString('utf8'))).toMatchObject({
      status: 'pass',
      max_score: 2,
      tests: [{ score: 2, message: 'fine' }],
    });
    expect(classroomRunnerResult(report, 'c')).toBeUndefined();
  });
});
