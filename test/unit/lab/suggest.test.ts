import { describe, it, expect } from 'vitest';
import { didYouMean, editDistance, meantSuffix, nearest } from '../../../runner/lab/suggest.js';

describe('suggestions', () => {
  it('counts an adjacent swap as one edit', () => {
    expect(editDistance('imgae', 'image')).toBe(1);
    expect(editDistance('imag', 'image')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests only within max(2, a third of the length)', () => {
    expect(nearest('delivry', ['delivery', 'sharing'])).toBe('delivery');
    expect(nearest('exercise-9', ['exercise-1', 'exercise-1-node', 'exercise-2'])).toBe('exercise-1');
    expect(nearest('xyz', ['image', 'command'])).toBeUndefined();
    expect(nearest('pyhton1', ['python1', 'python2'])).toBe('python1');
    expect(nearest('REDIS-DB', ['redis-db'])).toBe('redis-db');
  });

  it('words the suggestion for a hint and for the end of a message', () => {
    expect(didYouMean('exercise-9', ['exercise-1'])).toBe('did you mean "exercise-1"? ');
    expect(didYouMean('zzz', ['exercise-1'])).toBe('');
    expect(meantSuffix('imag', ['image'])).toBe(' (did you mean "image"?)');
    expect(meantSuffix('zzzzzz', ['image'])).toBe('');
  });
});

describe('nearest: shortened names', () => {
  it('suggests the one candidate a shortened name starts (a regression: "redis" got no suggestion)', () => {
    expect(nearest('redis', ['redis-db', 'python'])).toBe('redis-db');
    expect(nearest('python', ['python1', 'python2'])).toBe('python1');
    expect(nearest('py', ['python1'])).toBeUndefined();
  });
});
