import { describe, expect, it } from 'vitest';
import { defaultJobs } from '../../../runner/batch/jobs.js';

describe('defaultJobs', () => {
  it('grades six submissions per core at once, at least 2 and at most 16', () => {
    expect(defaultJobs(1)).toBe(6);
    expect(defaultJobs(2)).toBe(12);
    expect(defaultJobs(3)).toBe(16);
    expect(defaultJobs(64)).toBe(16);
    expect(defaultJobs(0)).toBe(2);
  });
});
