/**
 * How items are stored on the queue: hotqueue pickles them (Python labs), the Node.js labs store
 * JSON.stringify(value). Decoding reads raw buffers with a maintained pickle parser, and says what
 * type an item had, so that a producer that puts bytes or a list instead of a str is told so.
 */
import { Parser } from 'pickleparser';

export interface DecodedItem {
  /** The value as a string when it is one. */
  text: string | undefined;
  /** "str", "bytes", "int", "list", "dict", "float", "none", "bool", or "undecodable". */
  type: string;
  /** How to show it to a person. */
  shown: string;
}

export interface Codec {
  name: 'pickle' | 'json';
  encode: (value: string) => Buffer;
  decode: (raw: Buffer) => DecodedItem;
}

/** A str pickled as Python 3.8+ does by default (protocol 4, one frame). */
export function pickleString(value: string): Buffer {
  const text = Buffer.from(value, 'utf8');
  const opcode = text.length < 256 ? Buffer.from([0x8c, text.length]) : Buffer.concat([Buffer.from([0x58]), u32(text.length)]);
  const body = Buffer.concat([opcode, text, Buffer.from([0x94, 0x2e])]);
  const frameLength = Buffer.alloc(8);
  frameLength.writeBigUInt64LE(BigInt(body.length));
  return Buffer.concat([Buffer.from([0x80, 0x04, 0x95]), frameLength, body]);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

function describe(value: unknown): DecodedItem {
  if (typeof value === 'string') return { text: value, type: 'str', shown: JSON.stringify(value) };
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    const b = Buffer.from(value);
    return { text: undefined, type: 'bytes', shown: `b${JSON.stringify(b.toString('latin1'))}` };
  }
  if (value === null || value === undefined) return { text: undefined, type: 'none', shown: 'None' };
  if (typeof value === 'boolean') return { text: undefined, type: 'bool', shown: value ? 'True' : 'False' };
  if (typeof value === 'number' || typeof value === 'bigint') {
    return { text: undefined, type: Number.isInteger(Number(value)) ? 'int' : 'float', shown: String(value) };
  }
  if (Array.isArray(value)) return { text: undefined, type: 'list', shown: safeJson(value) };
  return { text: undefined, type: 'dict', shown: safeJson(value) };
}

function safeJson(value: unknown): string {
  try {
    const s = JSON.stringify(value);
    return s.length > 200 ? `${s.slice(0, 197)}...` : s;
  } catch {
    return String(value);
  }
}

/**
 * The str of a protocol-0 pickle that is one str (`V<text>\n`, a memo `p0\n` or not, `.`), or
 * undefined for any other pickle. Protocol 0 writes a str as raw-unicode-escape text: a Latin-1 byte
 * per character below U+0100, `\uXXXX` or `\UXXXXXXXX` above (and for `\`, `\n`, `\r`, NUL, `\x1a`),
 * which pickleparser 0.2.1 returns undecoded (`\u0142` for "ł") and reads Latin-1 bytes as Windows-1252.
 */
function protocol0String(raw: Buffer): string | undefined {
  const whole = /^V([^\n]*)\n(?:p\d+\n)?\.$/.exec(raw.toString('latin1'));
  if (!whole) return undefined;
  // As CPython decodes it: an escape only after an odd number of backslashes.
  return whole[1]!.replace(/(\\+)(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})/g, (all, slashes: string, escape: string) => {
    const code = Number.parseInt(escape.slice(1), 16);
    return slashes.length % 2 === 0 || code > 0x10ffff ? all : slashes.slice(1) + String.fromCodePoint(code);
  });
}

export const pickleCodec: Codec = {
  name: 'pickle',
  encode: pickleString,
  decode: (raw) => {
    try {
      return describe(protocol0String(raw) ?? new Parser().parse(raw));
    } catch {
      return { text: undefined, type: 'undecodable', shown: `raw bytes ${JSON.stringify(raw.subarray(0, 60).toString('latin1'))}` };
    }
  },
};

export const jsonCodec: Codec = {
  name: 'json',
  encode: (value) => Buffer.from(JSON.stringify(value), 'utf8'),
  decode: (raw) => {
    try {
      return describe(JSON.parse(raw.toString('utf8')));
    } catch {
      return { text: undefined, type: 'undecodable', shown: `not JSON: ${JSON.stringify(raw.subarray(0, 60).toString('utf8'))}` };
    }
  },
};

/** How a lab of `runtime` stores items: JSON for Node.js labs, hotqueue's pickles for Python ones. */
export function codecFor(runtime: 'python' | 'node'): Codec {
  return runtime === 'node' ? jsonCodec : pickleCodec;
}
