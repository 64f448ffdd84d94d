import { describe, expect, it } from 'vitest';
import { makeStyle } from '../../../runner/cli/context.js';
import { watchScreen } from '../../../runner/cli/commands/check-watch.js';
import { findLab } from '../../../runner/lab/registry.js';
import type { CheckResult } from '../../../runner/rubric/score.js';
import type { WatchView } from '../../../runner/workspace/watch.js';

const failed = (id: string, hint: string): CheckResult => ({
  id,
  kind: 'delivery',
  title: `title of ${id}`,
  passed: false,
  score: 0,
  maxScore: 4,
  summary: `summary of ${id}`,
  hint,
  details: [`detail of ${id}`],
  durationMs: 1,
  measurements: {},
});

describe('the watch screen', () => {
  it('one line per check, then the first failing check with its hint (only the first), the points and what no check reads', async () => {
    const lab = await findLab('exercise-1');
    const [producer, delivery, latency, blocking] = lab.checks;
    const view: WatchView = {
      lab,
      checks: [
        { spec: producer!, state: 'running', result: undefined },
        { spec: delivery!, state: 'done', result: failed('delivery-one-consumer', 'loop over q.consume()') },
        { spec: latency!, state: 'done', result: failed('latency-new-message', 'keep waiting') },
        { spec: blocking!, state: 'waiting', result: failed('blocking-when-idle', 'block') },
      ],
      changed: ['consumer.py'],
      unread: ['README.md'],
      running: true,
      seed: 7,
      warnings: [],
      error: undefined,
      runs: 2,
      cancelled: 1,
      lastCancelled: 1,
    };
    expect(watchScreen(view, '/ws', makeStyle(false))).toEqual([
      'labs check --watch exercise-1  /ws · run 2 (consumer.py changed, run 1 cancelled) · seed 7',
      '',
      ' …  -/2  producer-puts-arguments  running',
      ' ✗  0/4  delivery-one-consumer    summary of delivery-one-consumer',
      ' ✗  0/4  latency-new-message      summary of latency-new-message',
      ' ·  -/2  blocking-when-idle       waiting (last run: ✗ 0/4)',
      '',
      '✗ title of delivery-one-consumer  [delivery-one-consumer]',
      '  summary of delivery-one-consumer',
      '  detail of delivery-one-consumer',
      '  hint: loop over q.consume()',
      '',
      'running…: 0/10 points',
      'README.md changed: no check reads it',
      'Watching for saves; only the checks a saved file can change run again. Ctrl-C to quit.',
    ]);
  });
});
