import { availableParallelism } from 'node:os';
import { LabsError } from '../errors.js';

/**
 * Submissions graded at once when the instructor does not say: a check mostly waits (for Redis, for
 * a consumer, through deliberate idle times), so ten per core keep the machine busy. Measured on 2
 * cores (exercise-2, 100 submissions, a third of them buggy): 30.2 to 31.7 a minute at -j 20 (the
 * benchmark), 31.0 at -j 20 and 32.1 at -j 24 in verified batches, every verdict as expected, the CPU
 * 95 to 100% busy once all are under way. At most
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
