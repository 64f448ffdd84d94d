/** Discovery and intake of platforms' exports made in temp folders (test/helpers/exports.ts): no Docker. */
import { readFileSync } from 'node:fs';
import { readdir, rename, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DiscoveredBatch, discoverBatch } from '../../../../runner/batch/platforms/discover.js';
import { readExportPart } from '../../../../runner/intake/export.js';
import { canvasExport, classroomExport, gradescopeExport } from '../../../helpers/exports.js';
import { tempDir, writeTree, zipBuffer } from '../../intake/build.js';
import { usageError } from '../../usage-error.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

/** Each student's files as intake reads them: path → text, and the warnings. */
async function read(found: DiscoveredBatch): Promise<Record<string, { files: Record<string, string>; warnings: string[] }>> {
  const out: Record<string, { files: Record<string, string>; warnings: string[] }> = {};
  for (const sub of found.submissions) {
    const { files, warnings } = await readExportPart({ path: sub.source, kind: sub.kind === 'zip' ? 'zip' : 'folder' }, sub.part!, sub.student);
    out[sub.student] = { files: Object.fromEntries(files.map((f) => [f.path, f.data.toString()])), warnings };
  }
  return out;
}

describe.each([false, true])('a Canvas download (zip: %s)', (zip) => {
  it('groups files per student, keeps the latest copy under its name, unpacks an uploaded zip, records LATE', async () => {
    const uploaded = await zipBuffer([
      { name: 'hopper-ex1/producer.py', data: 'P-hopper' },
      { name: 'hopper-ex1/consumer.py', data: 'C-hopper' },
    ]);
    const path = await canvasExport(
      dir,
      [
        {
          name: 'lovelaceada',
          userId: 1001,
          submissionId: 501,
          files: { 'producer.py': 'old', 'producer-1.py': 'newer', 'producer-2.py': 'P-ada', 'consumer.py': 'C-ada' },
        },
        { name: 'hoppergrace', userId: 1002, submissionId: 502, late: true, files: { 'ex1.zip': uploaded } },
      ],
      { zip, extra: { 'instructions.pdf': 'x' } },
    );
    const found = await discoverBatch(path, { labId: 'exercise-1' });
    expect(found.shape).toBe('canvas');
    expect(found.submissions.map((s) => [s.student, s.submitters, s.facts?.late])).toEqual([
      ['1001', [{ student: '1001', name: 'lovelaceada', canvasUserId: '1001' }], false],
      ['1002', [{ student: '1002', name: 'hoppergrace', canvasUserId: '1002' }], true],
    ]);
    expect(found.submissions[0]!.facts?.superseded).toEqual(['lovelaceada_1001_501_producer-1.py', 'lovelaceada_1001_501_producer.py']);
    expect(found.unattributed).toEqual([{ entry: 'instructions.pdf', why: expect.stringContaining("Canvas's") }]);
    expect(await read(found)).toEqual({
      '1001': { files: { 'consumer.py': 'C-ada', 'producer.py': 'P-ada' }, warnings: [] },
      '1002': { files: { 'consumer.py': 'C-hopper', 'producer.py': 'P-hopper' }, warnings: [] },
    });
  });
});

describe.each([false, true])('names at the top of an export that start with "." (zip: %s)', (zip) => {
  it("drops what an OS leaves in silence, and names every other hidden entry as nobody's", async () => {
    const path = await canvasExport(dir, [{ name: 'ada', userId: 1, submissionId: 2, files: { 'producer.py': 'P' } }], {
      zip,
      extra: { '.DS_Store': 'x', '._ada_1_2_producer.py': 'x', '.evil_3_4_producer.py': 'E', '.hidden/x.py': 'H' },
    });
    const found = await discoverBatch(path, { labId: 'exercise-1' });
    expect(found.submissions.map((s) => s.student)).toEqual(['1']);
    expect(found.unattributed).toEqual([
      { entry: '.evil_3_4_producer.py', why: 'its name starts with "." (hidden): only what an OS leaves (.DS_Store, ._*) is left out without a word' },
      { entry: '.hidden/', why: 'its name starts with "." (hidden): only what an OS leaves (.DS_Store, ._*) is left out without a word' },
    ]);
  });
});

describe('a hostile Canvas download', () => {
  it('takes ids from user ids only; a NUL, a very long name or Unicode in a name costs that file, named', async () => {
    const long = `${'n'.repeat(300)}.py`;
    const zip = await zipBuffer([
      { name: 'x_1_2_ok\u0000.py', data: 'c' },
      { name: `x_1_2_${long}`, data: 'd' },
      { name: 'zoë名_1_2_consumer.py', data: 'e' },
      { name: '\u0000_7_8_x.py', data: 'f' },
    ]);
    const path = join(dir, 'submissions.zip');
    await writeFile(path, zip);
    const found = await discoverBatch(path, { labId: 'exercise-1' });
    // The ids are Canvas's user ids, digits; a name part (Unicode, NUL) is only ever shown.
    expect(found.submissions.map((s) => [s.student, s.submitters![0]!.name])).toEqual([
      ['1', 'x'],
      ['7', '\u0000'],
    ]);
    const { '1': one } = await read(found);
    expect(one!.files).toEqual({ 'consumer.py': 'e' });
    expect(one!.warnings).toEqual([
      `${JSON.stringify('ok\u0000.py')} was not graded: its name holds control characters`,
      `${JSON.stringify(long)} was not graded: its name is too long`,
    ]);
  });

  it('a file part with `..\\` or a drive letter (a Windows tool’s separators) leads nowhere: intake refuses it by name', async () => {
    const path = await canvasExport(dir, [
      { name: 'x', userId: 1, submissionId: 2, files: { '..\\..\\escape.py': 'a', 'C:\\Windows\\evil.py': 'b', 'producer.py': 'P' } },
    ]);
    const found = await discoverBatch(path, { labId: 'exercise-1' });
    const { '1': one } = await read(found);
    expect(one!.files).toEqual({ 'producer.py': 'P' });
    expect(one!.warnings.join('\n')).toMatch(/leads outside the submission \(\.\.\)/);
    expect(one!.warnings.join('\n')).toMatch(/its path is absolute \(a drive letter\)/);
  });

  it("an entry in a folder (`../x`, `/abs`, `a/../b`) is nobody's in a flat download, named, never read", async () => {
    const zip = await zipBuffer([
      { name: 'ada_1_2_producer.py', data: 'a' },
      { name: '../3_4_5_x.py', data: 'b' },
      { name: '/etc/6_7_8_passwd', data: 'c' },
      { name: 'x_9_9_../../escape.py', data: 'd' },
    ]);
    const path = join(dir, 'submissions.zip');
    await writeFile(path, zip);
    const found = await discoverBatch(path, { labId: 'exercise-1', from: 'canvas' });
    expect(found.submissions.map((s) => s.student)).toEqual(['1']);
    expect(found.unattributed.map((u) => u.entry)).toEqual(['../3_4_5_x.py', '/etc/6_7_8_passwd', 'x_9_9_../']);
    expect((await read(found))['1']!.files).toEqual({ 'producer.py': 'a' });
  });

  it("reads the lab's own file names as theirs, not as Canvas's copies (labFiles)", async () => {
    const zip = await zipBuffer([
      { name: 'ada_1_2_part-1.py', data: 'one' },
      { name: 'ada_1_2_part-2.py', data: 'two' },
    ]);
    const path = join(dir, 'parts.zip');
    await writeFile(path, zip);
    const found = await discoverBatch(path, { labId: 'parts', from: 'canvas', labFiles: ['part-1.py', 'part-2.py'] });
    expect((await read(found))['1']!.files).toEqual({ 'part-1.py': 'one', 'part-2.py': 'two' });
  });
});

describe.each([false, true])('a Gradescope export (zip: %s)', (zip) => {
  it('reads each submission folder, one row per submitter of a group, and a listed submission with no files', async () => {
    const path = await gradescopeExport(
      dir,
      [
        { id: 11, submitters: [{ name: 'Ada Lovelace', sid: '1001', email: 'ada@example.edu' }], files: { 'producer.py': 'P-ada', 'consumer.py': 'C-ada' } },
        {
          id: 12,
          submitters: [
            { name: 'Grace Hopper', sid: '1002', email: 'grace@example.edu' },
            { name: 'Alan Turing', sid: '1003', email: 'alan@example.edu' },
          ],
          files: { 'lab/producer.py': 'P-group', 'lab/consumer.py': 'C-group' },
        },
        { id: 13, submitters: [{ name: 'Nobody Submitted', sid: '1004' }] },
      ],
      { zip, extra: { 'submission_99/x.py': 'stray' } },
    );
    const found = await discoverBatch(path, { labId: 'exercise-1' });
    expect(found.shape).toBe('gradescope');
    expect(found.submissions.map((s) => [s.student, s.submitters!.map((w) => w.student)])).toEqual([
      ['1001', ['1001']],
      ['1002', ['1002', '1003']],
      ['1004', ['1004']],
    ]);
    expect(found.unattributed).toEqual([{ entry: 'submission_99/', why: 'submission_metadata.yml does not list it' }]);
    expect(await read(found)).toEqual({
      '1001': { files: { 'consumer.py': 'C-ada', 'producer.py': 'P-ada' }, warnings: [] },
      '1002': { files: { 'consumer.py': 'C-group', 'producer.py': 'P-group' }, warnings: [] },
      // Listed, no folder: graded as no files, and the feedback says why rather than only "no producer.py".
      '1004': { files: {}, warnings: ['submission_metadata.yml lists submission_13, but the export holds no folder submission_13/: graded as no files'] },
    });
  });
});

describe('a GitHub Classroom clone', () => {
  it('takes the username, the lab from its sub-folder or the root, and records the commit', async () => {
    const { path, commits } = await classroomExport(dir, 'queues', [
      { username: 'octocat', files: { 'producer.py': 'P-octo', 'consumer.py': 'C-octo', 'README.md': 'r' } },
      { username: 'mona-lisa', files: { 'exercise-1/producer.py': 'P-mona', 'exercise-1/consumer.py': 'C-mona', 'exercise-2/other.py': 'x' } },
      { username: 'empty', files: { 'README.md': 'nothing yet' } },
    ]);
    await writeTree(path, { 'queues-submissions.csv': 'roster' });
    const found = await discoverBatch(path, { labId: 'exercise-1' });
    expect(found.shape).toBe('classroom');
    expect(found.submissions.map((s) => [s.student, s.facts?.commit, s.facts?.sources])).toEqual([
      ['empty', commits.get('empty'), ['queues-empty/']],
      ['mona-lisa', commits.get('mona-lisa'), ['queues-mona-lisa/exercise-1/']],
      ['octocat', commits.get('octocat'), ['queues-octocat/']],
    ]);
    expect(commits.get('octocat')).toMatch(/^[0-9a-f]{40}$/);
    expect(found.unattributed.map((u) => u.entry)).toEqual(['queues-submissions.csv']);
    const files = await read(found);
    expect(files['mona-lisa']!.files).toEqual({ 'consumer.py': 'C-mona', 'producer.py': 'P-mona' });
    expect(Object.keys(files.octocat!.files)).toEqual(['README.md', 'consumer.py', 'producer.py']);
  });
});

describe('a GitHub Classroom clone zipped', () => {
  it('reads the commit from the zip’s .git files, and the lab from its sub-folder', async () => {
    const { path, commits } = await classroomExport(dir, 'queues', [
      { username: 'octocat', files: { 'producer.py': 'P' } },
      { username: 'mona', files: { 'exercise-1/producer.py': 'M' } },
    ]);
    const items = (await readdir(path, { recursive: true, withFileTypes: true }))
      .filter((d) => d.isFile())
      .map((d) => ({ name: relative(dir, join(d.parentPath, d.name)), data: readFileSync(join(d.parentPath, d.name)) }));
    await writeFile(join(dir, 'queues.zip'), await zipBuffer(items));
    const found = await discoverBatch(join(dir, 'queues.zip'), { labId: 'exercise-1' });
    expect(found.submissions.map((s) => [s.student, s.facts?.commit])).toEqual([
      ['mona', commits.get('mona')],
      ['octocat', commits.get('octocat')],
    ]);
    expect(Object.fromEntries(Object.entries(await read(found)).map(([student, r]) => [student, r.files]))).toEqual({
      mona: { 'producer.py': 'M' },
      octocat: { 'producer.py': 'P' },
    });
  });
});

describe('a folder per student, as before', () => {
  it("is read as folders when the students' folders are their own git checkouts", async () => {
    const { path } = await classroomExport(dir, 'x', [{ username: 'alice', files: { 'p.py': 'a' } }]);
    // classroomExport names them x-alice; students' own are named by the student.
    const plain = join(dir, 'plain');
    await writeTree(plain, { 'bob/p.py': 'b' });
    await rename(join(path, 'x-alice'), join(plain, 'alice'));
    const found = await discoverBatch(plain, { labId: 'exercise-1' });
    expect(found.shape).toBe('folders');
    expect(found.submissions.map((s) => s.student)).toEqual(['alice', 'bob']);
  });
});

describe('what discovery refuses, exit 2, saying which --from to pass', () => {
  it('an export that fits two shapes', async () => {
    await writeTree(join(dir, 'mixed'), { 'ada_1_2_producer.py': 'x', 'bob/producer.py': 'y' });
    const error = await usageError(discoverBatch(join(dir, 'mixed'), { labId: 'exercise-1' }));
    expect(error.message).toContain('could be read more than one way');
    expect(error.hint).toContain('--from canvas');
    expect(error.details.join('\n')).toMatch(/--from canvas: 1 \(ada_1_2_producer.py\)[\s\S]*--from folders: 1 \(bob\)/);
    // Forced, it is read that way: bob/ is nobody's in a Canvas download, and named.
    const forced = await discoverBatch(join(dir, 'mixed'), { labId: 'exercise-1', from: 'canvas' });
    expect(forced.unattributed).toEqual([{ entry: 'bob/', why: expect.stringContaining('flat') }]);
  });

  it('an export of nothing labs knows', async () => {
    await writeTree(join(dir, 'odd'), { 'grades.pdf': 'x' });
    const error = await usageError(discoverBatch(join(dir, 'odd'), { labId: 'exercise-1' }));
    expect(error.message).toBe(`no submissions in ${join(dir, 'odd')}`);
    expect(error.hint).toContain('put one folder, .zip, .tar.gz or .tgz per student in it');
    expect(error.hint).toContain('--from');
    expect(error.details).toEqual(['not submissions: grades.pdf']);
  });

  it('a shape forced on an export that is not it, naming every entry', async () => {
    await writeTree(join(dir, 'plain'), { 'ada/producer.py': 'x' });
    const error = await usageError(discoverBatch(join(dir, 'plain'), { labId: 'exercise-1', from: 'canvas' }));
    expect(error.message).toContain('no Canvas submissions');
    expect(error.details).toEqual(["ada/: Canvas's download is flat: a folder in it is nobody's"]);
  });

  it('a zip of folders, which is read unzipped', async () => {
    await writeFile(join(dir, 'batch.zip'), await zipBuffer([{ name: 'ada/producer.py', data: 'x' }]));
    const error = await usageError(discoverBatch(join(dir, 'batch.zip'), { labId: 'exercise-1' }));
    expect(error.hint).toContain('unzip it');
  });

  it('two submitters who are the same student', async () => {
    const path = await gradescopeExport(dir, [
      { id: 1, submitters: [{ name: 'A', sid: 'S1' }], files: { 'p.py': 'x' } },
      { id: 2, submitters: [{ name: 'A again', sid: 's1' }], files: { 'p.py': 'y' } },
    ]);
    const error = await usageError(discoverBatch(path, { labId: 'exercise-1' }));
    expect(error.message).toContain('are the same student');
  });
});
