/** Synthetic labs and submission results for the batch outputs (no Docker, no files). */
import type { SubmissionResult } from '../../../runner/rubric/submission.js';
import { buildReport, type CheckResult } from '../../../runner/rubric/score.js';
import type { CheckSpec, Lab } from '../../../runner/lab/types.js';

export const checks: CheckSpec[] = [
  { id: 'producer', kind: 'producer', points: 2, title: 'The producer puts every argument, in order' },
  { id: 'delivery', kind: 'delivery', points: 4, title: 'Every message arrives exactly once' },
  { id: 'blocking', kind: 'blocking', points: 2, title: 'The consumer blocks while idle' },
  { id: 'latency', kind: 'latency', points: 2 },
];

export function makeLab(over: Partial<Lab> = {}): Lab {
  return {
    id: 'exercise-1',
    title: 'The consume method',
    summary: 'A producer and a consumer on a hotqueue',
    runtime: 'python',
    workdir: '/lab',
    redisService: 'redis-db',
    compose: undefined,
    services: {},
    files: [{ path: 'producer.py', role: 'producer', description: undefined }],
    scripts: {},
    nextSteps: [],
    checks,
    dir: '/labs/exercise-1',
    file: '/labs/exercise-1/lab.yaml',
    templatesDir: '/templates/exercise-1',
    ...over,
  };
}

const hints: Record<string, string> = {
  producer: 'put each command-line argument as a str, in order',
  delivery: "consumer.py crashed after the pop (exit 1): KeyError: 'x'",
  blocking: 'use q.consume() (a blocking pop), not a loop around q.get()',
  latency: 'print each item as soon as it arrives (flush stdout)',
};

/** A graded result; `failed` names the checks that failed, the rest pass. */
export function graded(student: string, failed: string[] = [], over: Partial<SubmissionResult> = {}, lab: Lab = makeLab()): SubmissionResult {
  const results: CheckResult[] = lab.checks.map((spec) => {
    const passed = !failed.includes(spec.id);
    return {
      id: spec.id,
      kind: spec.kind,
      title: spec.title ?? spec.id,
      passed,
      score: passed ? spec.points : 0,
      maxScore: spec.points,
      summary: passed ? `${spec.id}: as expected` : `${spec.id}: 3 of 20 messages lost`,
      hint: passed ? null : (hints[spec.id] ?? 'compare your code with the exercise text'),
      details: passed ? [] : ['still queued: m-03, m-07, m-11', 'per replica (popped / printed): consumer-1 17/17'],
      durationMs: 1500,
      measurements: {},
    };
  });
  return {
    student,
    status: 'graded',
    report: buildReport(lab.id, 4242, results),
    durationMs: 30_000,
    contentHash: 'c'.repeat(64),
    labHash: 'l'.repeat(64),
    toolVersion: '0.1.0',
    finishedAt: '2025-05-01T22:00:00.000Z',
    warnings: [],
    attempts: 1,
    ...over,
  };
}

export function notGraded(student: string, status: 'infra-error' | 'timeout', error: string, over: Partial<SubmissionResult> = {}): SubmissionResult {
  return {
    student,
    status,
    error,
    durationMs: status === 'timeout' ? 600_000 : 4_000,
    contentHash: 'c'.repeat(64),
    labHash: 'l'.repeat(64),
    toolVersion: '0.1.0',
    finishedAt: '2025-05-01T22:00:00.000Z',
    warnings: [],
    attempts: 2,
    ...over,
  };
}

export const hostileName = '<img src=x onerror=alert(1)>';

/**
 * A class of about 40: mixed scores (a deterministic spread), three infra-errors, two timeouts, one
 * hostile name and one hostile summary.
 */
export function syntheticClass(lab: Lab = makeLab()): SubmissionResult[] {
  const ids = lab.checks.map((c) => c.id);
  const out: SubmissionResult[] = [];
  for (let i = 1; i <= 34; i += 1) {
    // A spread weighted to the top, like a real class: most pass, some fail one or two checks.
    const failed = ids.filter((_, k) => (i * (k + 3) + k * 7) % (k === 1 ? 5 : 4 + k) === 0);
    out.push(
      graded(
        `student-${String(i).padStart(2, '0')}`,
        failed,
        { durationMs: 20_000 + ((i * 7919) % 50_000), warnings: i % 11 === 0 ? ['skipped __MACOSX/._consumer.py from the archive'] : [] },
        lab,
      ),
    );
  }
  out.push(graded(hostileName, ['delivery'], { durationMs: 41_000 }, lab));
  const hostile = graded('mallory', ['blocking'], { durationMs: 39_000 }, lab);
  hostile.report!.checks[2]!.summary = 'printed </details><script>alert("x")</script> & more';
  hostile.report!.checks[2]!.details = ['last: "<b>bold</b>"'];
  out.push(hostile);
  out.push(notGraded('zoe', 'infra-error', 'Docker is not reachable at /var/run/docker.sock'));
  out.push(notGraded('yann', 'infra-error', 'image python:3.10 is missing'));
  out.push(notGraded('xavier', 'infra-error', 'container exited before readiness'));
  out.push(notGraded('wendy', 'timeout', 'grading took longer than 600000 ms'));
  out.push(notGraded('victor', 'timeout', 'grading took longer than 600000 ms'));
  return out;
}
