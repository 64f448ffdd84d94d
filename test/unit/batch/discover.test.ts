import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverSubmissions } from '../../../runner/batch/discover.js';
import { tempDir, writeTree } from '../intake/build.js';
import { usageError } from '../usage-error.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

describe('discoverSubmissions', () => {
  it('finds one student per folder, .zip, .tar.gz and .tgz, sorted by id', async () => {
    await writeTree(dir, { 'carol/producer.py': '', 'alice.zip': 'x', 'bob.tar.gz': 'x', 'dave.TGZ': 'x', 'erin.smith/p.py': '' });
    const { submissions, skipped } = await discoverSubmissions(dir);
    expect(submissions).toEqual([
      { student: 'alice', source: join(dir, 'alice.zip'), kind: 'zip' },
      { student: 'bob', source: join(dir, 'bob.tar.gz'), kind: 'tar.gz' },
      { student: 'carol', source: join(dir, 'carol'), kind: 'folder' },
      { student: 'dave', source: join(dir, 'dave.TGZ'), kind: 'tar.gz' },
      { student: 'erin.smith', source: join(dir, 'erin.smith'), kind: 'folder' },
    ]);
    expect(skipped).toEqual([]);
  });

  it('ignores litter silently and lists other plain files as skipped', async () => {
    await writeTree(dir, {
      'alice/producer.py': '',
      '.DS_Store': '',
      'Thumbs.db': '',
      '__MACOSX/._alice.zip': '',
      '.hidden/x': '',
      '.bob.zip': '',
      'grades.pdf': '',
      'notes.txt': '',
      'bob.rar': '',
    });
    const { submissions, skipped } = await discoverSubmissions(dir);
    expect(submissions.map((s) => s.student)).toEqual(['alice']);
    expect(skipped).toEqual(['bob.rar', 'grades.pdf', 'notes.txt']);
  });

  it('skips a link that leads nowhere, lists it, and still finds the rest', async () => {
    await writeTree(dir, { 'alice/p.py': '' });
    await symlink(join(dir, 'missing'), join(dir, 'ghost'));
    expect(await discoverSubmissions(dir)).toMatchObject({ submissions: [{ student: 'alice' }], skipped: ['ghost'] });
  });

  it('refuses two entries for one student, naming both', async () => {
    await writeTree(dir, { 'alice/p.py': '', 'alice.zip': 'x', 'bob.zip': 'x' });
    const error = await usageError(discoverSubmissions(dir));
    expect(error.message).toBe(`alice.zip and alice/ are the same student "alice" in ${dir}`);
    expect(error.hint).toMatch(/exactly one folder or archive/);
  });

  it('counts ids differing only in case as the same student (their feedback files would collide)', async () => {
    await writeTree(dir, { 'Bob.tgz': 'x', 'bob.tar.gz': 'x' });
    const error = await usageError(discoverSubmissions(dir));
    expect(error.message).toContain('Bob.tgz and bob.tar.gz are the same student');
  });

  it('refuses ids that are not safe file names, naming them, and reports every problem at once', async () => {
    await writeTree(dir, { 'eve\u0007.zip': 'x', 'mal\\lory.zip': 'x', 'ok/p.py': '', 'alice/p.py': '', 'alice.tgz': 'x' });
    const error = await usageError(discoverSubmissions(dir));
    expect(error.message).toBe(`3 problems with the submissions in ${dir}`);
    expect(error.details).toEqual([
      '"eve\\u0007" (eve\u0007.zip): a student id cannot hold path separators or control characters',
      '"mal\\\\lory" (mal\\lory.zip): a student id cannot hold path separators or control characters',
      'alice.tgz and alice/ are the same student "alice"',
    ]);
  });

  it('says so when the folder is missing, not a folder, or holds no submission', async () => {
    const missing = await usageError(discoverSubmissions(join(dir, 'nope')));
    expect(missing.message).toBe(`the submissions folder ${join(dir, 'nope')} does not exist`);
    expect(missing.hint).toBe('pass a folder holding one folder, .zip, .tar.gz or .tgz per student');

    await writeFile(join(dir, 'file'), '');
    expect((await usageError(discoverSubmissions(join(dir, 'file')))).message).toContain('is not a folder');

    await mkdir(join(dir, 'empty'));
    await writeTree(join(dir, 'empty'), { 'readme.pdf': '', '.DS_Store': '' });
    const empty = await usageError(discoverSubmissions(join(dir, 'empty')));
    expect(empty.message).toBe(`no submissions in ${join(dir, 'empty')}`);
    expect(empty.hint).toBe('put one folder, .zip, .tar.gz or .tgz per student in it');
    expect(empty.details).toEqual(['not submissions: readme.pdf']);
  });
});
