/**
 * `labs grade` as an instructor runs it on what Canvas, Gradescope and GitHub Classroom hand out,
 * against the real engine: a small export of each shape (made in the shapes test/helpers/exports.ts
 * documents) with the exercise-1 reference solution and known-bad variants from templates/; the
 * gradebook rows, and the Canvas and Gradescope CSVs the instructor would import, as they read them.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canvasExport, canvasGradebookCsv, classroomExport, gradescopeExport } from '../helpers/exports.js';
import { labs, leftBy, nothing, repoRoot, sweep, tempDir } from '../helpers/labs.js';
import { writeTree, zipBuffer } from '../unit/intake/build.js';

const templates = join(repoRoot, 'templates', 'exercise-1');

/** The solution's files, with a known-bad variant's files over them. */
async function files(variant?: string): Promise<Record<string, string>> {
  const read = async (dir: string): Promise<Record<string, string>> => {
    const out: Record<string, string> = {};
    for (const name of await readdir(dir)) if (name.endsWith('.py')) out[name] = await readFile(join(dir, name), 'utf8');
    return out;
  };
  return { ...(await read(join(templates, 'solution'))), ...(variant ? await read(join(templates, 'variants', variant)) : {}) };
}

/** A CSV as records by its header, as a spreadsheet shows it. */
const records = (text: string): Record<string, string>[] => parse(text, { bom: true, columns: true, relax_column_count: true }) as Record<string, string>[];
const gradebook = async (out: string): Promise<string[][]> =>
  records(await readFile(join(out, 'gradebook.csv'), 'utf8')).map((r) => [r.student!, r.total!, r.status!]);

// exercise-1 is out of 10; the reversed producer loses its 2 points, the consumer that exits when the
// queue is empty passes only the producer's check.
const full = '10';
const reversed = '8';
const exitsWhenEmpty = '2';

describe('labs grade over platform exports', () => {
  let root: string;
  const pids: (number | undefined)[] = [];

  beforeAll(async () => {
    root = await tempDir('labs-platforms-');
  });

  afterAll(async () => {
    expect(await leftBy(...pids)).toEqual(nothing);
    await sweep(root);
  });

  /** `labs grade exercise-1 …` as the instructor types it; asserts it graded everything (exit 0). */
  async function grade(args: string[]): Promise<Awaited<ReturnType<typeof labs>>> {
    const run = labs(['grade', 'exercise-1', ...args, '-j', '3'], { cwd: root, timeout: 600_000 });
    pids.push(run.pid);
    const result = await run;
    expect(result.exitCode, String(result.stderr)).toBe(0);
    return result;
  }

  it("grades a Canvas download (zip): latest resubmission, LATE, an uploaded zip; fills Canvas's gradebook, missing students left blank", async () => {
    const good = await files();
    const bad = await files('consumer-exits-when-empty');
    const uploaded = await zipBuffer(Object.entries(good).map(([name, data]) => ({ name: `my-lab/${name}`, data })));
    const exported = await canvasExport(
      root,
      [
        // Uploaded a broken consumer, then the fix: Canvas names the second upload consumer-1.py.
        {
          name: 'lovelaceada',
          userId: 1001,
          submissionId: 9001,
          files: { 'producer.py': good['producer.py']!, 'consumer.py': bad['consumer.py']!, 'consumer-1.py': good['consumer.py']! },
        },
        { name: 'hoppergrace', userId: 1002, submissionId: 9002, late: true, files: await files('producer-reverses-order') },
        { name: 'knuthdon', userId: 1004, submissionId: 9004, files: { 'lab.zip': uploaded } },
      ],
      { zip: true, extra: { 'grading-notes.txt': 'not a submission' } },
    );
    const book = join(root, 'Grades-QUEUES101.csv');
    await writeTree(root, {
      'Grades-QUEUES101.csv': canvasGradebookCsv(
        [
          { name: 'Lovelace, Ada', id: 1001, sis: 'S1' },
          { name: 'Hopper, Grace', id: 1002, sis: 'S2' },
          { name: 'Turing, Alan', id: 1003, sis: 'S3' },
          { name: 'Knuth, Don', id: 1004, sis: 'S4' },
        ],
        [{ name: 'Quiz 1', id: 301, points: 5 }],
      ),
    });
    const out = join(root, 'canvas-results');
    const result = await grade([exported, '--out', out, '--canvas-gradebook', book]);

    expect(await gradebook(out)).toEqual([
      ['1001', full, 'graded'],
      ['1002', reversed, 'graded'],
      ['1004', full, 'graded'],
    ]);
    const imported = records(await readFile(join(out, 'canvas-import.csv'), 'utf8'));
    expect(Object.keys(imported[0]!)).toEqual([
      'Student',
      'ID',
      'SIS User ID',
      'SIS Login ID',
      'Section',
      'Quiz 1 (301)',
      'exercise-1',
      'Current Points',
      'Final Points',
      'Current Score',
      'Final Score',
    ]);
    expect(imported.map((r) => [r.Student!.trim(), r['exercise-1']])).toEqual([
      ['Points Possible', '10'],
      ['', ''],
      ['Lovelace, Ada', full],
      ['Hopper, Grace', reversed],
      ['Turing, Alan', ''],
      ['Knuth, Don', full],
    ]);
    const stdout = String(result.stdout);
    expect(stdout).toContain('missing: in the gradebook, no submission (cell left as it was) (1):\n      Turing, Alan (ID 1003)');
    expect(stdout).toContain('not attributed to any student, not graded (1):\n      grading-notes.txt:');
    const intake = await readFile(join(out, 'intake.md'), 'utf8');
    expect(intake).toMatch(/\| 1002 \| hoppergrace \| LATE \|/);
    expect(intake).toContain('~~lovelaceada_1001_9001_consumer.py~~ (an earlier copy, not graded)');
  });

  it('grades a Gradescope export (unpacked): a group gives each submitter a row; a listed submission with no files; the score upload', async () => {
    const exported = await gradescopeExport(root, [
      { id: 501, submitters: [{ name: 'Ada Lovelace', sid: 'S1', email: 'ada@example.edu' }], files: await files() },
      {
        id: 502,
        submitters: [
          { name: 'Grace Hopper', sid: 'S2', email: 'grace@example.edu' },
          { name: 'Alan Turing', email: 'alan@example.edu' },
        ],
        files: Object.fromEntries(Object.entries(await files('consumer-exits-when-empty')).map(([name, data]) => [`exercise-1/${name}`, data])),
      },
      { id: 503, submitters: [{ name: 'Don Knuth', sid: 'S4', email: 'don@example.edu' }] },
    ]);
    const out = join(root, 'gradescope-results');
    const scores = join(root, 'scores.csv');
    // Gradescope's roster export: Barbara never submitted; the TA is no student.
    const roster = join(root, 'roster.csv');
    await writeTree(root, {
      'roster.csv': [
        'First Name,Last Name,SID,Email,Role,Sections',
        'Ada,Lovelace,S1,ada@example.edu,Student,',
        'Grace,Hopper,S2,grace@example.edu,Student,',
        'Alan,Turing,,alan@example.edu,Student,',
        'Don,Knuth,S4,don@example.edu,Student,',
        'Barbara,Liskov,S5,barbara@example.edu,Student,',
        'Tess,Assistant,,ta@example.edu,TA,',
      ].join('\n'),
    });
    const result = await grade([exported, '--out', out, '--gradescope-csv', scores, '--roster', roster]);
    expect(String(result.stdout)).toContain('missing: in the roster, no submission (1):\n      Barbara Liskov (sid S5, email barbara@example.edu)');

    expect(await gradebook(out)).toEqual([
      ['S1', full, 'graded'],
      ['S2', exitsWhenEmpty, 'graded'],
      ['S4', '0', 'graded'],
      ['alan@example.edu', exitsWhenEmpty, 'graded'],
    ]);
    expect(records(await readFile(scores, 'utf8'))).toEqual([
      { Name: 'Ada Lovelace', SID: 'S1', Email: 'ada@example.edu', 'Total Score': full },
      { Name: 'Grace Hopper', SID: 'S2', Email: 'grace@example.edu', 'Total Score': exitsWhenEmpty },
      { Name: 'Don Knuth', SID: 'S4', Email: 'don@example.edu', 'Total Score': '0' },
      { Name: 'Alan Turing', SID: '', Email: 'alan@example.edu', 'Total Score': exitsWhenEmpty },
    ]);
    expect(await readFile(join(out, 'feedback', 'alan@example.edu.md'), 'utf8')).toContain('Feedback for **alan@example.edu**');

    // Run again: the three submissions (one a group of two) are kept, nothing is graded twice.
    const before = await readFile(join(out, 'gradebook.csv'), 'utf8');
    const again = await grade([exported, '--out', out]);
    expect(String(again.stderr)).toContain('3 submission(s): 0 to grade, 3 already graded (unchanged)');
    expect(await readFile(join(out, 'gradebook.csv'), 'utf8')).toBe(before);
  });

  it('grades a GitHub Classroom clone: the lab at the root or in its sub-folder, the commit graded recorded', async () => {
    const { path, commits } = await classroomExport(root, 'queues', [
      { username: 'octocat', files: { ...(await files('producer-reverses-order')), 'README.md': '# queues' } },
      { username: 'mona-lisa', files: Object.fromEntries(Object.entries(await files()).map(([name, data]) => [`Exercise-1/${name}`, data])) },
    ]);
    const out = join(root, 'classroom-results');
    await grade([path, '--out', out]);

    expect(await gradebook(out)).toEqual([
      ['mona-lisa', full, 'graded'],
      ['octocat', reversed, 'graded'],
    ]);
    const intake = await readFile(join(out, 'intake.md'), 'utf8');
    expect(intake).toContain(`| mona-lisa |  |  |  | ${commits.get('mona-lisa')} | 10/10 | queues-mona-lisa/Exercise-1/ |`);
    expect(intake).toContain(`| octocat |  |  |  | ${commits.get('octocat')} | 8/10 | queues-octocat/ |`);
  });

  it('refuses an export it cannot tell, exit 2, saying which --from to pass, before grading anything', async () => {
    const mixed = await writeTree(join(root, 'mixed'), { 'ada_1_2_producer.py': 'x', 'bob/producer.py': 'y' });
    const run = labs(['grade', 'exercise-1', mixed, '--out', join(root, 'never')], { cwd: root });
    pids.push(run.pid);
    const result = await run;
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toContain(`labs: ${mixed} could be read more than one way`);
    expect(String(result.stderr)).toContain('pass --from canvas, --from gradescope, --from classroom or --from folders');
  });
});
