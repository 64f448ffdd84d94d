/**
 * Every lab's reference solution scores full marks and every known-bad variant fails exactly the
 * check kinds it declares: the checks can fail, and fail for the right reason.
 */
import { describe, expect, it } from 'vitest';
import { labs, repoRoot } from '../helpers/labs.js';

describe('labs selftest', () => {
  for (const lab of ['exercise-1', 'exercise-1-node', 'exercise-2', 'exercise-3']) {
    it(`${lab}: the solution passes and every variant fails as declared`, async () => {
      const result = await labs(['selftest', lab], { cwd: repoRoot, timeout: 1_200_000 });
      expect(result.exitCode, String(result.stdout)).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^✓ ${lab} solution: the reference solution\\n {4}(\\d+)/\\1 points$`, 'm'));
      expect(result.stdout).toMatch(/^all \d+ cases as declared$/m);
    }, 1_200_000);
  }
});
