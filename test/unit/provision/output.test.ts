import { describe, expect, it } from 'vitest';
import { BoundedText, LineSplitter, demuxFrames, timestampedLine } from '../../../runner/provision/streams.js';

const frame = (stream: 1 | 2, text: string): Buffer => {
  const data = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(data.length, 4);
  return Buffer.concat([header, data]);
};

describe('container output', () => {
  it('splits Docker’s multiplexed frames into stdout and stderr', () => {
    const frames = demuxFrames(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n'), frame(1, 'é\n')]));
    expect(frames.map((f) => [f.stream, f.data.toString()])).toEqual([
      ['stdout', 'out\n'],
      ['stderr', 'err\n'],
      ['stdout', 'é\n'],
    ]);
  });

  it('passes TTY output (no frames) through as stdout', () => {
    expect(demuxFrames(Buffer.from('plain text')).map((f) => f.data.toString())).toEqual(['plain text']);
    expect(demuxFrames(Buffer.alloc(0))).toEqual([]);
  });

  it('keeps a character whole when a read ends in the middle of it (every byte boundary of a line)', () => {
    const line = Buffer.from('Received: k7fq2-004-qfäva ７３９１２００６５８２\nnext\n');
    for (let cut = 1; cut < line.length; cut += 1) {
      const seen: string[] = [];
      const lines = new LineSplitter(1024, (kind, raw) => seen.push(`${kind}:${raw}`));
      lines.out.write(line.subarray(0, cut));
      lines.err.write(Buffer.from('é'.repeat(3)).subarray(0, 1));
      lines.out.write(line.subarray(cut));
      lines.err.write(Buffer.from('é'.repeat(3)).subarray(1));
      lines.end();
      expect(seen).toEqual(['stdout:Received: k7fq2-004-qfäva ７３９１２００６５８２', 'stdout:next', 'stderr:ééé']);
    }
  });

  it('bounds what it keeps of a flood of output and says so', () => {
    const c = new BoundedText(10);
    c.push(Buffer.from('0123456'));
    c.push(Buffer.from('789abc'));
    c.push(Buffer.from('more'));
    expect(c.text()).toBe('0123456789');
    expect(c.truncated).toBe(true);
  });

  it("reads the engine's arrival stamp of a followed line, keeping its sub-millisecond digits", () => {
    const line = timestampedLine('stdout', '2026-11-28T21:46:17.123456789Z Received: a b\r', 5);
    expect(line.stream).toBe('stdout');
    expect(line.text).toBe('Received: a b');
    expect(line.t - Date.parse('2026-11-28T21:46:17.123Z')).toBeCloseTo(0.4568, 4);
    expect(timestampedLine('stderr', 'no stamp here', 5)).toEqual({ stream: 'stderr', t: 5, text: 'no stamp here' });
  });
});
