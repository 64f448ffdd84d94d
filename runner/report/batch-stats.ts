/** Numbers over a batch of submissions (the gradebook, the HTML report): pure, no formatting of pages. */
import type { SubmissionResult } from '../rubric/submission.js';
import type { Lab } from '../lab/types.js';

/**
 * Student ids in code-point order (what `LC_ALL=C sort` does): the same on every machine and locale,
 * so two runs over the same submissions write byte-identical outputs.
 */
export function byStudent(a: SubmissionResult, b: SubmissionResult): number {
  return a.student < b.student ? -1 : a.student > b.student ? 1 : 0;
}

export function labMaxScore(lab: Lab): number {
  return lab.checks.reduce((sum, c) => sum + c.points, 0);
}

/** Graded results that carry a report: the only ones with scores. */
export function gradedResults(results: SubmissionResult[]): (SubmissionResult & { report: NonNullable<SubmissionResult['report']> })[] {
  return results.filter((r): r is SubmissionResult & { report: NonNullable<SubmissionResult['report']> } => r.status === 'graded' && r.report !== undefined);
}

/** Points as people write them: fractional points kept, float noise (0.1 + 0.2) dropped. */
export function formatPoints(points: number): string {
  return String(Math.round(points * 100) / 100);
}

export function mean(values: number[]): number | undefined {
  return values.length ? values.reduce((sum, v) => sum + v, 0) / values.length : undefined;
}

export function median(values: number[]): number | undefined {
  if (!values.length) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface HistogramBin {
  /** Lowest score in the bin (inclusive). */
  from: number;
  /** Highest score in the bin (inclusive for the last bin, exclusive otherwise). */
  to: number;
  /** "7", or "10–14" when a bin holds several whole points. */
  label: string;
  count: number;
}

/**
 * Scores in bins from 0 to max: one bin per whole point while that makes at most `maxBins` bins,
 * otherwise bins of several whole points. A score goes in the bin of its whole part, so 3.5 counts
 * as 3; a score at or above max counts in the last bin.
 */
export function scoreHistogram(scores: number[], max: number, maxBins = 25): HistogramBin[] {
  const top = Math.max(0, max);
  const width = Math.max(1, Math.ceil((Math.floor(top) + 1) / maxBins));
  const count = Math.floor(top / width) + 1;
  const bins: HistogramBin[] = Array.from({ length: count }, (_, i) => {
    const from = i * width;
    const lastWhole = Math.min(Math.floor(top), from + width - 1);
    const label = lastWhole === from ? formatPoints(from) : `${from}–${lastWhole}`;
    return { from, to: i === count - 1 ? top : from + width, label, count: 0 };
  });
  for (const score of scores) {
    const index = Math.min(count - 1, Math.max(0, Math.floor(score / width)));
    bins[index]!.count += 1;
  }
  return bins;
}

export interface CheckPassRate {
  id: string;
  title: string;
  points: number;
  /** Graded submissions that passed the check. */
  passed: number;
  /** Graded submissions whose report has the check. */
  graded: number;
  /** passed / graded, or undefined when nothing was graded. */
  rate: number | undefined;
}

/** Per check, in lab order: how many graded submissions passed it. */
export function checkPassRates(lab: Lab, results: SubmissionResult[]): CheckPassRate[] {
  const graded = gradedResults(results);
  return lab.checks.map((spec) => {
    let passed = 0;
    let seen = 0;
    for (const r of graded) {
      const check = r.report.checks.find((c) => c.id === spec.id);
      if (!check) continue;
      seen += 1;
      if (check.passed) passed += 1;
    }
    return { id: spec.id, title: spec.title ?? spec.id, points: spec.points, passed, graded: seen, rate: seen ? passed / seen : undefined };
  });
}

/** The `count` slowest submissions, slowest first (ties by student). */
export function slowest(results: SubmissionResult[], count = 10): SubmissionResult[] {
  return [...results].sort((a, b) => b.durationMs - a.durationMs || byStudent(a, b)).slice(0, count);
}

/** "850 ms", "12.3 s", "4 min 05 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}
