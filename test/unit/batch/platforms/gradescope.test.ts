import { describe, expect, it } from 'vitest';
import { LabsError } from '../../../../runner/errors.js';
import { gradescopeSubmissions } from '../../../../runner/batch/platforms/gradescope.js';
import { gradescopeMetadata } from '../../../helpers/exports.js';

describe("Gradescope's submission_metadata.yml", () => {
  it('gives each submission its submitters (sid, else e-mail) and time; a group lists every one', () => {
    const yaml = gradescopeMetadata([
      { id: 1, submitters: [{ name: 'Ada Lovelace', sid: '1001', email: 'ada@example.edu' }], createdAt: '2026-11-20 10:02:03.1 -08:00' },
      {
        id: 2,
        submitters: [
          { name: 'Grace Hopper', sid: '1002', email: 'grace@example.edu' },
          { name: 'Alan Turing', email: 'alan@example.edu' },
        ],
      },
      { id: 3, submitters: [{ name: 'Nobody Here' }] },
    ]);
    const { submissions, unattributed } = gradescopeSubmissions(yaml, ['submission_1', 'submission_2', 'submission_3', 'submission_9'], 'x.yml');
    expect(submissions).toEqual([
      {
        folder: 'submission_1',
        submitters: [{ student: '1001', name: 'Ada Lovelace', sid: '1001', email: 'ada@example.edu' }],
        submittedAt: '2026-11-20 10:02:03.1 -08:00',
        noFolder: false,
      },
      {
        folder: 'submission_2',
        submitters: [
          { student: '1002', name: 'Grace Hopper', sid: '1002', email: 'grace@example.edu' },
          { student: 'alan@example.edu', name: 'Alan Turing', email: 'alan@example.edu' },
        ],
        submittedAt: '2026-11-20 10:02:03.123456000 -08:00',
        noFolder: false,
      },
    ]);
    expect(unattributed).toEqual([
      { entry: 'submission_3/ ("Nobody Here")', why: 'the submitter has neither sid nor e-mail' },
      { entry: 'submission_9/', why: 'submission_metadata.yml does not list it' },
    ]);
  });

  it('a submission listed without a folder is graded as no files; an unsafe sid falls back to the e-mail', () => {
    const yaml = gradescopeMetadata([{ id: 7, submitters: [{ name: 'Eve', sid: '../../etc', email: 'eve@example.edu' }] }]);
    const { submissions } = gradescopeSubmissions(yaml, [], 'x.yml');
    expect(submissions).toMatchObject([{ folder: 'submission_7', noFolder: true, submitters: [{ student: 'eve@example.edu', sid: '../../etc' }] }]);
  });

  it('refuses metadata that is not YAML or not a map, as a usage error', () => {
    expect(() => gradescopeSubmissions(': : :\n\t- [', [], 'm.yml')).toThrow(LabsError);
    expect(() => gradescopeSubmissions('- a\n- b\n', [], 'm.yml')).toThrow(/does not map submissions/);
  });
});
