import { describe, expect, it } from 'vitest';
import { findLab } from '../../../runner/lab/registry.js';
import { judgeCase } from '../../../runner/session/selftest.js';
import type { CheckReport } from '../../../runner/rubric/score.js';
import {
  busyTicks,
  cpuPerSubmission,
  cpuStatUsageUsec,
  deliberateWaitsMs,
  duplicated,
  mismatches,
  parseResults,
  workersNeeded,
  type ResultLine,
} from '../../../bench/measure.js';

const judge = (report: NonNullable<ResultLine['report']>, mustFail: string[]) =>
  judgeCase(report as CheckReport, mustFail as CheckReport['checks'][number]['kind'][]);

/** A graded result whose checks of the kinds in `failing` failed, scored 1 point each. */
function graded(student: string, failing: string[] = []): ResultLine {
  const kinds = ['producer', 'delivery', 'persistence', 'latency'];
  const checks = kinds.map((kind) => ({ id: `${kind}-check`, kind, passed: !failing.includes(kind) }));
  return { student, status: 'graded', report: { score: checks.filter((c) => c.passed).length, maxScore: kinds.length, checks } };
}

describe('the machine CPU figures of bench grade', () => {
  it('counts user, nice, system, irq, softirq and steal of /proc/stat, not idle or iowait', () => {
    expect(busyTicks('cpu  100 2 30 5000 40 6 7 8 0 0\ncpu0 1 1 1 1 1 1 1 1 0 0\n')).toBe(100 + 2 + 30 + 6 + 7 + 8);
    expect(() => busyTicks('intr 1 2 3')).toThrow(/no "cpu" line/);
  });

  it("reads cgroup v2's usage_usec", () => {
    expect(cpuStatUsageUsec('usage_usec 1234567\nuser_usec 1000000\nsystem_usec 234567\n')).toBe(1234567);
    expect(cpuStatUsageUsec('nr_periods 0\n')).toBeUndefined();
  });

  it('splits the CPU per graded submission into containers, grader and the rest', () => {
    expect(cpuPerSubmission({ busy: 300, containers: 120, self: 30 }, 100)).toEqual({ busy: 3, containers: 1.2, grader: 0.3, rest: 1.5 });
    // Without a cgroup counter, the rest is everything but the grader.
    expect(cpuPerSubmission({ busy: 300, containers: undefined, self: 30 }, 100)).toEqual({ busy: 3, containers: undefined, grader: 0.3, rest: 2.7 });
    expect(cpuPerSubmission({ busy: 3, containers: undefined, self: 1 }, 0).busy).toBeNaN();
  });

  it('rounds the workers a course needs up: 10,000 submissions in 15 minutes at 30 a minute is 23', () => {
    expect(workersNeeded(30, 10_000, 15)).toBe(23);
    expect(workersNeeded(1000, 10, 15)).toBe(1);
    expect(() => workersNeeded(0, 10, 15)).toThrow(/grades nothing/);
  });
});

describe("bench grade's verification against the declared verdicts", () => {
  const expected = new Map([
    ['a', { name: 'solution', mustFail: [] }],
    ['b', { name: 'compose-without-save', mustFail: ['persistence'] }],
  ]);

  it('finds none when the solution passes everything and the variant fails exactly its kinds', () => {
    expect(mismatches(expected, [graded('a'), graded('b', ['persistence'])], judge)).toEqual([]);
  });

  it('names a variant that passed a declared kind or failed another, and a solution that lost a point', () => {
    expect(mismatches(expected, [graded('a', ['latency']), graded('b', ['delivery'])], judge)).toEqual([
      { student: 'a', name: 'solution', why: 'failed latency-check; scored 3/4' },
      { student: 'b', name: 'compose-without-save', why: 'passed persistence-check; failed delivery-check' },
    ]);
  });

  it('counts a missing result and one not graded as mismatches, and the last line of a student as the result', () => {
    const infra = { student: 'b', status: 'infra-error', error: 'engine gone' };
    expect(mismatches(expected, [infra], judge)).toEqual([
      { student: 'a', name: 'solution', why: 'no result' },
      { student: 'b', name: 'compose-without-save', why: 'infra-error: engine gone' },
    ]);
    expect(mismatches(expected, [graded('a'), infra, graded('b', ['persistence'])], judge)).toEqual([]);
  });

  it('lists students recorded twice, and skips a line cut short', () => {
    const results = parseResults('{"student":"a","status":"graded"}\n{"student":"b"}\n{"student":"a","status":"graded"}\n{"stud');
    expect(results).toHaveLength(3);
    expect(duplicated(results)).toEqual(['a']);
  });
});

describe("the labs' deliberate idle waits in bench check", () => {
  it('exercise-1: one 3 s idle window, judged by latency and blocking both', async () => {
    expect(deliberateWaitsMs((await findLab('exercise-1')).checks).totalMs).toBe(3000);
  });

  it("exercise-2: the 3 s window and persistence's wait for Redis to save, as measured in the session", async () => {
    const checks = (await findLab('exercise-2')).checks;
    expect(deliberateWaitsMs(checks, { 'persistence-survives-redis-crash': { survived: 10, killedAfterMs: 1200 } })).toEqual({
      totalMs: 4200,
      parts: ['idle window 3.0 s', 'persistence: Redis saved the put after 1.2 s'],
    });
  });
});
