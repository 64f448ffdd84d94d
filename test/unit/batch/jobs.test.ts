import { describe, expect, it } from 'vitest';
import { defaultJobs } from '../../../runner/batch/jobs.js';

describe('defaultJobs', () => {
  it('grades ten submissions per core at once, at least 2 and at most 24', () => {
    expect(defaultJobs(1)).toBe(10);
    expect(defaultJobs(2)).toBe(20);
    expect(defaultJobs(3)).toBe(24);
    expect(defaultJobs(64)).toBe(24);
    expect(defaultJobs(0)).toBe(2);
  });
});
