/**
 * Byte streams as the engine hands them over, with nothing of the engine in them: Docker's 8-byte
 * frame demultiplexing, splitting into lines (UTF-8 safe, bounded), bounded capture, and abort
 * wiring. Pure Node streams, so the run layer and unit tests use them without a Docker engine.
 */
import type { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/**
 * Runs `stop` once `signal` aborts, or at once if it already has: a caller that was aborted while
 * the engine was still answering gets no abort event any more. Returns what forgets the listener.
 */
export function onAbort(signal: AbortSignal | undefined, stop: () => void): () => void {
  if (signal?.aborted) {
    stop();
    return () => undefined;
  }
  signal?.addEventListener('abort', stop, { once: true });
  return () => signal?.removeEventListener('abort', stop);
}

/** A minimal Writable handing each chunk to `push`: demuxStream only calls write(). */
export function writableOf(push: (chunk: Buffer) => void): Writable {
  return { write: (chunk: Buffer) => (push(Buffer.from(chunk)), true) } as unknown as Writable;
}

/**
 * A stream's text kept up to `limitBytes` (default 1 MiB); `truncated` says whether more came. A flood of
 * output cannot exhaust memory. (Not the intake's `Collector`, which gathers a submission's files.)
 */
export class BoundedText {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  constructor(private readonly limitBytes = 1024 * 1024) {}

  push(chunk: Buffer): void {
    if (this.size >= this.limitBytes) {
      this.truncated = true;
      return;
    }
    const room = this.limitBytes - this.size;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (part.length < chunk.length) this.truncated = true;
    this.chunks.push(part);
    this.size += part.length;
  }

  writable(): Writable {
    return writableOf((chunk) => this.push(chunk));
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

export interface OutputLineEvent {
  stream: 'stdout' | 'stderr';
  /** Arrival time, ms since epoch. */
  t: number;
  text: string;
}

/**
 * Splits a command's two streams into lines, delivering at most `maxBytes` and counting the rest.
 * What arrives after `end` is dropped: a destroyed response can still hand over data it had read.
 */
export class LineSplitter {
  bytes = 0;
  truncated = false;
  readonly out: Writable;
  readonly err: Writable;
  private ended = false;
  private readonly partial = { stdout: '', stderr: '' };
  // A read ends anywhere, in the middle of a character too: each stream keeps the bytes of one that
  // is not whole yet for its next chunk (decoded chunk by chunk, "é" split in two read as "\ufffd\ufffd").
  private readonly decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };

  constructor(
    private readonly maxBytes: number,
    private readonly emit: (kind: 'stdout' | 'stderr', raw: string) => void,
  ) {
    this.out = this.splitter('stdout');
    this.err = this.splitter('stderr');
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const kind of ['stdout', 'stderr'] as const) {
      const rest = this.partial[kind] + this.decoders[kind].end();
      if (rest) this.emit(kind, rest);
    }
  }

  private splitter(kind: 'stdout' | 'stderr'): Writable {
    // A minimal Writable: demuxStream only calls write().
    const write = (chunk: Buffer): boolean => {
      if (this.ended) return true;
      this.bytes += chunk.length;
      if (this.bytes > this.maxBytes) {
        this.truncated = true;
        return true;
      }
      const lines = (this.partial[kind] + this.decoders[kind].write(chunk)).split('\n');
      this.partial[kind] = lines.pop() ?? '';
      for (const raw of lines) this.emit(kind, raw);
      return true;
    };
    return { write } as unknown as Writable;
  }
}

/** Splits Docker's multiplexed log format (8-byte frame headers) when the container has no TTY. */
export function demuxFrames(buffer: Buffer): { stream: 'stdout' | 'stderr'; data: Buffer }[] {
  const frames: { stream: 'stdout' | 'stderr'; data: Buffer }[] = [];
  let offset = 0;
  const looksFramed = buffer.length >= 8 && (buffer[0] === 1 || buffer[0] === 2) && buffer[1] === 0 && buffer[2] === 0 && buffer[3] === 0;
  if (!looksFramed) return buffer.length ? [{ stream: 'stdout', data: buffer }] : [];
  while (offset + 8 <= buffer.length) {
    const kind = buffer[offset];
    const length = buffer.readUInt32BE(offset + 4);
    const data = buffer.subarray(offset + 8, offset + 8 + length);
    frames.push({ stream: kind === 2 ? 'stderr' : 'stdout', data });
    offset += 8 + length;
  }
  return frames;
}

export function demuxBuffer(buffer: Buffer): string {
  return Buffer.concat(demuxFrames(buffer).map((f) => f.data)).toString('utf8');
}

export function demuxInto(buffer: Buffer, out: Writable, err: Writable): void {
  for (const frame of demuxFrames(buffer)) (frame.stream === 'stderr' ? err : out).write(frame.data);
}

/**
 * One line of a log followed with the engine's timestamps, "2026-11-28T21:46:17.123456789Z text":
 * the engine's time of arrival (ms since epoch, sub-millisecond digits kept), then the text. A line
 * without a stamp keeps `now`.
 */
export function timestampedLine(stream: 'stdout' | 'stderr', raw: string, now: number): OutputLineEvent {
  const space = raw.indexOf(' ');
  const stamp = space > 0 ? Date.parse(raw.slice(0, space)) : Number.NaN;
  const text = Number.isNaN(stamp) ? raw : raw.slice(space + 1);
  return { stream, t: Number.isNaN(stamp) ? now : preciseMs(raw.slice(0, space), stamp), text: text.replace(/\r$/, '') };
}

/** Date.parse keeps milliseconds only; keep the sub-millisecond digits the engine gives. */
function preciseMs(stamp: string, parsed: number): number {
  const fraction = /\.(\d+)Z$/.exec(stamp)?.[1];
  if (!fraction || fraction.length <= 3) return parsed;
  return parsed + Number(`0.${fraction.slice(3)}`);
}
