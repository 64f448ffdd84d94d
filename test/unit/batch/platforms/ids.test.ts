import { describe, expect, it } from 'vitest';
import { maxIdLength, studentIdProblem } from '../../../../runner/batch/platforms/ids.js';

describe('student ids from an export', () => {
  it('takes plain ids: digits, usernames, e-mail addresses', () => {
    for (const id of ['1001', 'octo-cat', 'ada.lovelace@example.edu', 'A_1+x']) expect(studentIdProblem(id)).toBeUndefined();
  });

  it.each([
    ['', 'it is empty'],
    ['../etc', 'it holds ".."'],
    ['a/../../b', 'it holds ".."'],
    ['/etc/passwd', 'only ASCII'],
    ['C:\\x', 'only ASCII'],
    ['a\u0000b', 'only ASCII'],
    ['.hidden', 'only ASCII'],
    ['-rf', 'only ASCII'],
    ['zoë', 'only ASCII'],
    ['名前', 'only ASCII'],
    ['a b', 'only ASCII'],
    ['x'.repeat(maxIdLength + 1), 'longer than'],
  ])('refuses %j', (id, problem) => {
    expect(studentIdProblem(id)).toContain(problem);
  });
});
