/**
 * How many submissions (or selftest cases) run at once: the -j of `labs grade`, `labs worker` and
 * `labs selftest`. Named for concurrency: "jobs" are BullMQ's (batch/queue.ts) and the jobs-api lab's.
 */
import { availableParallelism } from 'node:os';
import { LabsError } from '../errors.js';

/**
 * Submissions graded at once when the instructor does not say: a check mostly waits (for Redis, for
 * a consumer, through deliberate idle times), so ten per core keep the machine busy. Measured on 2
 * cores (exercise-2, 100 submissions, a third of them buggy, every verdict as expected), with each
 * lane's containers kept between submissions, Redis in the slot's kept network namespace
 * (session/slot.ts) and runs forked by a fork server: 55.7 to 60.7 a minute at -j 20 (`npm run
 * bench -- grade`), against 55.9 at -j 14 and 59.1 at -j 16 in the same hour (61.8 to 65.6 at
 * -j 20 since a hard-coded address is refused at once, provision/firewall.ts); the cores are fully
 * busy while the queue holds submissions, so more lanes do not grade more (51.9 at -j 24 before the
 * fork server, against 53.5 at -j 20). At most 24:
 * each lane holds one of the engine's 31 network address ranges (see session-networks.ts).
 */
export function defaultJobs(cores = availableParallelism()): number {
  return Math.max(2, Math.min(24, cores * 10));
}

/**
 * Cases `labs selftest` checks at once when the caller does not say. Fewer than grading's: its
 * cases include the heaviest checks (Redis crashed and re-created, moved to a new address) and
 * the timing ones (a message printed within 1 s), which a loaded machine fails. Measured on 2 cores,
 * the four labs shipped before jobs-api (32 cases): 311 s one at a time, 161 s at -j 2, 100 s at -j 4, 89 s at -j 6, every case
 * as declared; at -j 8 with other work on the machine, two cases of exercise-1-node came out wrong.
 */
export function defaultSelftestJobs(cores = availableParallelism()): number {
  return Math.max(2, Math.min(8, cores * 2));
}

/**
 * The -j of `labs grade`, `labs worker` and `labs selftest`: a whole number from 1 to 64, or
 * `fallback` (grading's default). Throws LabsError USAGE otherwise.
 */
export function jobsFlag(value: number | undefined, fallback = defaultJobs()): number {
  const jobs = value ?? fallback;
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) throw new LabsError('USAGE', `-j takes a whole number from 1 to 64, not "${value}"`);
  return jobs;
}
