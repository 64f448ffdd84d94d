/**
 * The grader's messages: random tokens from a seed it prints, so a run can be replayed (`--seed`)
 * and a submission cannot pass by printing what it expects to be sent.
 */
import { randomBytes } from 'node:crypto';

/** A small, fast, seeded generator (mulberry32); not for secrets, only for unguessable-per-run ids. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function newSeed(): number {
  return randomBytes(4).readUInt32BE(0) % 1_000_000_000;
}

const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';

export interface TokenSource {
  /** e.g. "k7fq2": shared by every token of the run, so printed guesses are recognisable. */
  prefix: string;
  next: () => string;
  /** Tokens of this run's shape found in a line of output. */
  find: (line: string) => string[];
}

export function tokenSource(random: () => number): TokenSource {
  const pick = (n: number): string => Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
  const prefix = pick(5);
  let count = 0;
  const pattern = new RegExp(`${prefix}-\\d{3,}-[${alphabet}]{5}`, 'g');
  return {
    prefix,
    next: () => `${prefix}-${String(count++).padStart(3, '0')}-${pick(5)}`,
    find: (line) => line.match(pattern) ?? [],
  };
}
