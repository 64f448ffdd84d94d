import { describe, expect, it } from 'vitest';
import { makeStyle, table } from '../../../runner/cli/context.js';

describe('table', () => {
  it('pads columns to the widest visible cell, colours not counted', () => {
    const style = makeStyle(true);
    expect(
      table([
        ['SERVICE', 'STATE'],
        ['redis-db', style.ok('running')],
        ['python', 'exited'],
      ]).map((l) => l.replace(/\u001b\[\d+m/g, '')),
    ).toEqual(['SERVICE   STATE', 'redis-db  running', 'python    exited']);
  });
});
