/**
 * `labs grade` as an instructor runs it the night before grades are due, against the real engine:
 * a folder of correct, buggy and hostile submissions (folders, zips, tar.gz) graded in parallel,
 * each hostile one contained and graded while the others keep their correct verdicts; the outputs;
 * a rerun that resumes; nothing left behind; the grading host unreachable from student code.
 */
import { createServer, type Server } from 'node:net';
import { cp, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { pack } from 'tar-stream';
import yazl from 'yazl';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, labs, leftBy, nothing, repoRoot, scriptArgs, sweep, tempDir } from '../helpers/labs.js';

const solution = join(repoRoot, 'templates', 'exercise-1', 'solution');
const fixtures = join(repoRoot, 'test', 'fixtures', 'submissions');
const probePort = 48199;

interface Row {
  student: string;
  total: string;
  status: string;
  [check: string]: string;
}

function parseCsv(text: string): Row[] {
  const [header, ...lines] = text.trimEnd().split('\n');
  const keys = header!.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [keys[i], v])) as Row);
}

async function solutionFiles(): Promise<Record<string, Buffer>> {
  const files: Record<string, Buffer> = {};
  for (const name of await readdir(solution)) files[name] = await readFile(join(solution, name));
  return files;
}

/** `root`/subs/<student> for each student: a copy of `from` (the exercise-1 solution by default). */
async function submissionsOf(root: string, students: string[], from = solution): Promise<void> {
  for (const student of students) {
    await mkdir(join(root, 'subs', student), { recursive: true });
    await cp(from, join(root, 'subs', student), { recursive: true });
  }
}

/** A zip; names with `..` are written as a same-length stand-in and patched in, as yazl refuses them. */
async function zipFile(file: string, entries: Record<string, Buffer>): Promise<void> {
  const zip = new yazl.ZipFile();
  const patches: [string, string][] = [];
  for (const [name, data] of Object.entries(entries)) {
    const safe = name.replace(/\.\./g, 'xx');
    if (safe !== name) patches.push([safe, name]);
    zip.addBuffer(data, safe);
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  let bytes = Buffer.concat(chunks);
  for (const [safe, name] of patches) bytes = Buffer.from(bytes.toString('latin1').split(safe).join(name), 'latin1');
  await writeFile(file, bytes);
}

async function tarGz(file: string, entries: { name: string; data?: Buffer; linkname?: string }[]): Promise<void> {
  const archive = pack();
  for (const e of entries) {
    if (e.linkname) archive.entry({ name: e.name, type: 'symlink', linkname: e.linkname });
    else archive.entry({ name: e.name }, e.data!);
  }
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive.pipe(createGzip())) chunks.push(chunk as Buffer);
  await writeFile(file, Buffer.concat(chunks));
}

describe('labs grade exercise-1 over correct, buggy and hostile submissions', () => {
  let root: string;
  let subs: string;
  let out: string;
  let server: Server;
  let probes = 0;
  let first: Awaited<ReturnType<typeof labs>>;
  let firstPid: number | undefined;

  beforeAll(async () => {
    root = await tempDir('labs-grade-');
    subs = join(root, 'submissions');
    out = join(root, 'results');
    await mkdir(subs);
    server = createServer((socket) => {
      probes += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(probePort, '0.0.0.0', resolve));

    const good = await solutionFiles();
    // Correct, as a folder (inside a single top folder) and as a zip.
    await mkdir(join(subs, 'alice', 'alice-exercise-1'), { recursive: true });
    await cp(solution, join(subs, 'alice', 'alice-exercise-1'), { recursive: true });
    await zipFile(join(subs, 'bob.zip'), good);
    // Buggy: the producer reverses the order.
    await mkdir(join(subs, 'carol'));
    await cp(solution, join(subs, 'carol'), { recursive: true });
    await writeFile(
      join(subs, 'carol', 'producer.py'),
      (await readFile(join(solution, 'producer.py'), 'utf8')).replace('sys.argv[1:]', 'reversed(sys.argv[1:])'),
    );
    // Hostile programs, one per submission folder.
    for (const name of await readdir(fixtures)) {
      const match = /^(.+)\.(consumer|producer)\.py$/.exec(name);
      if (!match) continue;
      const dir = join(subs, match[1]!);
      await mkdir(dir);
      await cp(solution, dir, { recursive: true });
      await cp(join(fixtures, name), join(dir, `${match[2]}.py`));
    }
    // Hostile archives: a path escaping the folder, a symlink pointing out, a zip bomb.
    await zipFile(join(subs, 'zip-slip.zip'), { ...good, '../../escaped.py': Buffer.from('print("out")\n') });
    await tarGz(join(subs, 'symlink-out.tar.gz'), [
      { name: 'producer.py', data: good['producer.py'] },
      { name: 'consumer.py', linkname: '/etc/passwd' },
    ]);
    await zipFile(join(subs, 'zip-bomb.zip'), { ...good, 'bomb.bin': Buffer.alloc(100 * 1024 * 1024) });
    // Litter an instructor's download folder has.
    await mkdir(join(subs, '__MACOSX'));
    await writeFile(join(subs, '.DS_Store'), 'x');

    const run = labs(['grade', 'exercise-1', subs, '--out', out, '-j', '3'], { cwd: root, timeout: 900_000 });
    firstPid = run.pid;
    first = await run;
  }, 900_000);

  afterAll(async () => {
    server.close();
    await sweep(root);
  });

  it('grades every submission and exits 0', () => {
    expect(first.exitCode, String(first.stderr)).toBe(0);
    expect(first.stdout).toMatch(/✓ 16 result\(s\) in .*: gradebook\.csv, results\.jsonl, feedback\/, report\.html/);
    expect(first.stderr).toMatch(/^16 submission\(s\): 16 to grade, 0 already graded \(unchanged\)$/m);
  });

  it('the gradebook: one row per student, sorted, the checks in lab order', async () => {
    const text = await readFile(join(out, 'gradebook.csv'), 'utf8');
    expect(text.split('\n')[0]).toBe('student,total,max,producer-puts-arguments,delivery-one-consumer,latency-new-message,blocking-when-idle,status');
    const rows = parseCsv(text);
    expect(rows.map((r) => r.student)).toEqual([...rows.map((r) => r.student)].sort());
    expect(rows).toHaveLength(16);
    expect(rows.every((r) => r.status === 'graded')).toBe(true);
  });

  it('correct submissions keep full marks next to hostile ones; the buggy one loses exactly its check', async () => {
    const rows = Object.fromEntries(parseCsv(await readFile(join(out, 'gradebook.csv'), 'utf8')).map((r) => [r.student, r]));
    for (const student of ['alice', 'bob', 'kills-pid-1', 'zip-slip', 'zip-bomb', 'disk-fill', 'reaches-host'])
      expect(rows[student]!.total, student).toBe('10');
    expect(rows.carol).toMatchObject({ total: '8', 'producer-puts-arguments': '0' });
  });

  it('hostile consumers are contained and fail what they break, with the producer still credited', async () => {
    const rows = Object.fromEntries(parseCsv(await readFile(join(out, 'gradebook.csv'), 'utf8')).map((r) => [r.student, r]));
    for (const student of ['fork-bomb', 'memory-hog', 'flush-everything', 'guessed-ids', 'ignores-sigterm', 'symlink-out']) {
      expect(rows[student], student).toMatchObject({ 'producer-puts-arguments': '2', 'delivery-one-consumer': '0', status: 'graded' });
    }
    expect(rows['endless-loop']).toMatchObject({ 'producer-puts-arguments': '0', 'delivery-one-consumer': '4' });
    expect(rows['output-flood']!.status).toBe('graded');
    const memory = await readFile(join(out, 'feedback', 'memory-hog.md'), 'utf8');
    expect(memory).toMatch(/ran out of memory and was killed/);
  });

  it('hostile archives are graded from what is safe, with warnings in the feedback', async () => {
    expect(await readFile(join(out, 'feedback', 'zip-slip.md'), 'utf8')).toMatch(
      /^- "\.\.\/\.\.\/escaped\.py" was not graded: its path leads outside the submission \(\.\.\)$/m,
    );
    expect(await readFile(join(out, 'feedback', 'symlink-out.md'), 'utf8')).toMatch(
      /^- consumer\.py was not graded: it is a symbolic link, and links are not followed$/m,
    );
    expect(await readFile(join(out, 'feedback', 'zip-bomb.md'), 'utf8')).toMatch(
      /^- bomb\.bin \(100 MiB\) was not graded: it expands more than 200:1 from [\d.]+ KiB, a zip bomb$/m,
    );
    const escaped = await readdir(root);
    expect(escaped).not.toContain('escaped.py');
  });

  it('results.jsonl has one line per submission, feedback .md and .json per student, and the HTML report', async () => {
    const lines = (await readFile(join(out, 'results.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { student: string; report?: { lab: string } });
    expect(lines).toHaveLength(16);
    expect(new Set(lines.map((l) => l.student)).size).toBe(16);
    const feedback = await readdir(join(out, 'feedback'));
    expect(feedback.filter((f) => f.endsWith('.md'))).toHaveLength(16);
    const alice = JSON.parse(await readFile(join(out, 'feedback', 'alice.json'), 'utf8')) as { lab: string; score: number; checks: unknown[] };
    expect(alice).toMatchObject({ lab: 'exercise-1', score: 10, maxScore: 10 });
    expect(alice.checks).toHaveLength(4);
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain('fork-bomb');
    expect(html).not.toMatch(/<script/i);
  });

  it('student code never reached the grading host, and nothing is left behind', async () => {
    expect(probes).toBe(0);
    expect(await leftBy(firstPid)).toEqual(nothing);
  });

  it('a rerun resumes: nothing is graded again unless a submission changed', async () => {
    await writeFile(join(subs, 'carol', 'producer.py'), await readFile(join(solution, 'producer.py')));
    const again = await labs(['grade', 'exercise-1', subs, '--out', out], { cwd: root, timeout: 300_000 });
    expect(again.exitCode, String(again.stderr)).toBe(0);
    expect(again.stderr).toMatch(/^16 submission\(s\): 1 to grade, 15 already graded \(unchanged\)$/m);
    const rows = Object.fromEntries(parseCsv(await readFile(join(out, 'gradebook.csv'), 'utf8')).map((r) => [r.student, r]));
    expect(rows.carol!.total).toBe('10');
  });
});

describe('Ctrl-C during labs grade', () => {
  let root: string;
  afterAll(async () => sweep(root));

  it('stops gracefully: finished results kept, containers removed, exit 130; the next run grades the rest', async () => {
    root = await tempDir('labs-grade-int-');
    await submissionsOf(root, ['s1', 's2', 's3']);
    const run = execa('node', [bin, 'grade', 'exercise-1', 'subs', '--out', 'out', '-j', '1'], { cwd: root, reject: false, env: { NO_COLOR: '1' } });
    let log = '';
    run.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    await expect.poll(() => log, { timeout: 120_000, interval: 100 }).toMatch(/\[1\/3\] s1 10\/10/);
    run.kill('SIGINT');
    const result = await run;
    expect(result.exitCode).toBe(130);
    expect(result.stdout).toMatch(/^interrupted: \d result\(s\) in /m);
    const lines = (await readFile(join(root, 'out', 'results.jsonl'), 'utf8')).trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThan(3);
    expect(await leftBy(run.pid)).toEqual(nothing);
    const resumed = await labs(['grade', 'exercise-1', 'subs', '--out', 'out'], { cwd: root, timeout: 300_000 });
    expect(resumed.exitCode, String(resumed.stderr)).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`^3 submission\\(s\\): ${3 - lines.length} to grade, ${lines.length} already graded`, 'm'));
  });
});

describe('a submission that takes longer than its time', () => {
  let root: string;
  afterAll(async () => sweep(root));

  it('is recorded as timeout, not as a grade: empty cells, exit 3; a rerun tries it again', async () => {
    root = await tempDir('labs-grade-timeout-');
    await submissionsOf(root, ['slow']);
    const run = labs(['grade', 'exercise-1', 'subs', '--out', 'out', '--timeout', '3'], { cwd: root, timeout: 120_000 });
    const result = await run;
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toMatch(/graded 0 \(0 unchanged since the last run\), infra-error 0, timeout 1/);
    expect(result.stdout).toMatch(/run the same command again to retry/);
    const csv = await readFile(join(root, 'out', 'gradebook.csv'), 'utf8');
    expect(csv.trimEnd().split('\n')[1]).toBe('slow,,10,,,,,timeout');
    expect(await readFile(join(root, 'out', 'feedback', 'slow.md'), 'utf8')).toMatch(/not a grade/i);
    expect(await leftBy(run.pid)).toEqual(nothing);
    const again = await labs(['grade', 'exercise-1', 'subs', '--out', 'out'], { cwd: root, timeout: 300_000 });
    expect(again.stderr).toMatch(/^1 submission\(s\): 1 to grade, 0 already graded/m);
    expect(again.exitCode).toBe(0);
  });
});

describe('a submission the engine cannot grade (an image that is not there)', () => {
  let root: string;
  afterAll(async () => sweep(root));

  it('is tried again, then recorded as infra-error with why, never as a zero; its neighbour is graded; a rerun tries it again', async () => {
    root = await tempDir('labs-grade-infra-');
    const solution2 = join(repoRoot, 'templates', 'exercise-2', 'solution');
    await submissionsOf(root, ['good', 'noimage'], solution2);
    const compose = join(root, 'subs', 'noimage', 'docker-compose.yml');
    await writeFile(compose, (await readFile(compose, 'utf8')).replace(/(python1:\s*\n\s*image:) python:3\.10/, '$1 python:3.10-no-such-tag'));

    const run = labs(['grade', 'exercise-2', 'subs', '--out', 'out', '-j', '2'], { cwd: root, timeout: 300_000 });
    const result = await run;
    expect(result.exitCode, String(result.stderr)).toBe(3);
    expect(result.stdout).toMatch(/graded 1 \(0 unchanged since the last run\), infra-error 1, timeout 0/);
    const rows = Object.fromEntries(parseCsv(await readFile(join(root, 'out', 'gradebook.csv'), 'utf8')).map((r) => [r.student, r]));
    expect(rows.good).toMatchObject({ total: '10', status: 'graded' });
    // Not a zero: every score of the row is empty.
    expect(
      Object.entries(rows.noimage!)
        .filter(([k]) => !['student', 'max', 'status'].includes(k))
        .every(([, v]) => v === ''),
    ).toBe(true);
    expect(rows.noimage!.status).toBe('infra-error');
    const line = (await readFile(join(root, 'out', 'results.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { student: string; attempts: number; error?: string })
      .find((l) => l.student === 'noimage')!;
    expect(line.attempts).toBe(3);
    expect(line.error).toMatch(/python:3\.10-no-such-tag/);
    expect(await readFile(join(root, 'out', 'feedback', 'noimage.md'), 'utf8')).toMatch(/not a grade/i);
    expect(await leftBy(run.pid)).toEqual(nothing);

    const again = await labs(['grade', 'exercise-2', 'subs', '--out', 'out', '-j', '2'], { cwd: root, timeout: 300_000 });
    expect(again.stderr).toMatch(/^2 submission\(s\): 1 to grade, 1 already graded/m);
    expect(again.exitCode).toBe(3);
  }, 600_000);
});

describe('the progress display', () => {
  let root: string;
  afterAll(async () => sweep(root));

  it('is a live line (done/total, passing, ETA, what is being graded) on a terminal, and plain lines elsewhere', async () => {
    root = await tempDir('labs-grade-progress-');
    await submissionsOf(root, ['ann', 'ben', 'cat']);
    // On a terminal (script gives the command one).
    const tty = await execa('script', scriptArgs(['grade', 'exercise-1', 'subs', '--out', 'out', '-j', '2']), {
      cwd: root,
      reject: false,
      timeout: 300_000,
      env: { TERM: 'xterm', NO_COLOR: '1' },
    });
    expect(tty.exitCode, tty.stdout).toBe(0);
    const redraws = tty.stdout.split('\r\u001b[K').filter((part) => part.startsWith('['));
    expect(redraws[0]).toMatch(/^\[0\/3\] passing 0 · ETA … · grading (ann|ben|cat)/);
    expect(redraws.some((r) => /^\[1\/3\] passing 1 · ETA (\d+m)?\d+s · grading /.test(r))).toBe(true);
    expect(tty.stdout).toMatch(/\[3\/3\] (ann|ben|cat) 10\/10 \(/);
    expect(tty.stdout).toMatch(/✓ 3 result\(s\) in /);
    // Not on a terminal: one plain line per submission, nothing redrawn.
    const plain = await execa('node', [bin, 'grade', 'exercise-1', 'subs', '--out', 'out2', '-j', '2'], {
      cwd: root,
      reject: false,
      timeout: 300_000,
      env: { NO_COLOR: '1' },
    });
    expect(plain.exitCode).toBe(0);
    expect(plain.stderr).not.toContain('\r');
    expect(plain.stderr.split('\n').filter((l) => /^ {2}\[\d\/3\] \w+ 10\/10 \(\d+\.\d s\)$/.test(l))).toHaveLength(3);
  }, 600_000);
});

describe('a submission whose compose file is not valid YAML (a tab)', () => {
  let root: string;
  afterAll(async () => sweep(root));

  it('is graded 0 with the words labs check prints, naming docker-compose.yml:5:1, never the grader’s temporary folder', async () => {
    root = await tempDir('labs-grade-tab-');
    await submissionsOf(root, ['tabby'], join(repoRoot, 'templates', 'exercise-2', 'solution'));
    const compose = join(root, 'subs', 'tabby', 'docker-compose.yml');
    await writeFile(compose, (await readFile(compose, 'utf8')).replace('\n  redis-db:\n', '\n\tredis-db:\n'));

    const result = await labs(['grade', 'exercise-2', 'subs', '--out', 'out', '-j', '1'], { cwd: root });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(parseCsv(await readFile(join(root, 'out', 'gradebook.csv'), 'utf8'))[0]).toMatchObject({ student: 'tabby', total: '0', status: 'graded' });
    const markdown = await readFile(join(root, 'out', 'feedback', 'tabby.md'), 'utf8');
    const json = await readFile(join(root, 'out', 'feedback', 'tabby.json'), 'utf8');
    const html = await readFile(join(root, 'out', 'report.html'), 'utf8');
    for (const text of [markdown, json, html]) {
      expect(text).toMatch(/docker-compose\.yml:5:1: Tabs are not allowed as indentation/);
      expect(text).not.toMatch(/labs-grade-tabby|--dir \//);
    }
    for (const text of [markdown, json]) expect(text).not.toContain('/tmp/');

    // One path for both: labs check of the same folder says the same words.
    const check = await labs(['check', 'exercise-2', join(root, 'subs', 'tabby'), '--json'], { cwd: root });
    const words = (report: string): unknown =>
      (JSON.parse(report) as { checks: { summary: string; hint: string; details: string[] }[] }).checks.map((c) => [c.summary, c.hint, c.details]);
    expect(check.exitCode).toBe(1);
    expect(words(json)).toEqual(words(String(check.stdout)));
  });
});
