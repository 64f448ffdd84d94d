import { describe, expect, it } from 'vitest';
import { jsonCodec, pickleCodec, pickleString } from '../../../runner/checks/codec.js';

describe('pickle codec', () => {
  it('pickles a str exactly as Python 3 does by default', () => {
    // python3 -c "import pickle; print(pickle.dumps('héllo world').hex())"
    expect(pickleString('héllo world').toString('hex')).toBe('80049510000000000000008c0c68c3a96c6c6f20776f726c64942e');
  });

  it('round-trips long and non-ASCII strings through the parser', () => {
    for (const text of ['', '42', '  spaced  ', 'héllo wörld ☕', 'x'.repeat(300)]) {
      expect(pickleCodec.decode(pickleString(text))).toMatchObject({ type: 'str', text });
    }
  });

  it('reads a protocol-0 str as Python does (raw-unicode-escape: Latin-1 bytes, \\uXXXX and \\UXXXXXXXX escapes)', () => {
    // python3 -c "import pickle; print(pickle.dumps(TEXT, protocol=0).hex())"
    const cases: [string, string][] = [
      ['k7fq2 005 qfłva', '566b37667132203030352071665c753031343276610a70300a2e'],
      ['７３９', '565c75666631375c75666631335c75666631390a70300a2e'],
      ['héllo wörld ☕', '5668e96c6c6f2077f6726c64205c75323631350a70300a2e'],
      ['a\\u0041 \\ b\nc 😀', '56615c75303035637530303431205c753030356320625c753030306163205c5530303031663630300a70300a2e'],
    ];
    for (const [text, hex] of cases) expect(pickleCodec.decode(Buffer.from(hex, 'hex'))).toMatchObject({ type: 'str', text });
  });

  it('tells bytes, numbers, lists and garbage apart from a str', () => {
    const hex = (h: string) => Buffer.from(h, 'hex');
    expect(pickleCodec.decode(hex('8004950500000000000000430178942e'))).toMatchObject({ type: 'bytes', text: undefined, shown: 'b"x"' });
    expect(pickleCodec.decode(hex('80044b2a2e'))).toMatchObject({ type: 'int', shown: '42' });
    expect(pickleCodec.decode(hex('8004950d000000000000005d94288c0161948c016294652e'))).toMatchObject({ type: 'list', shown: '["a","b"]' });
    expect(pickleCodec.decode(Buffer.from('hello'))).toMatchObject({ type: 'undecodable' });
  });
});

describe('JSON codec (Node.js labs)', () => {
  it('stores JSON.stringify(value) and reads it back with its type', () => {
    expect(jsonCodec.encode('hi "x"').toString()).toBe('"hi \\"x\\""');
    expect(jsonCodec.decode(Buffer.from('"42"'))).toMatchObject({ type: 'str', text: '42' });
    expect(jsonCodec.decode(Buffer.from('42'))).toMatchObject({ type: 'int' });
    expect(jsonCodec.decode(Buffer.from('["a"]'))).toMatchObject({ type: 'list' });
    expect(jsonCodec.decode(Buffer.from('plain'))).toMatchObject({ type: 'undecodable' });
  });
});
