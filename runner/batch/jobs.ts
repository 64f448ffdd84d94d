import { availableParallelism } from 'node:os';
import { LabsError } from '../errors.js';

/**
 * Submissions graded at once when the instructor does not say: a check mostly waits (for Redis, for
 * a consumer, through deliberate idle times), so ten per core keep the machine busy. Measured on 2
 * cores (exercise-2, 100 submissions, a third of them buggy): 24.9 a minute at -j 16, 26.8 to 27.3
 * at -j 20 with the CPU about 90% busy once all are under way, every verdict as expected. At most
 * 24: each session takes one of the engine's 31 network address ranges (see session-networks.ts).
 */
export function defaultJobs(cores = availableParallelism()): number {
  return Math.max(2, Math.min(24, cores * 10));
}

/** The -j of `labs grade` and `labs worker`: a whole number from 1 to 64, or the default. */
export function jobsFlag(value: number | undefined): number {
  const jobs = value ?? defaultJobs();
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) throw new LabsError('USAGE', `-j takes a whole number from 1 to 64, not "${value}"`);
  return jobs;
}
