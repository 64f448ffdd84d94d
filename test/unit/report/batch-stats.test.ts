import { describe, expect, it } from 'vitest';
import { checkPassRates, formatDuration, mean, median, scoreHistogram, slowest } from '../../../runner/report/batch-stats.js';
import { graded, makeLab, notGraded } from './batch-fixture.js';

describe('batch statistics', () => {
  it('histogram: one bin per whole point from 0 to max, counts per bin, max in the last bin', () => {
    const bins = scoreHistogram([0, 3, 3, 3.5, 9.9, 10, 10], 10);
    expect(bins.map((b) => b.label)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    expect(bins.map((b) => b.count)).toEqual([1, 0, 0, 3, 0, 0, 0, 0, 0, 1, 2]);
  });

  it('histogram: wide ranges are grouped into bins of several points', () => {
    const bins = scoreHistogram([0, 4, 5, 99, 100], 100);
    expect(bins).toHaveLength(21);
    expect(bins.slice(0, 2).map((b) => [b.label, b.count])).toEqual([
      ['0–4', 2],
      ['5–9', 1],
    ]);
    expect(bins.slice(-2).map((b) => [b.label, b.count])).toEqual([
      ['95–99', 1],
      ['100', 1],
    ]);
    expect(bins.reduce((s, b) => s + b.count, 0)).toBe(5);
  });

  it('histogram: no scores, zero max', () => {
    expect(scoreHistogram([], 0)).toEqual([{ from: 0, to: 0, label: '0', count: 0 }]);
  });

  it('pass rates per check in lab order, over graded submissions only', () => {
    const lab = makeLab();
    const rates = checkPassRates(lab, [graded('a'), graded('b', ['delivery']), graded('c', ['delivery', 'latency']), notGraded('d', 'timeout', 'x')]);
    expect(rates.map((r) => [r.id, r.passed, r.graded])).toEqual([
      ['producer', 3, 3],
      ['delivery', 1, 3],
      ['blocking', 3, 3],
      ['latency', 2, 3],
    ]);
    expect(rates[1]!.rate).toBeCloseTo(1 / 3);
    expect(checkPassRates(lab, [notGraded('d', 'timeout', 'x')])[0]!.rate).toBeUndefined();
  });

  it('mean, median, slowest, durations', () => {
    expect([mean([]), median([])]).toEqual([undefined, undefined]);
    expect([mean([1, 2, 6]), median([6, 1, 2]), median([4, 1, 2, 10])]).toEqual([3, 2, 3]);
    const rs = [graded('a', [], { durationMs: 5 }), graded('b', [], { durationMs: 50 }), graded('c', [], { durationMs: 50 })];
    expect(slowest(rs, 2).map((r) => r.student)).toEqual(['b', 'c']);
    expect([formatDuration(850), formatDuration(12_345), formatDuration(245_000)]).toEqual(['850 ms', '12.3 s', '4 min 05 s']);
  });
});
