import { describe, expect, it } from 'vitest';
import { pickleString } from '../../../runner/checks/codec.js';
import { seededRandom, tokenSource } from '../../../runner/checks/tokens.js';

/**
 * Python's repr of bytes, by its rule (Objects/bytesobject.c): quoted with ' unless the bytes hold '
 * and no ", then "; \\, the quote, \t \n \r escaped; printable ASCII as is; every other byte \xNN.
 * Always ASCII. (Real Python's reprs, at every pickle protocol: test/integration/token-output.)
 */
function pyBytesRepr(bytes: Buffer): string {
  const quote = bytes.includes(0x27) && !bytes.includes(0x22) ? '"' : "'";
  let out = `b${quote}`;
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    if (c === '\\' || c === quote) out += `\\${c}`;
    else if (c === '\t') out += '\\t';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (b >= 0x20 && b < 0x7f) out += c;
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return `${out}${quote}`;
}

const run = (seed: number, n: number): { source: ReturnType<typeof tokenSource>; tokens: string[] } => {
  const source = tokenSource(seededRandom(seed));
  return { source, tokens: Array.from({ length: n }, () => source.next()) };
};

describe('tokens', () => {
  it('are the same for the same seed (a run can be replayed) and differ between seeds', () => {
    const a = run(42, 30).tokens;
    expect(run(42, 30).tokens).toEqual(a);
    expect(run(43, 30).tokens).not.toEqual(a);
    expect(new Set(a).size).toBe(30);
  });

  it('take three shapes in turn, each with a character outside ASCII: a word, spaced words, digits only', () => {
    const { source, tokens } = run(7, 1200);
    expect(tokens[0]).toMatch(new RegExp(`^${source.prefix}-000-[a-z2-9]{2}[^\\x00-\\x7f][a-z2-9]{2}$`));
    expect(tokens[1]).toMatch(new RegExp(`^${source.prefix} 001 [a-z2-9]{2}[^\\x00-\\x7f][a-z2-9]{2}$`));
    expect(tokens[2]).toMatch(/^[０-９]{11}$/);
    expect(tokens[2]!.startsWith(source.digitPrefix)).toBe(true);
    expect(tokens[1000]).toMatch(new RegExp(`^${source.prefix} 1000 `));
    for (const token of tokens) {
      expect(token).toMatch(/[^\x00-\x7f]/);
      // Python keeps letters and digits as they are in the repr of a str ([item], (item,)).
      expect(token).toMatch(/^[\p{L}\p{Nd} -]+$/u);
      expect(token.normalize('NFC')).toBe(token);
    }
  });

  it('are found in a line however the message itself is printed, with text around it', () => {
    const { source, tokens } = run(11, 9);
    for (const token of tokens) {
      for (const line of [
        token,
        `Received: ${token}`,
        `INFO:root:${token}`,
        `2024-05-01 12:00:03,123 INFO consumer got ${token} (1 of 9)`,
        `got ${token}`,
        `item=${token}!`,
        `['${token}']`,
        `('${token}',)`,
        // A Node.js consumer printing the raw JSON string, with its quotes.
        JSON.stringify(token),
        `popped ${JSON.stringify(token)} from hotqueue:queue`,
      ]) {
        expect(source.find(line), line).toEqual([token]);
      }
    }
    expect(source.find(`${tokens[0]} ${tokens[1]}, ${tokens[2]}${tokens[3]}`)).toEqual([tokens[0], tokens[1], tokens[2], tokens[3]]);
  });

  it('are found when of this run but never sent (an unexpected delivery), and not when of another run', () => {
    const { source } = run(5, 3);
    const guesses = [`${source.prefix}-999-abçde`, `${source.prefix} 1234 xyłzz`, `${source.digitPrefix}９９９９９９`];
    for (const guess of guesses) expect(source.find(`got ${guess}`)).toEqual([guess]);
    const other = run(6, 3).tokens;
    for (const token of other) expect(source.find(token)).toEqual([]);
    expect(source.find('nothing here 123-456')).toEqual([]);
  });

  it('are not found in what holds the message without being it (bytes reprs, JSON escapes), nor changed or cut', () => {
    const { source, tokens } = run(13, 12);
    for (const token of tokens) {
      const pickled = pickleString(token);
      const json = Buffer.from(JSON.stringify(token));
      for (const line of [
        pyBytesRepr(pickled),
        `(${pyBytesRepr(Buffer.from('hotqueue:queue'))}, ${pyBytesRepr(pickled)})`,
        `[${pyBytesRepr(Buffer.from('hotqueue:queue'))}, ${pyBytesRepr(pickled)}]`,
        pyBytesRepr(json),
        pyBytesRepr(Buffer.from(token)),
        // Python's json.dumps(item) escapes non-ASCII by default: an encoding of the message.
        JSON.stringify(token).replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
        token.toUpperCase(),
        token.slice(0, -1),
        token.split(' ').join('  '),
        token.replace(/[０-９]/g, (d) => String(d.charCodeAt(0) - 0xff10)),
      ].filter((line) => line !== token)) {
        expect(source.find(line), line).toEqual([]);
      }
    }
  });
});
