/**
 * A check's world without Docker, for unit tests of the check kinds' decisions: an in-memory queue
 * behind the probe port, scripted consumers started through the startScript port, and the wire log
 * fed the recorder's own records (open, wait, cmd, close) for what those consumers do. Pure: no
 * container, no Redis, no network. Each consumer behaviour is named for what a student wrote.
 */
import { codecFor } from '../../../runner/checks/codec.js';
import { type CheckContext, type ScriptStarter, defaultQueue } from '../../../runner/checks/context.js';
import { phrasings } from '../../../runner/checks/diagnose.js';
import type { HttpPort, RedisPort } from '../../../runner/checks/ports.js';
import type { Probe } from '../../../runner/checks/probe.js';
import { seededRandom, tokenSource } from '../../../runner/checks/tokens.js';
import { WireLog } from '../../../runner/checks/wire.js';
import type { Lab } from '../../../runner/lab/types.js';
import type { OutputLine, ScriptExit, ScriptRun } from '../../../runner/run/script.js';

/**
 * blocking: `for item in q.consume(): print(item)`, a BLPOP loop.
 * exits-when-empty: LPOPs until the queue is empty, then ends (exit 0).
 * busy-polls: an LPOP every 10 ms, empty or not.
 * short-timeouts: a BLPOP with a 10 ms timeout, again and again (`q.consume(timeout=0.01)` in a loop).
 * drops-third: blocking, but the third message it pops is never printed.
 * crashes-on-third: blocking, but on the third message it pops it dies with a Python 3.11 traceback (exit 1).
 */
export type Behaviour = 'blocking' | 'exits-when-empty' | 'busy-polls' | 'short-timeouts' | 'drops-third' | 'crashes-on-third';

const b64 = (data: Buffer | string): string => Buffer.from(data).toString('base64');

export class FakeWorld {
  readonly wire = new WireLog();
  readonly lab = {
    id: 'fake',
    runtime: 'python',
    redisService: 'redis-db',
    scripts: {
      consumer: { service: 'python', command: ['python3', 'consumer.py'] },
      producer: { service: 'python', command: ['python3', 'producer.py'] },
    },
    files: [{ path: 'consumer.py', role: 'consumer' }],
    checks: [],
  } as unknown as Lab;
  readonly codec = codecFor('python');
  readonly queue = defaultQueue;
  /** The behaviour of each consumer run, in start order; the last repeats. */
  behaviours: Behaviour[];
  /**
   * How long a blocking consumer takes from its `pop`-th pop (1 the first, per run) to printing it:
   * a sleep before `print` in the script, or a loaded machine that runs it late. None by default.
   */
  printDelayMs: (pop: number) => number = () => 0;
  private readonly items: Buffer[] = [];
  private readonly consumers: FakeConsumer[] = [];
  private nextConnection = 1;
  private started = 0;

  constructor(...behaviours: Behaviour[]) {
    this.behaviours = behaviours.length ? behaviours : ['blocking'];
  }

  record(event: Record<string, unknown>): void {
    this.wire.feed(JSON.stringify({ t: Date.now(), ...event }));
  }

  /** The queue, as the probe sees it (other keys and dbs hold nothing here). */
  readonly probe: Probe = {
    push: async (db, key, values) => {
      if (db === this.queue.db && key === this.queue.key) this.items.push(...values);
      this.serveWaiters();
      return this.items.length;
    },
    range: async () => [...this.items],
    length: async () => this.items.length,
    store: async () => undefined,
    lists: async () => (this.items.length ? [{ db: this.queue.db, key: this.queue.key, length: this.items.length }] : []),
    flushAll: async () => void this.items.splice(0),
    savesConfigured: async () => true,
    persistence: async () => ({ settled: true }),
    otherClients: async () => this.consumers.filter((c) => c.open).length,
    close: async () => undefined,
  };

  readonly redis: RedisPort = {
    service: 'redis-db',
    definition: { command: ['--save', '1', '1'], mountTargets: ['/data'] },
    crash: async () => undefined,
    recreate: async () => undefined,
    moveAddress: async () => ({ from: '10.0.0.2', to: '10.0.0.3' }),
    rename: async () => ({ from: '10.0.0.2', to: '10.0.0.4' }),
    readyRename: () => undefined,
  };

  /** No HTTP service in this world: every request is refused. */
  readonly http: HttpPort = {
    request: async () => ({ answered: false, failure: 'refused', message: 'ECONNREFUSED', ms: 0 }),
  };

  readonly startScript: ScriptStarter = async (options) => {
    const behaviour = this.behaviours[Math.min(this.started, this.behaviours.length - 1)]!;
    this.started += 1;
    const address = `10.0.1.${this.started}`;
    const startedAt = Date.now();
    options.onStart?.({ address, startedAt });
    const consumer = new FakeConsumer(this, options.name, address, startedAt, behaviour, this.nextConnection);
    this.nextConnection += 1;
    this.consumers.push(consumer);
    // As a real script: it connects a moment after it starts.
    setTimeout(() => consumer.begin(), 5);
    return consumer.run;
  };

  /** The first item, if any, taken off the queue. */
  take(): Buffer | undefined {
    return this.items.shift();
  }

  /** Hands queued items to consumers waiting in BLPOP, first come first served, as Redis does. */
  serveWaiters(): void {
    for (;;) {
      const waiting = this.consumers.filter((c) => c.waitingSince !== undefined).sort((a, b) => a.waitingSince! - b.waitingSince!)[0];
      if (!waiting || !this.items.length) return;
      waiting.served(this.take()!);
    }
  }

  context(overrides: Partial<CheckContext> = {}): CheckContext {
    return {
      lab: this.lab,
      startScript: this.startScript,
      probe: this.probe,
      redis: this.redis,
      http: this.http,
      studentService: 'python',
      wire: this.wire,
      tokens: tokenSource(seededRandom(7)),
      codec: this.codec,
      phrasing: phrasings.consume,
      queue: this.queue,
      signal: undefined,
      scriptTimeoutMs: 15_000,
      runs: [],
      ...overrides,
    };
  }
}

class FakeConsumer {
  open = false;
  waitingSince: number | undefined;
  readonly lines: OutputLine[] = [];
  readonly run: ScriptRun;
  private ended = false;
  private pops = 0;
  private timer: NodeJS.Timeout | undefined;
  private finish!: (exit: ScriptExit) => void;

  constructor(
    private readonly world: FakeWorld,
    name: string,
    address: string,
    startedAt: number,
    private readonly behaviour: Behaviour,
    private readonly connection: number,
  ) {
    const exited = new Promise<ScriptExit>((resolve) => (this.finish = resolve));
    this.run = fakeRun(
      { name, service: 'python', address, startedAt, lines: this.lines, exited },
      () => this.ended,
      () => this.end(stoppedByGrader),
    );
  }

  begin(): void {
    if (this.ended) return;
    this.open = true;
    this.world.record({ e: 'open', c: this.connection, a: this.run.address });
    if (this.behaviour === 'busy-polls') this.timer = setInterval(() => this.lpop(), 10);
    else if (this.behaviour === 'short-timeouts') this.timer = setInterval(() => this.timedOutBlpop(), 10);
    else if (this.behaviour === 'exits-when-empty') {
      while (this.lpop());
      this.end({ code: 0, description: 'exited with code 0', timedOut: false, oomKilled: false, stoppedByGrader: false });
    } else this.blpop();
  }

  /** One LPOP on the queue; whether it got an item. */
  private lpop(): boolean {
    const item = this.world.take();
    this.world.record({
      e: 'cmd',
      c: this.connection,
      r: Date.now(),
      db: this.world.queue.db,
      n: 'LPOP',
      k: [this.world.queue.key],
      y: item ? { b: b64(item) } : null,
    });
    if (item) this.print(item);
    return item !== undefined;
  }

  /** A BLPOP whose timeout ran out on the empty queue (or that got an item at once). */
  private timedOutBlpop(): void {
    const { queue } = this.world;
    const item = this.world.take();
    this.world.record({
      e: 'cmd',
      c: this.connection,
      r: Date.now(),
      db: queue.db,
      n: 'BLPOP',
      k: [queue.key, '0.01'],
      y: item ? { a: [{ b: b64(queue.key) }, { b: b64(item) }], n: 2 } : null,
    });
    if (item) this.print(item);
  }

  /** Waits in a BLPOP, served at once when something is queued. */
  private blpop(): void {
    if (this.ended) return;
    this.waitingSince = Date.now();
    this.world.record({ e: 'wait', c: this.connection, db: this.world.queue.db, n: 'BLPOP', k: [this.world.queue.key] });
    this.world.serveWaiters();
  }

  served(item: Buffer): void {
    const { queue } = this.world;
    this.world.record({
      e: 'cmd',
      c: this.connection,
      t: this.waitingSince,
      r: Date.now(),
      db: queue.db,
      n: 'BLPOP',
      k: [queue.key, '0'],
      y: { a: [{ b: b64(queue.key) }, { b: b64(item) }], n: 2 },
    });
    this.waitingSince = undefined;
    const printed = (): void => {
      this.print(item);
      // The next pop once this one is printed, as a loop over q.consume() does.
      setTimeout(() => this.blpop(), 1);
    };
    const delayMs = this.world.printDelayMs(this.pops + 1);
    if (delayMs > 0) setTimeout(printed, delayMs);
    else printed();
  }

  private print(item: Buffer): void {
    this.pops += 1;
    if (this.behaviour === 'drops-third' && this.pops === 3) return;
    if (this.behaviour === 'crashes-on-third' && this.pops === 3) {
      const traceback = [
        'Traceback (most recent call last):',
        '  File "/lab/consumer.py", line 9, in <module>',
        '    print(int(item))',
        '          ^^^^^^^^^',
        "ValueError: invalid literal for int() with base 10: 'x'",
      ];
      for (const text of traceback) this.lines.push({ stream: 'stderr', t: Date.now(), text });
      return this.end({ code: 1, description: 'exited with code 1', timedOut: false, oomKilled: false, stoppedByGrader: false });
    }
    this.lines.push({ stream: 'stdout', t: Date.now(), text: `Received: ${this.world.codec.decode(item).text}` });
  }

  private end(exit: ScriptExit): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.timer);
    this.waitingSince = undefined;
    if (this.open) this.world.record({ e: 'close', c: this.connection });
    this.open = false;
    this.finish(exit);
  }
}

/** How a run the grader stopped ended (SIGKILL, 137). */
export const stoppedByGrader: ScriptExit = { code: 137, description: 'stopped by the grader', timedOut: false, oomKilled: false, stoppedByGrader: true };

/**
 * A fake run's ScriptRun face: its output `lines` (the array the fake appends to), `exited` (the
 * promise the fake resolves), whether it has ended, and what stopping it does (then resolves `exited`).
 */
export function fakeRun(
  run: Pick<ScriptRun, 'name' | 'service' | 'address' | 'startedAt' | 'lines' | 'exited'>,
  hasEnded: () => boolean,
  stop: () => void,
): ScriptRun {
  return {
    ...run,
    outputTruncated: () => false,
    hasEnded,
    unanswered: () => undefined,
    stop: async () => {
      stop();
      return run.exited;
    },
  };
}
