/**
 * The grader's messages: random tokens from a seed it prints, so a run can be replayed (`--seed`)
 * and a submission cannot pass by printing what it expects to be sent.
 *
 * A token counts as delivered only when the message itself was printed, not bytes that hold it.
 * Every token therefore has a character outside ASCII: Python shows such a character in the repr of
 * bytes as `\x..` escapes (UTF-8 at pickle protocols 1 to 5, Latin-1 or `\uXXXX` text at protocol 0),
 * so `print(r.blpop(key))`, `print(raw)` or `print(raw_json_bytes)` never contain a whole token,
 * while `print(item)` (UTF-8 in the lab containers: `LANG=C.UTF-8`, and UTF-8 mode under any C
 * locale) does, with any text around it on the line (`Received: …`, `INFO:root:…`). The repr of a
 * str keeps these characters as they are (they are letters and digits, printable to Python), so
 * printing `[item]` or `(item,)` counts, as does a Node.js consumer printing the JSON string with its
 * quotes (`JSON.stringify` keeps non-ASCII as is). Python's `json.dumps(item)` escapes them
 * (`\u00e4`) by default and does not count: it prints an encoding of the message, not the message.
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
/**
 * Lower-case letters outside ASCII, each one code point (NFC), none of them one that Python's
 * `str.isprintable()` rejects (so the repr of a str keeps them); Latin-1 ones and later ones, so
 * that protocol-0 pickles hold both of the forms that protocol writes (a Latin-1 byte, `\uXXXX`).
 */
const accented = 'äåçéèêíñöøúüłšžő';
/** FULLWIDTH DIGIT ZERO to NINE: decimal digits to Python (`isdigit()`, `int()`), not ASCII. */
const fullwidthDigits = '０１２３４５６７８９';

/**
 * The three forms a token takes, in turn. Tokens are also the producer check's arguments: a spaced
 * one is lost by a producer that splits or joins them, a digits-only one (numeric to Python) is
 * changed by one that converts numeric-looking arguments (`int()` takes fullwidth digits).
 */
const shapes = ['word', 'spaced', 'digits'] as const;

export interface TokenSource {
  /** e.g. "k7fq2": shared by every word and spaced token of the run, so printed guesses are recognisable. */
  prefix: string;
  /** e.g. "７３９１２": the same for the digits-only tokens. */
  digitPrefix: string;
  /**
   * The next message, in turn of these shapes (serial number 004, 005, 006):
   * word `k7fq2-004-qfäva`, spaced `k7fq2 005 mcøth`, digits only `７３９１２００６５８２`.
   */
  next: () => string;
  /**
   * Tokens of this run's shapes found in a line of output, sent or not (one never sent is an
   * `unexpected` delivery); a token inside the repr of bytes is not found.
   */
  find: (line: string) => string[];
}

/** The run's tokens, every draw taken from `random` so that one seed gives one sequence. */
export function tokenSource(random: () => number): TokenSource {
  const pick = (from: string, n: number): string => Array.from({ length: n }, () => from[Math.floor(random() * from.length)]).join('');
  const prefix = pick(alphabet, 5);
  const digitPrefix = pick(fullwidthDigits, 5);
  const fullwidth = (digits: string): string => digits.replace(/\d/g, (d) => fullwidthDigits[Number(d)]!);
  let count = 0;
  const tail = `[${alphabet}]{2}[${accented}][${alphabet}]{2}`;
  const digit = `[${fullwidthDigits}]`;
  // Digits-only tokens have no separator: the run of fullwidth digits around the prefix is the token.
  const pattern = new RegExp(`${prefix}(?:-\\d{3,}-| \\d{3,} )${tail}|(?<!${digit})${digitPrefix}${digit}{6,}(?!${digit})`, 'g');
  return {
    prefix,
    digitPrefix,
    next: () => {
      const serial = String(count).padStart(3, '0');
      const shape = shapes[count++ % shapes.length]!;
      if (shape === 'digits') return `${digitPrefix}${fullwidth(serial)}${pick(fullwidthDigits, 3)}`;
      const sep = shape === 'word' ? '-' : ' ';
      return `${prefix}${sep}${serial}${sep}${pick(alphabet, 2)}${pick(accented, 1)}${pick(alphabet, 2)}`;
    },
    find: (line) => line.match(pattern) ?? [],
  };
}
