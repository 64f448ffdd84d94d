/** What the grader could not see: blind spots of the wire log and prints the wire cannot explain. */
import { describe, expect, it } from 'vitest';
import { blindError, blindSpots, unexplainedPrints } from '../../../runner/checks/evidence.js';
import { b64, log } from './wire-fixture.js';

const ids = (raw: Buffer): string[] => raw.toString().match(/tok-\d+/g) ?? [];

describe('blindSpots', () => {
  it('names a connection whose bytes the recorder could not read, while it was in use', () => {
    const w = log([
      { e: 'open', c: 1, a: '10.0.0.5', t: 10 },
      { e: 'unparsed', c: 1, t: 12, d: 'reply', why: 'unknown RESP type byte 0x40', at: '40330d0a' },
    ]);
    expect(blindSpots(w, 11, 20)).toEqual([
      "the wire recorder could not read Redis's replies on consumer-1's connection from 10.0.0.5 (RESP2): unknown RESP type byte 0x40; the first bytes not understood: 40330d0a",
    ]);
    // Closed before the window: it cannot have hidden anything the check judged.
    w.feed(JSON.stringify({ e: 'close', c: 1, t: 15 }));
    expect(blindSpots(w, 16, 20)).toEqual([]);
  });

  it('names a connection that sent commands from an address no run had, and not one that sent nothing', () => {
    const w = log([
      { e: 'open', c: 1, a: '10.0.0.9', t: 10 },
      { e: 'open', c: 2, a: '10.0.0.8', t: 10 },
      { e: 'cmd', c: 1, t: 11, r: 11, db: 1, n: 'LPOP', k: ['hotqueue:queue'], y: { b: b64('tok-1') } },
    ]);
    const spots = blindSpots(w, 0, 20);
    expect(spots).toHaveLength(1);
    expect(spots[0]).toMatch(/^a connection from 10\.0\.0\.9 sent commands to Redis, but no script the grader ran had that address/);
  });

  it('is empty for a complete log', () => {
    const w = log([
      { e: 'open', c: 1, a: '10.0.0.5', t: 10 },
      { e: 'cmd', c: 1, t: 11, r: 11, db: 1, n: 'LPOP', k: ['hotqueue:queue'], y: null },
    ]);
    expect(blindSpots(w, 0, 20)).toEqual([]);
  });
});

describe('unexplainedPrints', () => {
  it('finds a run that printed messages no recorded reply carried (a connection the recorder lost)', () => {
    const w = log([
      { e: 'open', c: 1, a: '10.0.0.5', t: 10 },
      { e: 'cmd', c: 1, t: 11, r: 11, db: 0, n: 'HELLO', k: ['3'] },
      { e: 'cmd', c: 1, t: 12, r: 13, db: 1, n: 'BLPOP', k: ['hotqueue:queue', '0'], y: { a: [{ b: b64('hotqueue:queue') }, { b: b64('tok-1') }], n: 2 } },
    ]);
    const printed = new Map([['consumer-1', new Set(['tok-1', 'tok-2', 'tok-3'])]]);
    expect(unexplainedPrints(w, printed, ids)).toEqual([{ run: 'consumer-1', ids: ['tok-2', 'tok-3'] }]);
  });

  it('says nothing of a run that used a command whose reply the recorder does not keep', () => {
    const w = log([
      { e: 'open', c: 1, a: '10.0.0.5', t: 10 },
      { e: 'cmd', c: 1, t: 11, r: 11, db: 1, n: 'HGETALL' },
    ]);
    expect(unexplainedPrints(w, new Map([['consumer-1', new Set(['tok-1'])]]), ids)).toEqual([]);
  });

  it('explains a message carried by any run, pushed or popped', () => {
    const w = log([
      { e: 'open', c: 1, a: '10.0.0.5', t: 10 },
      { e: 'cmd', c: 1, t: 11, r: 11, db: 1, n: 'RPUSH', k: ['x'], v: [b64('tok-4')], y: { i: 1 } },
    ]);
    expect(unexplainedPrints(w, new Map([['consumer-1', new Set(['tok-4'])]]), ids)).toEqual([]);
  });
});

describe('blindError', () => {
  it('is an infrastructure error (exit 3) that lists what was not seen and names the check', () => {
    const error = blindError(['spot one'], 'delivery-one-consumer');
    expect(error.code).toBe('WIRE_UNREADABLE');
    expect(error.exitCode).toBe(3);
    expect(error.message).toBe('delivery-one-consumer: the grader could not see everything on the Redis wire, so it does not judge this check');
    expect(error.details).toEqual(['spot one']);
  });
});
