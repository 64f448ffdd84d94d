import { describe, expect, it } from 'vitest';
import { queueOps, WireLog, wireProfile } from '../../../runner/checks/wire.js';
import { b64, log } from './wire-fixture.js';

const queue = { db: 1, key: 'hotqueue:queue' };

describe('WireLog and queueOps', () => {
  it('ties connections to runs by address and derives pops, peeks and pushes on the queue', () => {
    const w = log([
      { e: 'open', c: 1, a: '10.0.0.5', t: 10 },
      { e: 'open', c: 2, a: '10.0.0.6', t: 11 },
      { e: 'cmd', c: 1, t: 12, r: 12, db: 1, n: 'SELECT', k: ['1'] },
      { e: 'wait', c: 1, t: 13, n: 'BLPOP' },
      { e: 'cmd', c: 1, t: 13, r: 20, db: 1, n: 'BLPOP', k: ['hotqueue:queue', '0'], y: { a: [{ b: b64('hotqueue:queue') }, { b: b64('m1') }], n: 2 } },
      { e: 'cmd', c: 2, t: 21, r: 21, db: 1, n: 'LRANGE', k: ['hotqueue:queue', '0', '-1'], y: { a: [{ b: b64('m2') }, { b: b64('m3') }], n: 2 } },
      { e: 'cmd', c: 2, t: 22, r: 22, db: 1, n: 'RPUSH', k: ['hotqueue:queue'], v: [b64('m2')], y: { i: 3 } },
      { e: 'cmd', c: 2, t: 23, r: 23, db: 0, n: 'LPOP', k: ['hotqueue:queue'], y: { b: b64('other-db') } },
      { e: 'cmd', c: 1, t: 24, r: 24, db: 1, n: 'LPOP', k: ['hotqueue:queue', '2'], y: { a: [{ b: b64('m4') }, { b: b64('m5') }], n: 2 } },
      { e: 'close', c: 2, t: 30 },
    ]);
    const ops = queueOps(w, w.commands, queue).map((o) => [o.op, o.run, o.raw.toString(), o.t]);
    expect(ops).toEqual([
      ['pop', 'consumer-1', 'm1', 20],
      ['peek', 'consumer-2', 'm2', 21],
      ['peek', 'consumer-2', 'm3', 21],
      ['push', 'consumer-2', 'm2', 22],
      ['pop', 'consumer-1', 'm4', 24],
      ['pop', 'consumer-1', 'm5', 24],
    ]);
    expect(w.connectionsOf('consumer-2')[0]!.closedAt).toBe(30);
  });

  it('knows a connection waits in a blocking pop until it is served', () => {
    const w = log([
      { e: 'open', c: 1, a: '10.0.0.5', t: 10 },
      { e: 'wait', c: 1, t: 13, n: 'BLPOP' },
    ]);
    expect(w.connectionsOf('consumer-1')[0]!.waitingSince).toBe(13);
    w.feed(JSON.stringify({ e: 'cmd', c: 1, t: 13, r: 40, db: 1, n: 'BLPOP', k: ['hotqueue:queue', '0'], y: null }));
    expect(w.connectionsOf('consumer-1')[0]!.waitingSince).toBeUndefined();
  });

  it('attributes an address reused by a later container to the later run', () => {
    const w = new WireLog();
    w.addRun({ name: 'first', address: '10.0.0.5', startedAt: 0, endedAt: 5000 });
    w.addRun({ name: 'second', address: '10.0.0.5', startedAt: 9000, endedAt: undefined });
    w.feed(JSON.stringify({ e: 'open', c: 1, a: '10.0.0.5', t: 9500 }));
    w.feed(JSON.stringify({ e: 'open', c: 2, a: '10.0.0.5', t: 100 }));
    expect(w.connections.get(1)!.run).toBe('second');
    expect(w.connections.get(2)!.run).toBe('first');
  });

  it("gives runs one after another in one container their own connections, even when a line arrives before the next run is known (a regression: a pop of the second run counted as the first one's, and the message as gone)", () => {
    const w = new WireLog();
    w.addRun({ name: 'consumer-2', address: '10.0.0.5', startedAt: 1000, endedAt: 5000 });
    // The second run's first connection is read from the recorder before the run is registered.
    w.feed(JSON.stringify({ e: 'open', c: 1, a: '10.0.0.5', t: 5300 }));
    w.feed(
      JSON.stringify({
        e: 'cmd',
        c: 1,
        t: 5400,
        r: 5401,
        db: 1,
        n: 'BLPOP',
        k: ['hotqueue:queue', '0'],
        y: { a: [{ b: b64('hotqueue:queue') }, { b: b64('m1') }], n: 2 },
      }),
    );
    w.addRun({ name: 'consumer-1', address: '10.0.0.5', startedAt: 5200, endedAt: undefined });
    w.addRun({ name: 'consumer-2', address: '10.0.0.6', startedAt: 5200, endedAt: undefined });
    expect(w.runOf(w.commands[0]!)).toBe('consumer-1');
    expect(w.connectionsOf('consumer-1').map((c) => c.id)).toEqual([1]);
    expect(w.connectionsOf('consumer-2')).toEqual([]);
    // A run that ended 300 ms before: its window does not hold the connection, the new run's does.
    w.addRun({ name: 'restarted', address: '10.0.0.7', startedAt: 0, endedAt: 6000 });
    w.feed(JSON.stringify({ e: 'open', c: 2, a: '10.0.0.7', t: 6300 }));
    w.addRun({ name: 'after', address: '10.0.0.7', startedAt: 6200, endedAt: undefined });
    expect(w.connectionsOf('after').map((c) => c.id)).toEqual([2]);
  });
  it('profiles what a run did: dbs, keys (not a blocking timeout), empty polls, peeks, pushes, wrong end', () => {
    const lines: object[] = [
      { e: 'open', c: 1, a: '10.0.0.5', t: 1 },
      { e: 'cmd', c: 1, t: 2, r: 2, db: 0, n: 'SELECT', k: ['0'] },
    ];
    for (let i = 0; i < 25; i += 1) lines.push({ e: 'cmd', c: 1, t: 3 + i, r: 3 + i, db: 0, n: 'LPOP', k: ['hotqueue:jobs'], y: null });
    lines.push({ e: 'cmd', c: 1, t: 40, r: 41, db: 0, n: 'BRPOP', k: ['hotqueue:jobs', '0'], y: null });
    const p = wireProfile(log(lines), 'consumer-1');
    expect(p).toMatchObject({ connections: 1, dbs: [0], keys: ['hotqueue:jobs'], emptyPops: 25, blockingPops: 1, rpops: 1, peeks: 0, pushes: 0 });
  });

  it('ignores lines that are not JSON and marks the connection whose bytes the recorder could not read', () => {
    const w = log([
      { e: 'open', c: 1, a: '10.0.0.5', t: 1 },
      { e: 'unparsed', c: 1, t: 2, d: 'reply', why: 'unknown RESP type byte 0x40', at: '400d0a' },
    ]);
    w.feed('not json');
    expect(w.connections.get(1)?.unreadable).toEqual({ t: 2, direction: 'reply', why: 'unknown RESP type byte 0x40', at: '400d0a' });
    expect(w.commands).toEqual([]);
  });

  it('knows which protocol each connection speaks: RESP2 until a HELLO 3 succeeds', () => {
    const w = log([
      { e: 'open', c: 1, a: '10.0.0.5', t: 1 },
      { e: 'open', c: 2, a: '10.0.0.5', t: 1 },
      { e: 'proto', c: 2, t: 2, v: 3 },
    ]);
    expect([w.connections.get(1)?.protocol, w.connections.get(2)?.protocol]).toEqual([2, 3]);
  });
});

describe('wireProfile of a consumer waiting on the wrong queue', () => {
  it('counts a blocking pop that is never served by its db and key (a regression: it showed nothing)', () => {
    const w = log([
      { e: 'open', c: 1, a: '10.0.0.5', t: 1 },
      { e: 'cmd', c: 1, t: 2, r: 2, db: 0, n: 'SELECT', k: ['0'] },
      { e: 'wait', c: 1, t: 3, n: 'BLPOP', db: 0, k: ['hotqueue:jobs', '0'] },
    ]);
    expect(wireProfile(w, 'consumer-1')).toMatchObject({ dbs: [0], keys: ['hotqueue:jobs'], blockingPops: 1 });
  });
});

describe('wireProfile of a consumer whose own client cuts its blocking pop', () => {
  const cutThenAgain = [
    { e: 'open', c: 1, a: '10.0.0.5', t: 10 },
    { e: 'wait', c: 1, t: 20, n: 'BLPOP', db: 1, k: ['hotqueue:queue', '0'] },
    { e: 'open', c: 2, a: '10.0.0.5', t: 5010 },
    { e: 'close', c: 1, t: 5012 },
    { e: 'wait', c: 2, t: 5020, n: 'BLPOP', db: 1, k: ['hotqueue:queue', '0'] },
  ];

  it('counts a pop left unserved when its connection closed and the run asked again on a new one', () => {
    const p = wireProfile(log(cutThenAgain), 'consumer-1');
    expect([p.cutPops, p.cutAfterMs]).toEqual([1, 4992]);
  });

  it('does not count a pop the grader cut by stopping the run, though a later run of the same name connects', () => {
    const w = new WireLog();
    w.addRun({ name: 'consumer-1', address: '10.0.0.5', startedAt: 0, endedAt: 5000 });
    w.addRun({ name: 'consumer-1', address: '10.0.0.5', startedAt: 7000, endedAt: undefined });
    for (const l of [
      { e: 'open', c: 1, a: '10.0.0.5', t: 10 },
      { e: 'wait', c: 1, t: 20, n: 'BLPOP', db: 1, k: ['hotqueue:queue', '0'] },
      { e: 'close', c: 1, t: 4990 },
      { e: 'open', c: 2, a: '10.0.0.5', t: 7010 },
    ])
      w.feed(JSON.stringify(l));
    expect(wireProfile(w, 'consumer-1').cutPops).toBe(0);
  });
});

describe('WireLog.nextCommand', () => {
  const line = (n: string, k: string[]): string => JSON.stringify({ e: 'cmd', c: 1, t: 1, r: 1, db: 0, n, k, y: { s: 'OK' } });
  const isSet = (c: { name: string }): boolean => c.name === 'SET';

  it('resolves true at the first command that matches, not at one that does not', async () => {
    const w = new WireLog();
    let hit: boolean | undefined;
    const waiting = w.nextCommand(isSet, 10_000).then((h) => (hit = h));
    w.feed(line('GET', ['job.1']));
    await Promise.resolve();
    expect(hit).toBeUndefined();
    w.feed(line('SET', ['job.1']));
    expect(await waiting).toBe(true);
  });

  it('resolves false when none comes within its time, and rejects when aborted', async () => {
    const w = new WireLog();
    expect(await w.nextCommand(isSet, 5)).toBe(false);
    const abort = new AbortController();
    const waiting = w.nextCommand(isSet, 10_000, abort.signal);
    abort.abort(new Error('stopped'));
    await expect(waiting).rejects.toThrow('stopped');
  });
});
