/** Rubric → score: pure. A check earns its points when it passes and none otherwise. */
import type { CheckOutcome } from '../checks/outcome.js';
import type { CheckKind, CheckSpec } from '../lab/types.js';

export interface CheckResult {
  id: string;
  kind: CheckKind;
  title: string;
  passed: boolean;
  score: number;
  maxScore: number;
  summary: string;
  /** The likely mistake, or null on a pass. */
  hint: string | null;
  details: string[];
  durationMs: number;
  measurements: Record<string, number>;
}

export interface CheckReport {
  lab: string;
  seed: number;
  score: number;
  maxScore: number;
  checks: CheckResult[];
  /**
   * Notes on the submission itself: intake's (each file that was left out and why, limits reached)
   * and the compose file's (keys labs ignores). Not graded, but what a student must see next to the checks they explain.
   */
  warnings: string[];
}

export function scoreCheck(spec: CheckSpec, outcome: CheckOutcome, durationMs: number): CheckResult {
  const [likeliest, ...others] = outcome.diagnosis;
  const details = [...outcome.details, ...others.map((d) => `also: ${d}`)];
  return {
    id: spec.id,
    kind: spec.kind,
    title: spec.title ?? spec.id,
    passed: outcome.passed,
    score: outcome.passed ? spec.points : 0,
    maxScore: spec.points,
    summary: outcome.summary,
    hint: outcome.passed ? null : (likeliest ?? spec.hint?.trim() ?? 'compare your code with the exercise text'),
    details,
    durationMs,
    measurements: outcome.measurements,
  };
}

export function buildReport(lab: string, seed: number, checks: CheckResult[], warnings: string[] = []): CheckReport {
  return {
    lab,
    seed,
    score: checks.reduce((sum, c) => sum + c.score, 0),
    maxScore: checks.reduce((sum, c) => sum + c.maxScore, 0),
    checks,
    warnings,
  };
}
