/** What a check kind returns: the same shape whether it passes or fails (a failure is data). */

export interface CheckOutcome {
  passed: boolean;
  /** What was seen, in one line: counts, timings. */
  summary: string;
  /** Evidence: the first few message ids, per-replica counts, what the script printed. */
  details: string[];
  /** Likely mistakes found in the evidence, likeliest first; empty when nothing specific was found. */
  diagnosis: string[];
  /** Figures for reports and benchmarks (ms, counts). */
  measurements: Record<string, number>;
}

/** A CheckOutcome: `passed` and `summary`, and empty details, diagnosis and measurements unless `rest` gives them. */
export function outcome(passed: boolean, summary: string, rest: Partial<Omit<CheckOutcome, 'passed' | 'summary'>> = {}): CheckOutcome {
  return { passed, summary, details: rest.details ?? [], diagnosis: rest.diagnosis ?? [], measurements: rest.measurements ?? {} };
}
