import { describe, expect, it } from 'vitest';
import { defaultJobs, defaultSelftestJobs, jobsFlag } from '../../../runner/batch/concurrency.js';

describe('defaultJobs', () => {
  it('grades ten submissions per core at once, at least 2 and at most 24', () => {
    expect(defaultJobs(1)).toBe(10);
    expect(defaultJobs(2)).toBe(20);
    expect(defaultJobs(3)).toBe(24);
    expect(defaultJobs(64)).toBe(24);
    expect(defaultJobs(0)).toBe(2);
  });
});

describe('defaultSelftestJobs', () => {
  it('checks two selftest cases per core at once, at least 2 and at most 8', () => {
    expect(defaultSelftestJobs(1)).toBe(2);
    expect(defaultSelftestJobs(2)).toBe(4);
    expect(defaultSelftestJobs(16)).toBe(8);
  });
});

describe('jobsFlag', () => {
  it('takes a whole number from 1 to 64, or the default given', () => {
    expect(jobsFlag(3, 4)).toBe(3);
    expect(jobsFlag(undefined, 4)).toBe(4);
    expect(() => jobsFlag(0, 4)).toThrow(/-j takes a whole number from 1 to 64/);
    expect(() => jobsFlag(Number('x'), 4)).toThrow(/-j takes a whole number/);
  });
});
