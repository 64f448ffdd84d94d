/** The records of batch grading: one per submission, as written to results.jsonl. */
import type { CheckReport } from '../grade/score.js';

export type SubmissionStatus = 'graded' | 'infra-error' | 'timeout';

export interface SubmissionResult {
  student: string;
  status: SubmissionStatus;
  /** The same report `labs check --json` prints; present when graded. */
  report?: CheckReport;
  /** What went wrong, for infra-error and timeout. */
  error?: string;
  durationMs: number;
  /** sha256 of the submission's files (paths and contents), for resuming. */
  contentHash: string;
  /** sha256 of the lab definition and its templates, for resuming. */
  labHash: string;
  toolVersion: string;
  /** ISO time the result was written. */
  finishedAt: string;
  /** Things found in the submission (entries skipped from an archive, limits reached). */
  warnings: string[];
  attempts: number;
}
