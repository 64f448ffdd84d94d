/**
 * stopAll waits for the recorder's log to catch up with the replicas it stopped: their output and
 * the recorder's log arrive by different ways, and a verdict must not read a wire that lacks the
 * last pops (a regression: a correct consumer was once judged to have printed 8 messages it never
 * popped). The wire is fed by hand here; the runs are stand-ins that stop at once.
 */
import { describe, expect, it } from 'vitest';
import { stopAll } from '../../../runner/checks/kinds/consumers.js';
import { WireLog, queueOps } from '../../../runner/checks/wire.js';
import type { ScriptRun } from '../../../runner/run/script.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const queue = { db: 1, key: 'hotqueue:queue' };
const pop = (c: number, id: string, t: number) => ({ e: 'cmd', c, t, r: t, db: 1, n: 'BLPOP', k: ['hotqueue:queue', '0'], y: { a: [{ b: b64('hotqueue:queue') }, { b: b64(id) }], n: 2 } });

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

describe('stopAll', () => {
  it('returns once the recorder has logged the close of every connection of the stopped replicas, with every pop before it', async () => {
    const wire = wireWith([{ e: 'open', c: 1, a: '10.0.0.5', t: 1 }, ...Array.from({ length: 42 }, (_, i) => pop(1, `m${i}`, 2 + i))]);
    setTimeout(() => {
      for (let i = 42; i < 50; i += 1) wire.feed(JSON.stringify(pop(1, `m${i}`, 100 + i)));
      wire.feed(JSON.stringify({ e: 'close', c: 1, t: 200 }));
    }, 150);
    const exits = await stopAll({ wire, signal: undefined }, [replica('consumer-1')]);
    expect(exits.get('consumer-1')?.description).toBe('stopped by the grader');
    expect(pops(wire)).toBe(50);
  });

  it('does not wait for connections of other runs, and gives up on a close that never comes', async () => {
    const wire = wireWith([
      { e: 'open', c: 1, a: '10.0.0.5', t: 1 },
      { e: 'open', c: 2, a: '10.0.0.9', t: 1 },
    ]);
    // Would outlast the test's own timeout if it waited for consumer-1's connection.
    await stopAll({ wire, signal: undefined }, [replica('consumer-2')], 60_000);
    const started = Date.now();
    await stopAll({ wire, signal: undefined }, [replica('consumer-1')], 300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });
});
