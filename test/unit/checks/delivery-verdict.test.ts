import { describe, expect, it } from 'vitest';
import { type DeliveryEvent, deliveryVerdict } from '../../../runner/checks/delivery-verdict.js';

const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `m${i}`);
const enqueue = (list: string[], t0 = 0): DeliveryEvent[] => list.map((id, i) => ({ type: 'enqueue', t: t0 + i, id }));
/** One replica pops and prints each message in turn, 5 ms after it was put. */
const consume = (replica: string, list: string[], t0 = 0): DeliveryEvent[] =>
  list.flatMap((id, i): DeliveryEvent[] => [
    { type: 'pop', t: t0 + i + 4, replica, id },
    { type: 'print', t: t0 + i + 5, replica, ids: [id] },
  ]);

describe('deliveryVerdict', () => {
  it('exactly once and in order: nothing lost, duplicated, unexpected or reordered', () => {
    const sent = ids(50);
    const v = deliveryVerdict({ events: [...enqueue(sent), ...consume('c1', sent)], remaining: [], replicas: ['c1'] });
    expect(v).toMatchObject({ sent: 50, ok: 50, exactlyOnce: true, lostQueued: [], lostUnprinted: [], duplicated: [], unexpected: [], reordered: [] });
    expect(v.shares).toEqual([{ replica: 'c1', popped: 50, printed: 50, share: 1 }]);
    expect(v.latency).toEqual({ count: 50, p50Ms: 5, p99Ms: 5, maxMs: 5 });
  });

  it('a consumer that exits when the queue is empty loses what is still queued', () => {
    const sent = ids(10);
    const v = deliveryVerdict({ events: [...enqueue(sent), ...consume('c1', sent.slice(0, 4))], remaining: sent.slice(4), replicas: ['c1'] });
    expect(v.lostQueued).toEqual(sent.slice(4));
    expect(v.exactlyOnce).toBe(false);
    expect(v.ok).toBe(4);
  });

  it('a consumer that crashes after a pop loses the popped message (popped, never printed)', () => {
    const sent = ids(5);
    const events = [...enqueue(sent), ...consume('c1', sent.slice(0, 3)), { type: 'pop', t: 20, replica: 'c1', id: 'm3' } as DeliveryEvent];
    const v = deliveryVerdict({ events, remaining: ['m4'], replicas: ['c1'] });
    expect(v.lostUnprinted).toEqual(['m3']);
    expect(v.lostQueued).toEqual(['m4']);
  });

  it('popping from the wrong end is reordered, with examples', () => {
    const sent = ids(6);
    const v = deliveryVerdict({ events: [...enqueue(sent), ...consume('c1', [...sent].reverse(), 10)], remaining: [], replicas: ['c1'] });
    expect(v.reordered).toEqual([{ replica: 'c1', count: 5, examples: ['m4', 'm3', 'm2', 'm1', 'm0'] }]);
    expect(v.exactlyOnce).toBe(true); // order is a separate property from exactly-once
  });

  it('reading without popping (LRANGE) and printing is a duplicate delivery, and the message stays queued', () => {
    const sent = ids(3);
    const events: DeliveryEvent[] = [
      ...enqueue(sent),
      ...sent.flatMap((id, i): DeliveryEvent[] => [
        { type: 'peek', t: 10 + i, replica: 'c1', id },
        { type: 'print', t: 11 + i, replica: 'c1', ids: [id] },
      ]),
    ];
    const v = deliveryVerdict({ events, remaining: sent, replicas: ['c1'] });
    expect(v.duplicated).toEqual(sent);
    expect(v.lostQueued).toEqual(sent);
    expect(v.exactlyOnce).toBe(false);
  });

  it('pushing each item back after printing it is duplicated (and popped again)', () => {
    const events: DeliveryEvent[] = [
      ...enqueue(['m0']),
      { type: 'pop', t: 1, replica: 'c1', id: 'm0' },
      { type: 'print', t: 2, replica: 'c1', ids: ['m0'] },
      { type: 'push', t: 3, replica: 'c1', id: 'm0' },
      { type: 'pop', t: 4, replica: 'c1', id: 'm0' },
      { type: 'print', t: 5, replica: 'c1', ids: ['m0'] },
    ];
    expect(deliveryVerdict({ events, remaining: [], replicas: ['c1'] }).duplicated).toEqual(['m0']);
  });

  it('a message printed by a replica that never popped it is a duplicate', () => {
    const events: DeliveryEvent[] = [...enqueue(['m0']), ...consume('c1', ['m0']), { type: 'print', t: 9, replica: 'c2', ids: ['m0'] }];
    const v = deliveryVerdict({ events, remaining: [], replicas: ['c1', 'c2'] });
    expect(v.duplicated).toEqual(['m0']);
  });

  it('several log lines about one message are one delivery', () => {
    const events: DeliveryEvent[] = [
      ...enqueue(['m0']),
      { type: 'pop', t: 1, replica: 'c1', id: 'm0' },
      { type: 'print', t: 2, replica: 'c1', ids: ['m0'] },
      { type: 'print', t: 3, replica: 'c1', ids: ['m0'] },
    ];
    const v = deliveryVerdict({ events, remaining: [], replicas: ['c1'] });
    expect(v).toMatchObject({ ok: 1, duplicated: [], exactlyOnce: true });
  });

  it('printing guessed ids is unexpected, and does not make unpopped messages delivered', () => {
    const events: DeliveryEvent[] = [...enqueue(['m0', 'm1']), { type: 'print', t: 5, replica: 'c1', ids: ['m0', 'm1', 'guess-7'] }];
    const v = deliveryVerdict({ events, remaining: ['m0', 'm1'], replicas: ['c1'] });
    expect(v.unexpected).toEqual(['guess-7']);
    expect(v.lostQueued).toEqual(['m0', 'm1']);
    expect(v.ok).toBe(0);
  });

  it('a message deleted from Redis (FLUSHALL, DEL) and never popped is lost as vanished', () => {
    const v = deliveryVerdict({ events: enqueue(['m0']), remaining: [], replicas: ['c1'] });
    expect(v.lostVanished).toEqual(['m0']);
  });

  it('two replicas: shares, per-replica order, and a replica that got nothing', () => {
    const sent = ids(20);
    const even = sent.filter((_, i) => i % 2 === 0);
    const odd = sent.filter((_, i) => i % 2 === 1);
    const v = deliveryVerdict({
      events: [...enqueue(sent), ...consume('c1', even, 30), ...consume('c2', odd, 30)],
      remaining: [],
      replicas: ['c1', 'c2', 'c3'],
    });
    expect(v.exactlyOnce).toBe(true);
    expect(v.reordered).toEqual([]);
    expect(v.shares.map((s) => [s.replica, s.printed, s.share])).toEqual([
      ['c1', 10, 0.5],
      ['c2', 10, 0.5],
      ['c3', 0, 0],
    ]);
  });

  it('latency of a message queued before the consumer started counts from its start', () => {
    const events: DeliveryEvent[] = [
      ...enqueue(['m0'], 0),
      { type: 'pop', t: 1000, replica: 'c1', id: 'm0' },
      { type: 'print', t: 1010, replica: 'c1', ids: ['m0'] },
    ];
    const v = deliveryVerdict({ events, remaining: [], replicas: ['c1'], startedAt: { c1: 990 } });
    expect(v.latency.maxMs).toBe(20);
  });

  it('does not trust the log order: a pop listed before its enqueue still matches', () => {
    const events: DeliveryEvent[] = [{ type: 'pop', t: 2, replica: 'c1', id: 'm0' }, { type: 'print', t: 3, replica: 'c1', ids: ['m0'] }, ...enqueue(['m0'])];
    expect(deliveryVerdict({ events, remaining: [], replicas: ['c1'] }).exactlyOnce).toBe(true);
  });
});
