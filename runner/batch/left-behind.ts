/**
 * The removals a batch hands on (a graded session's containers, networks and volumes; a batch
 * slot's when it closes), and which of them failed. A failure is the grader's cleanup trouble,
 * never the student's: the result stays as recorded, and the batch says at its end how many
 * sessions left resources behind and that `labs prune` removes them (their owner, this process,
 * is gone by then).
 */
import { cleanupLimitMs, drainWithin, stuckEngine } from '../provision/settle.js';

/** What a batch's removals left behind: `sessions` whose removal failed, and the first one's error message. */
export interface LeftBehindSummary {
  sessions: number;
  firstError: string | undefined;
}

/** Counts a batch's removals that failed, while they run in the background; `summary` says how many once they settled. */
export class LeftBehind {
  private readonly pending = new Set<Promise<void>>();
  private failed = 0;
  private first: string | undefined;

  /** `onFailure` is told each failure as it comes (a worker prints it), with its error. */
  constructor(private readonly onFailure: (error: unknown) => void = () => {}) {}

  /** Takes one session's removal, which `settled` waits for; its failure is counted, never thrown. */
  take(removal: Promise<void>): void {
    const tracked = removal.catch((error: unknown) => this.fail(error)).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  /** Counts a removal that failed elsewhere (a slot's close: session/slot.ts, `SlotPool`). */
  fail(error: unknown): void {
    this.failed += 1;
    this.first ??= error instanceof Error ? error.message : String(error);
    this.onFailure(error);
  }

  /**
   * Resolves once every removal taken so far (and any taken meanwhile) has ended, or `limitMs` has
   * passed: those still under way then count as one failure, DOCKER_FAILED (an engine that stopped
   * answering; see SlotPool.close).
   */
  async settled(limitMs = cleanupLimitMs): Promise<void> {
    const stuck = await drainWithin(this.pending, limitMs);
    if (stuck) this.fail(stuckEngine(stuck, "session(s)' containers", limitMs));
  }

  get summary(): LeftBehindSummary {
    return { sessions: this.failed, firstError: this.first };
  }
}

/** The line a batch ends with when something was left behind; undefined when nothing was. */
export function leftBehindLine(summary: LeftBehindSummary): string | undefined {
  if (summary.sessions === 0) return undefined;
  const sessions = summary.sessions === 1 ? '1 session' : `${summary.sessions} sessions`;
  return `${sessions} left containers, networks or volumes behind (first error: ${summary.firstError}); the grades are not affected: run \`labs prune\` once this command has ended to remove them`;
}
