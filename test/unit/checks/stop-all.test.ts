/**
 * stopAll waits for the recorder's log to catch up with the replicas it stopped: their output and
 * the recorder's log arrive by different ways, and a verdict must not read a wire that lacks the
 * last pops (a regression: a correct consumer was once judged to have printed 8 messages it never
 * popped). The wire is fed by hand here; the runs are stand-ins that stop at once.
 */
import { describe, expect, it } from 'vitest';
import { stopAll } from '../../../runner/checks/context.js';
import { WireLog, queueOps } from '../../../runner/checks/wire.js';
import type { ScriptRun } from '../../../runner/run/script.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const queue = { db: 1, key: 'hotqueue:queue' };
const pop = (c: number, id: string, t: number) => ({
  e: 'cmd',
  c,
  t,
  r: t,
  db: 1,
  n: 'BLPOP',
  k: ['hotqueue:queue', '0'],
  y: { a: [{ b: b64('hotqueue:queue') }, { b: b64(id) }], n: 2 },
});

function replica(name: string): ScriptRun {
  const exit = { code: 137, description: 'stopped by the grader', timedOut: false, oomKilled: false, stoppedByGrader: true };
  return { name, stop: async () => exit } as unknown as ScriptRun;
}

function wireWith(lines: object[]): WireLog {
  const wire = new WireLog();
  wire.addRun({ name: 'consumer-1', address: '10.0.0.5', startedAt: 0, endedAt: undefined });
  for (const l of lines) wire.feed(JSON.stringify(l));
  return wire;
}

const pops = (wire: WireLog) => queueOps(wire, wire.commands, queue).filter((o) => o.op === 'pop' && o.run === 'consumer-1').length;

/** Runs stopAll and measures how long it took, in ms. */
async function timed(wire: WireLog, runs: ScriptRun[], wireMs: number): Promise<{ exits: Awaited<ReturnType<typeof stopAll>>; ms: number }> {
  const started = Date.now();
  const exits = await stopAll({ wire, signal: undefined }, runs, wireMs);
  return { exits, ms: Date.now() - started };
}

// The bounds are far apart (the close comes at 150 ms, the give-up is 60 s away) so that a loaded
// machine cannot make a correct stopAll fail, nor a stopAll that waits its whole time pass.
describe('stopAll', () => {
  it('returns once the recorder has logged the close of every connection of the stopped replicas, with every pop before it', async () => {
    const wire = wireWith([{ e: 'open', c: 1, a: '10.0.0.5', t: 1 }, ...Array.from({ length: 42 }, (_, i) => pop(1, `m${i}`, 2 + i))]);
    setTimeout(() => {
      for (let i = 42; i < 50; i += 1) wire.feed(JSON.stringify(pop(1, `m${i}`, 100 + i)));
      wire.feed(JSON.stringify({ e: 'close', c: 1, t: 200 }));
    }, 150);
    const { exits, ms } = await timed(wire, [replica('consumer-1')], 60_000);
    expect(exits.get('consumer-1')?.description).toBe('stopped by the grader');
    // It waited for the close line (a stopAll that does not wait sees 42 pops)...
    expect(pops(wire)).toBe(50);
    expect(ms).toBeGreaterThanOrEqual(140);
    // ...and no longer (one that waits out its time would take 60 s).
    expect(ms).toBeLessThan(10_000);
  });

  it('does not wait for the open connections of runs it did not stop', async () => {
    const wire = wireWith([]);
    wire.addRun({ name: 'consumer-2', address: '10.0.0.9', startedAt: 0, endedAt: undefined });
    for (const line of [
      { e: 'open', c: 1, a: '10.0.0.5', t: 1 },
      { e: 'open', c: 2, a: '10.0.0.9', t: 1 },
      { e: 'close', c: 2, t: 5 },
    ]) {
      wire.feed(JSON.stringify(line));
    }
    // consumer-1's connection never closes: waiting for it would take the whole 60 s.
    const { exits, ms } = await timed(wire, [replica('consumer-2')], 60_000);
    expect(exits.get('consumer-2')?.description).toBe('stopped by the grader');
    expect(ms).toBeLessThan(10_000);
  });

  it('gives up on a close that never comes after wireMs', async () => {
    const wire = wireWith([{ e: 'open', c: 1, a: '10.0.0.5', t: 1 }]);
    const { exits, ms } = await timed(wire, [replica('consumer-1')], 300);
    expect(exits.get('consumer-1')?.description).toBe('stopped by the grader');
    expect(ms).toBeGreaterThanOrEqual(300);
    expect(ms).toBeLessThan(10_000);
  });
});
