/** The records of batch grading: one per submission, as written to results.jsonl. */
import type { CheckReport } from './score.js';

export type SubmissionStatus = 'graded' | 'infra-error' | 'timeout';

export interface SubmissionResult {
  student: string;
  status: SubmissionStatus;
  /** The full CheckReport (the `labs check --json` keys plus durationMs and measurements); present when graded. */
  report?: CheckReport;
  /** What went wrong, for infra-error and timeout. */
  error?: string;
  durationMs: number;
  /** sha256 of the submission's files (paths and contents), for resuming. */
  contentHash: string;
  /** sha256 of the lab's lab.yaml, for resuming (a template's change does not regrade). */
  labHash: string;
  toolVersion: string;
  /** ISO time the result was written. */
  finishedAt: string;
  /** Intake's notes on the submission (each file left out and why, limits reached): the report's `warnings`, kept here for results without a report. */
  warnings: string[];
  attempts: number;
}
