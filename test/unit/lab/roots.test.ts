import { describe, expect, it } from 'vitest';
import { join, relative } from 'node:path';
import { isShippedLab } from '../../../runner/lab/roots.js';
import { shippedLabsRoot } from '../../../runner/paths.js';
import { tempRoot } from './fixture.js';

describe('isShippedLab', () => {
  it("is true for a lab folder of the package's own labs/, however the path is spelt", () => {
    expect(isShippedLab(join(shippedLabsRoot, 'exercise-1'))).toBe(true);
    expect(isShippedLab(relative(process.cwd(), join(shippedLabsRoot, 'exercise-1')) || '.')).toBe(true);
  });

  it("is false for a course's own lab, even of a shipped lab's id", async () => {
    const course = await tempRoot();
    expect(isShippedLab(join(course, 'labs', 'exercise-1'))).toBe(false);
    expect(isShippedLab(shippedLabsRoot)).toBe(false);
  });
});
