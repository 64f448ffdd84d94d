/**
 * A submission cannot read the previous one's files or output out of the memory its runs start with
 * (issue 15). The container's supervisor (run/supervisor.py) has held every reset command it was
 * sent (each submission's files, in base64) and every chunk of output it relayed; a run of a Python
 * script is a fork of its fork server, which never held any. `labs grade -j 1` over a control, a
 * classmate and a scanner (test/fixtures/reuse/memory-scan.py), in that order in one slot: the
 * scanner looks through its own writable memory for the classmate's secrets (one in a file, one it
 * printed) and fails its producer check when it finds one.
 * The control scans for a secret in its own producer.py, which a run has in memory: it must find
 * it, or the scanner could pass for nothing.
 */
import { randomBytes } from 'node:crypto';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labs, repoRoot, sweep, tempDir } from '../helpers/labs.js';

const solution = join(repoRoot, 'templates', 'exercise-1', 'solution');

/** Python bytes literals of (head, tail) pairs that match `secret`, raw and in base64 at each of the 3 alignments. */
function pieces(secret: string): string {
  const pairs: [string, string][] = [];
  const raw = Buffer.from(secret);
  pairs.push([raw.subarray(0, 8).toString('latin1'), raw.subarray(8).toString('latin1')]);
  for (let pad = 0; pad < 3; pad += 1) {
    // The characters that depend only on the secret's own bytes, whatever comes before and after.
    const encoded = Buffer.concat([Buffer.alloc(pad, 'x'), raw]).toString('base64');
    const inner = encoded.slice(pad ? 4 : 0, -4);
    pairs.push([inner.slice(0, 8), inner.slice(8)]);
  }
  return `_PIECES = [${pairs.map(([h, t]) => `(b'${h}', b'${t}')`).join(', ')}]\n`;
}

interface ResultLine {
  student: string;
  status: string;
  report?: { score: number; maxScore: number };
}

describe('labs grade -j 1: a run cannot read the previous submission out of its memory', () => {
  let root: string;
  let results: ResultLine[];
  let feedback: Record<string, string>;

  beforeAll(async () => {
    root = await tempDir('labs-reuse-memory-');
    const own = `OWN-SECRET-${randomBytes(8).toString('hex')}`;
    const classmates = `CLASSMATE-SECRET-${randomBytes(8).toString('hex')}`;
    const printed = `PRINTED-SECRET-${randomBytes(8).toString('hex')}`;
    const [scanner, producer] = await Promise.all([
      readFile(join(repoRoot, 'test', 'fixtures', 'reuse', 'memory-scan.py'), 'utf8'),
      readFile(join(solution, 'producer.py'), 'utf8'),
    ]);
    const subs = join(root, 'subs');
    const write = async (student: string, text: string): Promise<void> => {
      await mkdir(join(subs, student), { recursive: true });
      await cp(solution, join(subs, student), { recursive: true });
      await writeFile(join(subs, student, 'producer.py'), text);
    };
    await write('01-control', `${scanner.replace('_PIECES = []', pieces(own))}# ${own}\n${producer}`);
    // The secret it prints is split in its file, so that only its output holds it whole; printed
    // often, in writes of many sizes, it is in many of the chunks the supervisor relayed.
    const half = printed.length >> 1;
    const prints = `import sys as _s\nfor _i in range(400):\n    print('${printed.slice(0, half)}' + '${printed.slice(half)} ' * (_i % 7 + 1), file=_s.stderr)\n`;
    await write('02-classmate', `# ${classmates}: my own work\n${prints}${producer}`);
    await write('03-scanner', `${scanner.replace('_PIECES = []', pieces(classmates) + pieces(printed).replace('_PIECES = ', '_PIECES += '))}${producer}`);
    const run = await labs(['grade', 'exercise-1', 'subs', '--out', 'out', '-j', '1'], { cwd: root, timeout: 300_000 });
    expect(run.exitCode, String(run.stderr)).toBe(0);
    results = (await readFile(join(root, 'out', 'results.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as ResultLine);
    feedback = {};
    for (const { student } of results) feedback[student] = await readFile(join(root, 'out', 'feedback', `${student}.md`), 'utf8');
  }, 300_000);

  afterAll(async () => {
    if (root) await sweep(root);
  });

  it('the control finds the secret of its own file in its memory', () => {
    expect(feedback['01-control']).toContain('LEAK');
  });

  it("the classmate is graded 10/10, and the next submission finds nothing of the classmate's files", () => {
    expect(results.find((r) => r.student === '02-classmate')?.report?.score).toBe(10);
    expect(feedback['03-scanner']).not.toContain('LEAK');
    expect(results.find((r) => r.student === '03-scanner')?.report).toMatchObject({ score: 10, maxScore: 10 });
  });
});
