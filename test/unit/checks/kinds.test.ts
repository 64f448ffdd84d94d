import { describe, expect, it } from 'vitest';
import { blockingCheck } from '../../../runner/checks/kinds/blocking.js';
import { deliveryCheck } from '../../../runner/checks/kinds/delivery.js';
import { latencyCheck } from '../../../runner/checks/kinds/latency.js';
import { persistenceCheck, saveDeadlineMs } from '../../../runner/checks/kinds/persistence.js';
import { restartCheck } from '../../../runner/checks/kinds/restart.js';
import { checkKindModules } from '../../../runner/checks/kinds/index.js';
import { checkSpecSchema } from '../../../runner/lab/check-kinds.js';
import { FakeWorld } from './fake-world.js';

// The kinds' decisions, driven through their ports: scripted consumers and the wire records they
// make, with no Docker. What a real consumer does to the same checks is test/e2e's and selftest's.

describe('the kinds and the lab format agree', () => {
  it('every kind the lab accepts has its module, with the very schema the lab validates it by', () => {
    expect(checkKindModules.map((k) => k.kind)).toEqual(checkSpecSchema.options.map((o) => o.shape.kind.value));
    expect(checkKindModules.every((k, i) => k.schema === checkSpecSchema.options[i])).toBe(true);
  });
});

describe('delivery, through fake ports', () => {
  const spec = { id: 'delivery', kind: 'delivery' as const, points: 1, messages: 6, replicas: 1, queued_before_start: 2 };

  it('a blocking consumer gets every message once, in order', async () => {
    const result = await deliveryCheck(new FakeWorld('blocking').context(), spec);
    expect(result.summary).toMatch(/^6 sent \(2 before the consumer started\): all 6 delivered exactly once, in order \(consumer-1: 6\)/);
    expect(result.passed).toBe(true);
  });

  it('a consumer that pops a message and never prints it loses it, and says so', async () => {
    const result = await deliveryCheck(new FakeWorld('drops-third').context(), spec);
    expect(result.passed).toBe(false);
    expect(result.summary).toBe('6 sent: 5 delivered exactly once, 1 lost, 0 duplicated, 0 unexpected');
    expect(result.details[0]).toMatch(/^popped but never printed: /);
  });
  it("a consumer that crashes: its last lines without the traceback's carets, and the hint names its line", async () => {
    const result = await deliveryCheck(new FakeWorld('crashes-on-third').context(), spec);
    expect(result.passed).toBe(false);
    expect(result.details).toContain(`consumer-1 printed 7 line(s), last: "    print(int(item))" "ValueError: invalid literal for int() with base 10: 'x'"`);
    expect(result.diagnosis[0]).toBe(
      "consumer.py crashed (exited with code 1): ValueError: invalid literal for int() with base 10: 'x', at consumer.py line 9, in <module>: print(int(item))",
    );
  });
});

describe('blocking, through fake ports', () => {
  const spec = { id: 'blocking', kind: 'blocking' as const, points: 1, idle_ms: 400, max_commands_per_second: 20 };

  it('a consumer waiting in BLPOP sends nothing while the queue is empty', async () => {
    const result = await blockingCheck(new FakeWorld('blocking').context(), spec);
    expect(result.summary).toBe('0 command(s) in 400 ms on an empty queue: 0.0 per second (limit: fewer than 20)');
    expect(result.passed).toBe(true);
  });

  it('a consumer that polls with LPOP fails on its rate, with the hint to block', async () => {
    const result = await blockingCheck(new FakeWorld('busy-polls').context(), spec);
    expect(result.passed).toBe(false);
    expect(result.summary).toMatch(/^\d+ command\(s\) in 400 ms on an empty queue: \d+\.\d per second \(limit: fewer than 20\); LPOP$/);
    expect(result.diagnosis.join('\n')).toMatch(/polled Redis/);
  });

  it('a consumer that blocks, but for 10 ms at a time, fails on its rate alone', async () => {
    const result = await blockingCheck(new FakeWorld('short-timeouts').context(), spec);
    expect(result.passed).toBe(false);
    expect(result.summary).toMatch(/^\d+ command\(s\) in 400 ms on an empty queue: \d+\.\d per second \(limit: fewer than 20\); BLPOP$/);
  });

  it('a consumer that ends when the queue is empty fails for ending, not for its rate', async () => {
    const result = await blockingCheck(new FakeWorld('exits-when-empty').context(), spec);
    expect(result.passed).toBe(false);
    expect(result.summary).toBe('consumer.py ended (exited with code 0) instead of waiting on the empty queue');
  });
});

describe('latency, through fake ports', () => {
  const spec = { id: 'latency', kind: 'latency' as const, points: 1, idle_ms: 200, within_ms: 150 };
  const world = (printDelayMs: (pop: number) => number): FakeWorld => Object.assign(new FakeWorld('blocking'), { printDelayMs });

  it('a consumer waiting in BLPOP prints a new message at once', async () => {
    const result = await latencyCheck(world(() => 0).context(), spec);
    expect(result.summary).toMatch(/^after 200 ms idle, a new message was printed in \d+ ms \(limit 150 ms\)$/);
    expect(result.passed).toBe(true);
  });

  it('a print late once after a pop the wire shows served at once (a loaded machine) is measured again, not held against the student', async () => {
    // Pop 1 is the warm-up message, pop 2 the first measured one.
    const result = await latencyCheck(world((pop) => (pop === 2 ? 400 : 0)).context(), spec);
    expect(result.summary).toMatch(
      /^after 200 ms idle, a new message was printed in \d+ ms \(limit 150 ms; measured again: the first was popped at once but printed after \d+ ms\)$/,
    );
    expect(result.passed).toBe(true);
  });

  it('a consumer that is slow between its pop and its print every time fails, and the hint says the delay is after the pop', async () => {
    const result = await latencyCheck(world(() => 400).context(), spec);
    expect(result.passed).toBe(false);
    expect(result.summary).toMatch(/^after 200 ms idle, a new message was printed in \d+ ms \(limit 150 ms; measured twice\)$/);
    expect(result.diagnosis).toEqual([
      expect.stringMatching(
        /^the wire shows consumer\.py popped the message \d+ ms after it was put \(BLPOP\) and printed it \d+ ms after the put: print each item as soon as it is popped \(no sleep or slow work before the print\)$/,
      ),
    ]);
  });
});

describe('restart, through fake ports', () => {
  const spec = { id: 'restart', kind: 'restart' as const, points: 1, messages: 4 };

  it('a consumer stopped while idle and started again gets what was queued meanwhile, once', async () => {
    const result = await restartCheck(new FakeWorld('blocking').context(), spec);
    expect(result.summary).toBe('4 messages queued while the consumer was down: the restarted consumer printed 4 of them');
    expect(result.passed).toBe(true);
  });

  it('a first consumer that ended by itself before the grader stopped it fails, though the second printed all', async () => {
    const result = await restartCheck(new FakeWorld('exits-when-empty').context(), spec);
    expect(result.passed).toBe(false);
    expect(result.summary).toMatch(
      /^the first consumer ended by itself \(exited with code 0\) before it was stopped; 4 messages queued while the consumer was down: the restarted consumer printed 4 of them/,
    );
  });
});

describe('persistence, through fake ports', () => {
  const spec = { id: 'persistence', kind: 'persistence' as const, points: 1, messages: 4 };
  /** A world whose Redis saves on the `savesAt`-th look after the put (never: undefined), and whose crash keeps the queue only when it had saved. */
  function world(options: { snapshots: boolean; savesAt?: number; volume?: boolean }) {
    const w = new FakeWorld();
    let looks = 0;
    let saved = false;
    let queue: Buffer[] = [];
    w.probe.savesConfigured = async () => options.snapshots;
    w.probe.persistence = async () => {
      looks += 1;
      saved = options.savesAt !== undefined && looks >= options.savesAt;
      return { settled: saved };
    };
    const push = w.probe.push;
    w.probe.push = async (db, key, values) => ((queue = [...values]), push(db, key, values));
    w.probe.range = async () => queue;
    w.redis.crash = async () => {
      if (!saved || options.volume === false) queue = [];
    };
    return w;
  }

  it('kills Redis once it has saved, not before: the queue survives, and the summary says when', async () => {
    const result = await persistenceCheck(world({ snapshots: true, savesAt: 3 }).context(), spec);
    expect(result.summary).toMatch(
      /^4 messages queued; Redis saved 0\.\d s after the put and was killed then, and re-created from the lab: 4 of 4 were still queued$/,
    );
    expect(result.passed).toBe(true);
  });

  it(`kills Redis unsaved after ${saveDeadlineMs} ms when its save setting is not prompt: the queue is lost`, async () => {
    const started = Date.now();
    const result = await persistenceCheck(world({ snapshots: true }).context(), spec);
    expect(Date.now() - started).toBeGreaterThanOrEqual(saveDeadlineMs);
    expect(result.summary).toMatch(/Redis had not saved 3\.\d s after the put and was killed then, .*: 0 of 4 were still queued$/);
    expect(result.passed).toBe(false);
  });

  it('without a snapshot setting, kills Redis a little over a second after the put', async () => {
    const result = await persistenceCheck(world({ snapshots: false }).context(), spec);
    expect(result.summary).toMatch(/Redis had not saved 1\.\d s after the put \(no snapshot setting\) and was killed then/);
    expect(result.passed).toBe(false);
  });

  it('a save into a container without the data volume is lost with it, and the hint names the volume', async () => {
    const w = world({ snapshots: true, savesAt: 1, volume: false });
    const redis = { ...w.redis, definition: { command: ['--save', '1', '1'], mountTargets: [] } };
    const result = await persistenceCheck(w.context({ redis }), spec);
    expect(result.passed).toBe(false);
    expect(result.diagnosis?.join('\n')).toMatch(/must keep the volume \.\/data:\/data/);
  });
});
