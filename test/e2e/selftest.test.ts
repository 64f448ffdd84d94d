/**
 * Every lab's reference solution scores full marks and every known-bad variant fails exactly the
 * check kinds it declares: the checks can fail, and fail for the right reason. One `labs selftest`
 * of every lab, its cases checked concurrently (the default -j), read per lab; its output is in
 * case order whatever the timing.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Result } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { labs, repoRoot } from '../helpers/labs.js';

const shipped = ['exercise-1', 'exercise-1-node', 'exercise-2', 'exercise-3', 'jobs-api'];

/** The cases of a lab in the order selftest takes them: the solution, then the variants by name. */
async function casesOf(lab: string): Promise<string[]> {
  const variants = (await readdir(join(repoRoot, 'templates', lab, 'variants'), { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  return ['solution', ...variants.sort()];
}

describe('labs selftest of every lab', () => {
  let result: Result;
  let headLines: string[];

  beforeAll(async () => {
    result = await labs(['selftest'], { cwd: repoRoot, timeout: 1_200_000 });
    headLines = String(result.stdout)
      .split('\n')
      .filter((l) => /^[✓✗] /.test(l));
  }, 1_200_000);

  it('passes: exit 0, every case as declared, one line per case in case order', async () => {
    expect(result.exitCode, String(result.stdout) + String(result.stderr)).toBe(0);
    const expected = (await Promise.all(shipped.map(async (lab) => (await casesOf(lab)).map((name) => `${lab} ${name}`)))).flat();
    expect(headLines.map((l) => /^. (\S+ \S+):/.exec(l)![1])).toEqual(expected);
    expect(result.stdout).toMatch(new RegExp(`^all ${expected.length} cases as declared$`, 'm'));
  });

  for (const lab of shipped) {
    it(`${lab}: the solution passes and every variant fails as declared`, async () => {
      expect(result.stdout).toMatch(new RegExp(`^✓ ${lab} solution: the reference solution\\n {4}(\\d+)/\\1 points$`, 'm'));
      const mine = headLines.filter((l) => l.startsWith(`✓ ${lab} `) || l.startsWith(`✗ ${lab} `));
      expect(mine).toHaveLength((await casesOf(lab)).length);
      expect(
        mine.filter((l) => !l.startsWith('✓')),
        String(result.stdout),
      ).toEqual([]);
    });
  }
});
