import { describe, expect, it } from 'vitest';
import { missingFromRoster, readRoster } from '../../../runner/report/roster.js';
import { canvasGradebookCsv } from '../../helpers/exports.js';

describe('a roster: who has no submission at all', () => {
  it("reads Gradescope's roster export, students only, and finds who is missing by SID or e-mail", () => {
    const roster = readRoster(
      [
        'First Name,Last Name,SID,Email,Role,Sections',
        'Ada,Lovelace,S1,Ada@Example.edu,Student,',
        'Alan,Turing,,alan@example.edu,Student,',
        'Don,Knuth,S4,don@example.edu,Student,',
        'Tess,Assistant,,ta@example.edu,TA,',
      ].join('\n'),
      'roster.csv',
    );
    expect(roster).toEqual([
      { name: 'Ada Lovelace', ids: { sid: 'S1', email: 'ada@example.edu' } },
      { name: 'Alan Turing', ids: { email: 'alan@example.edu' } },
      { name: 'Don Knuth', ids: { sid: 'S4', email: 'don@example.edu' } },
    ]);
    const missing = missingFromRoster(roster, [
      { student: 'S1', sid: 'S1' },
      { student: 'alan@example.edu', email: 'ALAN@example.edu' },
    ]);
    expect(missing.map((m) => m.name)).toEqual(['Don Knuth']);
  });

  it("reads GitHub Classroom's classroom_roster.csv by username, any case", () => {
    const roster = readRoster('"identifier","github_username","github_id","name"\n"ada@x.edu","Octocat","1","Ada"\n"bob@x.edu","","","Bob"\n', 'r.csv');
    expect(roster).toEqual([
      { name: 'Ada', ids: { username: 'Octocat' } },
      { name: 'Bob', ids: {} },
    ]);
    // Bob never linked a GitHub account: no repository can be his.
    expect(missingFromRoster(roster, [{ student: 'octocat', username: 'octocat' }])).toEqual([{ name: 'Bob', ids: {} }]);
  });

  it("lists a Classroom student who never linked a GitHub account by the roster's identifier", () => {
    // Classroom exports such a row with only the identifier the instructor typed: no username, no name.
    const roster = readRoster('"identifier","github_username","github_id","name"\n"ada@x.edu","octocat","1","Ada"\n"zack@x.edu","","",""\n', 'r.csv');
    expect(missingFromRoster(roster, [{ student: 'octocat', username: 'octocat' }])).toEqual([{ name: 'zack@x.edu', ids: {} }]);
  });

  it("reads Canvas's gradebook without its Points Possible row", () => {
    const roster = readRoster(canvasGradebookCsv([{ name: 'Lovelace, Ada', id: 1001, sis: 'S1' }]), 'g.csv');
    expect(roster).toEqual([{ name: 'Lovelace, Ada', ids: { sid: 'S1', canvasUserId: '1001' } }]);
  });

  it('refuses a CSV with no id column, as a usage error', () => {
    expect(() => readRoster('name,score\nada,1\n', 'r.csv')).toThrow(
      expect.objectContaining({ code: 'USAGE', message: expect.stringContaining('none of the columns') }),
    );
  });
});
