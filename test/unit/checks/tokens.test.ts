import { describe, expect, it } from 'vitest';
import { seededRandom, tokenSource } from '../../../runner/checks/tokens.js';

describe('tokens', () => {
  it('are the same for the same seed (a run can be replayed) and differ between seeds', () => {
    const a = tokenSource(seededRandom(42));
    const b = tokenSource(seededRandom(42));
    const c = tokenSource(seededRandom(43));
    const listA = [a.next(), a.next(), a.next()];
    expect([b.next(), b.next(), b.next()]).toEqual(listA);
    expect(c.next()).not.toBe(listA[0]);
    expect(new Set(listA).size).toBe(3);
  });

  it('are found in output lines however they are printed, and only this run’s shape', () => {
    const t = tokenSource(seededRandom(7));
    const one = t.next();
    const two = t.next();
    expect(t.find(`got b'${one}' and ${two}!`)).toEqual([one, two]);
    expect(t.find('nothing here 123-456')).toEqual([]);
    const guess = `${t.prefix}-999-aaaaa`;
    expect(t.find(guess)).toEqual([guess]);
  });
});
