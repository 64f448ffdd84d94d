import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { LabsError } from '../../../runner/errors.js';
import { type GradedStudent, fillCanvasGradebook, readCanvasGradebook } from '../../../runner/report/canvas-gradebook.js';
import { gradescopeScoresCsv } from '../../../runner/report/gradescope-scores.js';
import { canvasGradebookCsv } from '../../helpers/exports.js';
import { graded, makeLab, notGraded } from './batch-fixture.js';

const lab = makeLab(); // exercise-1, 10 points
const roster = [
  { name: 'Lovelace, Ada', id: 1001, sis: 'S1001' },
  { name: 'Hopper, Grace', id: 1002, sis: 'S1002' },
  { name: 'Turing, Alan', id: 1003, sis: 'S1003' },
  { name: 'Absent, Never', id: 1004, sis: 'S1004' },
  { name: 'Student, Test', id: 9999 },
];
const students: GradedStudent[] = [
  { submitter: { student: '1001', canvasUserId: '1001', name: 'lovelaceada' }, result: graded('1001') },
  { submitter: { student: 'S1002', sid: 'S1002', email: 'grace@example.edu' }, result: graded('S1002', ['delivery']) },
  { submitter: { student: '1003', canvasUserId: '1003' }, result: notGraded('1003', 'infra-error', 'Docker went away') },
  { submitter: { student: '7777', canvasUserId: '7777' }, result: graded('7777') },
];

const rows = (text: string): string[][] => parse(text, { bom: true, relax_column_count: true }) as string[][];

describe("a Canvas gradebook export filled with the lab's column", () => {
  it('matches a submitter known by e-mail only (a Gradescope student without a sid) by SIS Login ID, case aside', () => {
    const book = readCanvasGradebook(canvasGradebookCsv([{ name: 'Noether, Emmy', id: 1005, login: 'emmy@example.edu' }]), 'g.csv');
    const fill = fillCanvasGradebook(book, lab, [{ submitter: { student: 'emmy', email: 'Emmy@Example.edu' }, result: graded('emmy') }]);
    expect(
      rows(fill.text)
        .slice(3)
        .map((r) => [r[1], r[5]]),
    ).toEqual([['1005', '10']]);
    expect(fill).toMatchObject({ filled: 1, missing: [], notInGradebook: [] });
  });

  it('adds the column before the computed ones, points possible from the lab, matched by user id then SIS id', () => {
    const book = readCanvasGradebook(canvasGradebookCsv(roster, [{ name: 'Quiz 1', id: 55, points: 5 }]), 'g.csv');
    const fill = fillCanvasGradebook(book, lab, students);
    const out = rows(fill.text);
    expect(out[0]).toEqual([
      'Student',
      'ID',
      'SIS User ID',
      'SIS Login ID',
      'Section',
      'Quiz 1 (55)',
      'exercise-1',
      'Current Points',
      'Final Points',
      'Current Score',
      'Final Score',
    ]);
    expect(out[1]![6]).toBe('10');
    expect(out[2]![6]).toBe(''); // the Manual Posting row
    expect(out.slice(3).map((r) => [r[1], r[6]])).toEqual([
      ['1001', '10'],
      ['1002', '6'],
      ['1003', ''],
      ['1004', ''],
      ['9999', ''],
    ]);
    expect(fill).toMatchObject({ column: 'exercise-1', added: true, filled: 2 });
    expect(fill.missing).toEqual([{ name: 'Absent, Never', canvasUserId: '1004', sisId: 'S1004' }]);
    expect(fill.notInGradebook.map((s) => s.student)).toEqual(['7777']);
    expect(fill.notGraded).toEqual([{ student: '1003', status: 'infra-error' }]);
    // Canvas's own line endings are kept; nothing else of the file changes.
    expect(fill.text.split('\r\n').length).toBe(rows(fill.text).length + 1);
  });

  it("fills an existing column by its name, Canvas's (id) aside, keeps other cells, and scales to its points possible", () => {
    const csv = canvasGradebookCsv(roster, [{ name: 'Exercise-1', id: 77, points: 100 }]).replace(
      '"Lovelace, Ada",1001,S1001,S1001@example.edu,Section 1,',
      '"Lovelace, Ada",1001,S1001,S1001@example.edu,Section 1,55',
    );
    const fill = fillCanvasGradebook(readCanvasGradebook(csv, 'g.csv'), lab, students.slice(1, 3));
    const out = rows(fill.text);
    expect(fill).toMatchObject({ column: 'Exercise-1 (77)', added: false, scaledTo: 100 });
    expect(out.slice(3).map((r) => r[5])).toEqual(['55', '60', '', '', '']);
  });

  it('refuses a file that is not a Canvas gradebook, and two columns for the lab, as usage errors', () => {
    expect(() => readCanvasGradebook('name,score\nada,1\n', 'x.csv')).toThrow(/no "ID" column/);
    expect(() => readCanvasGradebook('"unterminated\n', 'x.csv')).toThrow(LabsError);
    const two = readCanvasGradebook(
      canvasGradebookCsv(roster, [
        { name: 'exercise-1', id: 1, points: 10 },
        { name: lab.title, id: 2, points: 10 },
      ]),
      'g.csv',
    );
    expect(() => fillCanvasGradebook(two, lab, students)).toThrow(
      expect.objectContaining({ code: 'USAGE', hint: 'pass --canvas-column with the one to fill' }),
    );
    expect(fillCanvasGradebook(two, lab, students, `${lab.title}`).column).toBe(`${lab.title} (2)`);
    // The lab's title up to its colon, as an instructor names the assignment, any case and punctuation.
    const titled = makeLab({ title: 'Exercise 1: the consume method' });
    const named = readCanvasGradebook(canvasGradebookCsv(roster, [{ name: 'EXERCISE_1', id: 3, points: 10 }]), 'g.csv');
    expect(fillCanvasGradebook(named, titled, students)).toMatchObject({ column: 'EXERCISE_1 (3)', added: false });
  });
});

describe("Gradescope's score upload", () => {
  it('one row per graded student, Name, SID, Email, Total Score; a student not graded has none', () => {
    const { text, notGraded: left } = gradescopeScoresCsv(students);
    expect(text).toBe(
      ['Name,SID,Email,Total Score', 'lovelaceada,1001,,10', '7777,,,10'.replace('7777,,,', ',7777,,'), ',S1002,grace@example.edu,6', ''].join('\n'),
    );
    expect(left).toEqual([{ student: '1003', status: 'infra-error' }]);
  });
});
