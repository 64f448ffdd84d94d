/**
 * The removals a batch hands on (a graded session's containers, networks and volumes; a batch
 * slot's when it closes), and which of them failed. A failure is the grader's cleanup trouble,
 * never the student's: the result stays as recorded, and the batch says at its end how many
 * sessions and batch slots left resources behind and that `labs prune` removes them (their owner,
 * this process, is gone by then).
 */
import { cleanupLimitMs, drainWithin, stuckEngine } from '../provision/settle.js';

/**
 * What a batch's removals left behind: graded `sessions` and batch `slots` (session/slot.ts) whose
 * removal failed or was still under way at the limit, and the first failure's error message.
 */
export interface LeftBehindSummary {
  sessions: number;
  slots: number;
  firstError: string | undefined;
}

/** Counts a batch's removals that failed, while they run in the background; `summary` says how many once they settled. */
export class LeftBehind {
  private readonly pending = new Set<Promise<void>>();
  private readonly failed = { sessions: 0, slots: 0 };
  private first: string | undefined;

  /** `onFailure` is told each failure as it comes (a worker prints it), with its error. */
  constructor(private readonly onFailure: (error: unknown) => void = () => {}) {}

  /** Takes one session's removal, which `settled` waits for; its failure is counted, never thrown. */
  take(removal: Promise<void>): void {
    const tracked = removal.catch((error: unknown) => this.fail('sessions', error)).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  /** Counts `count` batch slots whose close failed, or that the engine did not finish closing (`SlotPool`'s `onLeftBehind`). */
  slotsFailed(error: unknown, count = 1): void {
    this.fail('slots', error, count);
  }

  /**
   * Resolves once every removal taken so far (and any taken meanwhile) has ended, or `limitMs` has
   * passed: each one still under way then counts as left behind, with one DOCKER_FAILED told (an
   * engine that stopped answering; see SlotPool.close).
   */
  async settled(limitMs = cleanupLimitMs): Promise<void> {
    const stuck = await drainWithin(this.pending, limitMs);
    if (stuck) this.fail('sessions', stuckEngine(stuck, "session(s)' containers", limitMs), stuck);
  }

  get summary(): LeftBehindSummary {
    return { ...this.failed, firstError: this.first };
  }

  private fail(what: 'sessions' | 'slots', error: unknown, count = 1): void {
    this.failed[what] += count;
    this.first ??= error instanceof Error ? error.message : String(error);
    this.onFailure(error);
  }
}

/** The line a batch ends with when something was left behind; undefined when nothing was. */
export function leftBehindLine(summary: LeftBehindSummary): string | undefined {
  const counted = (n: number, one: string, many: string): string | undefined => (n === 0 ? undefined : `${n} ${n === 1 ? one : many}`);
  const what = [counted(summary.sessions, 'session', 'sessions'), counted(summary.slots, 'batch slot', 'batch slots')].filter(Boolean);
  if (what.length === 0) return undefined;
  return `${what.join(' and ')} left containers, networks or volumes behind (first error: ${summary.firstError}); the grades are not affected: run \`labs prune\` once this command has ended to remove them`;
}
