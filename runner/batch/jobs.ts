import { availableParallelism } from 'node:os';

/**
 * Submissions graded at once when the instructor does not say: a check mostly waits (for Redis, for
 * a consumer, through deliberate idle times), so four per core keep the machine busy. Measured on 2
 * cores (exercise-2, 100 submissions): at -j 10 the machine is CPU-bound, about 13 a minute.
 */
export function defaultJobs(cores = availableParallelism()): number {
  return Math.max(2, Math.min(16, cores * 4));
}
