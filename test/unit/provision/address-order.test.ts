import { describe, expect, it } from 'vitest';
import { compareIPv4 } from '../../../runner/provision/isolated.js';

describe('compareIPv4: which of two addresses the engine hands out first (the lower one)', () => {
  it('orders by number, not by text: .9 comes before .10', () => {
    expect(compareIPv4('172.18.0.9', '172.18.0.10')).toBeLessThan(0);
    expect(compareIPv4('172.18.0.10', '172.18.0.9')).toBeGreaterThan(0);
    expect(compareIPv4('10.0.1.2', '10.0.0.200')).toBeGreaterThan(0);
    expect(compareIPv4('192.168.176.7', '192.168.176.7')).toBe(0);
  });
});
