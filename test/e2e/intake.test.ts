/**
 * One intake for `labs check` and `labs grade`, against the real engine: a file the scripts need
 * that is over the old 1 MiB limit of `labs check` but within the 5 MiB both commands now take is
 * graded present, whether the batch got it in a folder or a zip (a regression: grade's intake took
 * it, wrote it out, and the session re-read the folder with check's own 1 MiB limit, so the file
 * vanished without a word and the consumer crashed); a file over 5 MiB is left out and named, in the
 * terminal, `--json`, and a batch's feedback .md, .json and report.
 */
import { randomBytes } from 'node:crypto';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import yazl from 'yazl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labs, repoRoot, sweep, tempDir } from '../helpers/labs.js';

const solution = join(repoRoot, 'templates', 'exercise-1', 'solution');
const MiB = 1024 * 1024;
const dropped = /^huge\.bin \(6 MiB\) was not graded: files over 5 MiB are left out$/;

/**
 * A Python module of about 2 MiB (random hex, so a zip of it is an honest 2:1, not a bomb) and a
 * script that cannot start without it.
 */
function largeModule(): Buffer {
  return Buffer.from(`TABLE = "${randomBytes(MiB).toString('hex')}"\n`);
}

async function needsModule(file: string): Promise<Buffer> {
  const source = await readFile(join(solution, file), 'utf8');
  return Buffer.from(
    source.replace('from hotqueue import HotQueue', 'from hotqueue import HotQueue\nfrom table import TABLE\n\nassert len(TABLE) == 2 * 1024 * 1024'),
  );
}

async function zipOf(file: string, entries: Record<string, Buffer>): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const [name, data] of Object.entries(entries)) zip.addBuffer(data, name);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  await writeFile(file, Buffer.concat(chunks));
}

describe('labs grade: a 2 MiB module the scripts import (a regression)', () => {
  let root: string;
  let out: string;
  let run: Awaited<ReturnType<typeof labs>>;

  beforeAll(async () => {
    root = await tempDir('labs-intake-grade-');
    const subs = join(root, 'subs');
    out = join(root, 'out');
    const files: Record<string, Buffer> = {
      'producer.py': await needsModule('producer.py'),
      'consumer.py': await needsModule('consumer.py'),
      'table.py': largeModule(),
      'huge.bin': randomBytes(6 * MiB),
    };
    await mkdir(join(subs, 'folder'), { recursive: true });
    for (const [name, data] of Object.entries(files)) await writeFile(join(subs, 'folder', name), data);
    await zipOf(join(subs, 'zipped.zip'), files);
    run = await labs(['grade', 'exercise-1', 'subs', '--out', 'out', '-j', '2'], { cwd: root, timeout: 600_000 });
  }, 600_000);

  afterAll(async () => sweep(root));

  it('grades both with the module present: full marks, exit 0', async () => {
    expect(run.exitCode, String(run.stdout) + String(run.stderr)).toBe(0);
    const csv = (await readFile(join(out, 'gradebook.csv'), 'utf8')).trim().split('\n');
    expect(csv.slice(1)).toEqual(['folder,10,10,2,4,2,2,graded', 'zipped,10,10,2,4,2,2,graded']);
  });

  it('names the file it left out in the feedback .md, the .json and the report', async () => {
    for (const student of ['folder', 'zipped']) {
      const md = await readFile(join(out, 'feedback', `${student}.md`), 'utf8');
      expect(md).toMatch(/^## Notes on your submission\n\n- huge\.bin \(6 MiB\) was not graded: files over 5 MiB are left out$/m);
      const json = JSON.parse(await readFile(join(out, 'feedback', `${student}.json`), 'utf8')) as { score: number; warnings: string[] };
      expect(json.score).toBe(10);
      expect(json.warnings).toEqual([expect.stringMatching(dropped)]);
    }
    expect(await readFile(join(out, 'report.html'), 'utf8')).toContain('huge.bin (6 MiB) was not graded: files over 5 MiB are left out');
  });
});

describe('labs check of a folder with a 2 MiB module and a 6 MiB file', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await tempDir('labs-intake-check-');
    await cp(solution, dir, { recursive: true });
    await writeFile(join(dir, 'producer.py'), await needsModule('producer.py'));
    await writeFile(join(dir, 'table.py'), largeModule());
    await writeFile(join(dir, 'huge.bin'), randomBytes(6 * MiB));
  });

  afterAll(async () => sweep(dir));

  it('--json: the producer runs with its module, and the file left out is named', async () => {
    const result = await labs(['check', 'exercise-1', dir, '--only', 'producer-puts-arguments', '--json'], { cwd: dir });
    const report = JSON.parse(String(result.stdout)) as { score: number; warnings: string[] };
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(report.score).toBe(2);
    expect(report.warnings).toEqual([expect.stringMatching(dropped)]);
  });

  it('the terminal names it too', async () => {
    const result = await labs(['check', 'exercise-1', dir, '--only', 'producer-puts-arguments'], { cwd: dir });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(result.stdout).toMatch(/^Notes on your submission:\n {2}huge\.bin \(6 MiB\) was not graded: files over 5 MiB are left out$/m);
  });
});
