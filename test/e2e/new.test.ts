/**
 * A course author's `labs new` as a process: asked on a terminal (a pty), refused without one, and
 * the new lab validates and passes its own selftest against the real engine at once.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labs, leftBy, nothing, onTerminal, tempDir } from '../helpers/labs.js';

describe('labs new', () => {
  it('without an id and without a terminal: a clear error naming what to pass, nothing written', async () => {
    const course = await tempDir();
    const result = await labs(['new'], { cwd: course });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      "labs: labs new needs the new lab's id: none was given and there is no terminal to ask on\n" +
        '  → run `labs new <id> [--from <lab>] [--title <text>] [--dir <course folder>]`',
    );
    const cache = { LABS_CACHE_DIR: join(course, '.cache') };
    expect((await labs(['list'], { cwd: course, env: cache })).stdout).not.toMatch(/\(labs\//);
    // A lab made since is listed: the cached list knows it read that no labs/ was there.
    expect((await labs(['new', 'queue-two'], { cwd: course })).exitCode).toBe(0);
    expect((await labs(['list'], { cwd: course, env: cache })).stdout).toMatch(/^queue-two +A new task-queue lab \(labs\/queue-two\)$/m);
  });

  it("a copy keeps its source's title only with a note saying what that mixes up, and --title gives it its own", async () => {
    const course = await tempDir();
    const kept = await labs(['new', 'ex9', '--from', 'exercise-1'], { cwd: course });
    expect(kept.exitCode, kept.stderr).toBe(0);
    expect(kept.stdout).toContain(
      '\nnote: ex9 has the title of exercise-1, "Exercise 1: a task queue with HotQueue\'s consume method": `labs list` shows the two alike, ' +
        "and `labs grade ex9 --canvas-gradebook` fills the gradebook's column named after it; give it its own with --title, or title: in labs/ex9/lab.yaml\n",
    );
    const own = await labs(['new', 'ex10', '--from', 'exercise-1', '--title', 'Exercise 10: one more queue'], { cwd: course });
    expect(own.exitCode, own.stderr).toBe(0);
    expect(own.stdout).not.toContain('note:');
  });

  it('on a terminal asks the id, what to start from and the title; the lab validates, lists and passes selftest', async () => {
    const course = await tempDir();
    const { child, shown } = onTerminal(['new'], { cwd: course });
    await shown(/Id of the new lab/);
    child.stdin!.write('Queue Basics\r');
    await shown(/cannot be a lab id/);
    // The invalid answer is edited away, then a valid one typed.
    child.stdin!.write('\u007f'.repeat(12) + 'queue-basics\r');
    await shown(/Start from:/);
    child.stdin!.write('\r'); // the first choice: the minimal lab
    await shown(/Title/);
    child.stdin!.write('Queue basics\r');
    await shown(/✓ queue-basics in \.:/);
    child.stdin!.end();
    expect((await child).exitCode).toBe(0);
    expect(await readFile(join(course, 'labs', 'queue-basics', 'lab.yaml'), 'utf8')).toMatch(/^title: Queue basics$/m);

    const validate = await labs(['validate'], { cwd: course });
    expect(validate.exitCode, validate.stderr).toBe(0);
    expect(validate.stdout).toMatch(/^✓ valid: queue-basics, exercise-1, /);
    expect((await labs(['list'], { cwd: course })).stdout).toMatch(/^queue-basics +Queue basics \(labs\/queue-basics\)$/m);

    const selftest = labs(['selftest', 'queue-basics'], { cwd: course, timeout: 300_000 });
    const result = await selftest;
    expect(result.exitCode, String(result.stdout) + String(result.stderr)).toBe(0);
    expect(result.stdout).toMatch(/^✓ queue-basics solution: the reference solution\n {4}6\/6 points$/m);
    expect(result.stdout).toMatch(/^✓ queue-basics consumer-exits-when-empty: .*\n {4}must fail delivery; failed delivery-one-consumer$/m);
    expect(result.stdout).toMatch(/^all 2 cases as declared$/m);
    expect(await leftBy(selftest.pid)).toEqual(nothing);
  }, 400_000);
});
