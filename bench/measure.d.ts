// Types of bench/measure.js for its unit test (test/unit/bench/measure.test.ts); the docs are there.
export interface CpuSeconds {
  busy: number;
  containers: number | undefined;
  self: number;
}
export interface Expected {
  name: string;
  mustFail: string[];
}
export interface ResultLine {
  student: string;
  status: string;
  error?: string;
  report?: { score: number; maxScore: number; checks: { id: string; kind: string; passed: boolean }[] };
}
export interface Judged {
  passedWrongly: string[];
  failedWrongly: string[];
  ok: boolean;
}
export function busyTicks(procStat: string): number;
export function cpuStatUsageUsec(cpuStat: string): number | undefined;
export function cpuNow(): CpuSeconds;
export function cpuBetween(before: CpuSeconds, after: CpuSeconds): CpuSeconds;
export function cpuPerSubmission(spent: CpuSeconds, graded: number): { busy: number; containers: number | undefined; grader: number; rest: number };
export function workersNeeded(perMinute: number, submissions: number, minutes: number): number;
export function mismatches(
  expected: Map<string, Expected>,
  results: ResultLine[],
  judge: (report: NonNullable<ResultLine['report']>, mustFail: string[]) => Judged,
): { student: string; name: string; why: string }[];
export function duplicated(results: Pick<ResultLine, 'student'>[]): string[];
export function parseResults(text: string): ResultLine[];
export function deliberateWaitsMs(
  checks: { id: string; kind: string; idle_ms?: number }[],
  measurements?: Record<string, Record<string, number> | undefined>,
): { totalMs: number; parts: string[] };

export function waitForPong(container: string, tries?: number): void;
