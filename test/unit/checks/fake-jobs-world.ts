/**
 * The jobs-api lab's world without Docker, for unit tests of its check kinds' decisions: a Flask
 * API behind the HTTP port and a worker, both started through the startScript port, writing the
 * recorder's own records (open, wait, cmd, close) for what they do to Redis. Each deviation from the
 * reference solution is named for what a student wrote. Pure: no container, no Redis, no network.
 */
import { pickleString } from '../../../runner/checks/codec.js';
import type { Probe } from '../../../runner/checks/probe.js';
import type { CheckContext, ScriptStarter } from '../../../runner/checks/context.js';
import type { HttpExchange, HttpPort, HttpRequest } from '../../../runner/checks/ports.js';
import type { Lab } from '../../../runner/lab/types.js';
import type { OutputLine, ScriptExit, ScriptRun } from '../../../runner/run/script.js';
import { FakeWorld, fakeRun, stoppedByGrader } from './fake-world.js';

/** How the student's code differs from the reference solution; nothing set: the reference. */
export interface JobsCode {
  /** Where app.run() listens: '0.0.0.0' (the reference) or '127.0.0.1' (Flask's default). */
  host?: '0.0.0.0' | '127.0.0.1';
  /** The statuses the worker writes. */
  inProgress?: string;
  complete?: string;
  /** How many times add_job puts the id on the queue. */
  puts?: number;
  /** The queue's key in db 1, for the API and the worker alike (both use jobs.q). */
  queueKey?: string;
  /** POST /jobs with bad input: the reference's 400, or a crash's 500. */
  badInput?: 400 | 500;
  /** The worker raises after it marks the job "in progress", and dies (a NameError, Python 3.11's traceback). */
  crashAfterPop?: boolean;
  /** The worker raises after it marks the job "in progress"; `except Exception: logging.exception(…)` catches it and the worker goes on. */
  swallowsException?: boolean;
  /** GET /jobs/<unknown>: the reference's 404, or a crash's 500. */
  unknownId?: 404 | 500;
  /** A job id without a record: the reference skips it; json.loads(None) kills the worker. */
  missingRecord?: 'skip' | 'crash';
  /** A job whose record is not JSON: the reference skips it; json.loads raising kills the worker. */
  malformedRecord?: 'skip' | 'crash';
  /** The worker empties the queue when it starts (q.clear()). */
  clearsQueue?: boolean;
  /** jobs.py connects to "redis-db" written in the code, whatever REDIS_IP says. */
  hardCodedHost?: boolean;
  /** jobs.py connects to Redis's first address (10.0.0.2), written in the code. */
  hardCodedIp?: boolean;
  /** The compose file's environment of each student service (default: REDIS_IP=redis-db for both). */
  environments?: Record<string, Record<string, string>>;
}

const b64 = (data: Buffer | string): string => Buffer.from(data).toString('base64');

export class JobsWorld extends FakeWorld {
  readonly jobs = new Map<string, Record<string, unknown>>();
  /** Ids whose record the grader stored malformed, and the key it stored it under. */
  readonly malformed = new Map<string, string>();
  private readonly queued: string[] = [];
  private api: FakeRun | undefined;
  /** What Redis is called on the lab network now (the grader may rename it). */
  private redisName = 'redis-db';
  /** Redis's address on the lab network now: each rename moves it. */
  private redisAddress = 2;
  private nextId = 1;
  private conn = 100;

  /** The lab's scripts as jobs-api declares them: the API is the producer, the worker the consumer. */
  readonly jobsLab: Lab = {
    ...this.lab,
    id: 'jobs-api',
    scripts: {
      producer: { service: 'api', command: ['python', '-u', 'src/api.py'] },
      consumer: { service: 'worker', command: ['python', '-u', 'src/worker.py'] },
    },
    files: [{ path: 'src/worker.py', role: 'worker', description: undefined }],
  };

  constructor(readonly code: JobsCode = {}) {
    super();
  }

  /** A script: the API when its command runs api.py, the worker otherwise. */
  override readonly startScript: ScriptStarter = async (options) => {
    const isApi = options.argv.some((a) => a.endsWith('api.py'));
    // Each replica is its own container, with its own address.
    const address = isApi ? '10.0.2.1' : `10.0.3.${this.conn}`;
    const run = new FakeRun(this, options.name, address, (this.conn += 1));
    options.onStart?.({ address, startedAt: run.run.startedAt });
    if (isApi) {
      this.api = run;
      const host = this.code.host ?? '0.0.0.0';
      run.say(host === '0.0.0.0' ? ' * Running on all addresses (0.0.0.0)' : ` * Running on http://127.0.0.1:5000`);
      if (host === '0.0.0.0') run.say(` * Running on http://${address}:5000`);
    } else {
      const workMs = Number(options.environment?.WORK_SECONDS ?? '5') * 1000;
      if (this.code.clearsQueue) this.queued.splice(0);
      setTimeout(() => run.connect() && this.workerLoop(run, workMs), 5);
    }
    return run.run;
  };

  override readonly http: HttpPort = {
    request: async (to, request) => this.answer(to.address, request),
  };

  /** The queue of job ids, as the grader's probe sees it: what it pushes, workers take. */
  private jobsProbe(): Probe {
    return {
      ...this.probe,
      // Only the list the student's code reads is served; the grader's pushes to another go unread.
      push: async (_db, key, values) => {
        if (key !== this.queueKey) return values.length;
        for (const value of values) this.queued.push(this.codec.decode(value).text ?? '');
        this.serve();
        return this.queued.length;
      },
      length: async (_db, key) => (key === this.queueKey ? this.queued.length : 0),
      range: async (_db, key) => (key === this.queueKey ? this.queued.map((id) => pickleString(id)) : []),
      store: async (_db, key) => void this.malformed.set(key.replace(/^job\./, ''), key),
    };
  }

  override context(overrides: Partial<CheckContext> = {}): CheckContext {
    const rename = async (name: string | undefined): Promise<{ from: string; to: string }> => {
      this.redisName = name ?? 'redis-db';
      const from = `10.0.0.${this.redisAddress}`;
      this.redisAddress += 1;
      return { from, to: `10.0.0.${this.redisAddress}` };
    };
    const environments = this.code.environments ?? { api: { REDIS_IP: 'redis-db' }, worker: { REDIS_IP: 'redis-db' } };
    const serviceEnvironments = Object.fromEntries(
      Object.entries(environments).map(([name, environment], i) => [name, { environment, at: `docker-compose.yml:${16 + 9 * i}` }]),
    );
    const redis = { ...this.redis, rename };
    return super.context({
      http: this.http,
      startScript: this.startScript,
      lab: this.jobsLab,
      probe: this.jobsProbe(),
      redis,
      serviceEnvironments,
      ...overrides,
    });
  }

  private answer(address: string, request: HttpRequest): HttpExchange {
    const api = this.api;
    if (!api || api.run.address !== address || api.ended || (this.code.host ?? '0.0.0.0') !== '0.0.0.0') {
      return { answered: false, failure: 'refused', message: 'ECONNREFUSED', ms: 1 };
    }
    api.connect();
    const reply = (status: number, body: unknown): HttpExchange => ({
      answered: true,
      status,
      body: JSON.stringify(body),
      contentType: 'application/json',
      ms: 1,
    });
    if (this.code.hardCodedHost && this.redisName !== 'redis-db') {
      api.say('redis.exceptions.ConnectionError: Error -3 connecting to redis-db:6379. Temporary failure in name resolution.');
      return { answered: true, status: 500, body: 'Internal Server Error', contentType: 'text/html', ms: 1 };
    }
    if (this.code.hardCodedIp && this.redisAddress !== 2) {
      api.say('redis.exceptions.ConnectionError: Error 111 connecting to 10.0.0.2:6379. Connection refused.');
      return { answered: true, status: 500, body: 'Internal Server Error', contentType: 'text/html', ms: 1 };
    }
    if (request.method === 'POST' && request.path === '/jobs') {
      let params: Record<string, unknown> | undefined;
      try {
        params = JSON.parse(request.body ?? '') as Record<string, unknown>;
      } catch {
        params = undefined;
      }
      if (!params || !('start' in params) || !('end' in params)) {
        return this.code.badInput === 500
          ? { answered: true, status: 500, body: '<h1>Internal Server Error</h1>', contentType: 'text/html', ms: 1 }
          : reply(400, { error: 'send start and end' });
      }
      const id = `job-${this.nextId++}`;
      const job = { id, status: 'submitted', start: params.start, end: params.end };
      this.save(api, job);
      for (let i = 0; i < (this.code.puts ?? 1); i += 1) this.put(api, id);
      return reply(201, job);
    }
    if (request.method === 'GET' && request.path === '/jobs') return reply(200, [...this.jobs.keys()]);
    const one = /^\/jobs\/(.+)$/.exec(request.path);
    if (request.method === 'GET' && one) {
      const job = this.jobs.get(decodeURIComponent(one[1]!));
      if (job) return reply(200, job);
      return this.code.unknownId === 500
        ? { answered: true, status: 500, body: 'Internal Server Error', contentType: 'text/html', ms: 1 }
        : reply(404, { error: 'no such job' });
    }
    return reply(404, { error: 'not found' });
  }

  /** `rd.set(f"job.{jid}", json.dumps(job))`, as the run does it: on the wire and in the store. */
  save(run: FakeRun, job: Record<string, unknown>): void {
    this.jobs.set(String(job.id), { ...job });
    run.command({ db: 0, n: 'SET', k: [`job.${String(job.id)}`], v: [b64(JSON.stringify(job))], y: { s: 'OK' } });
  }

  /** The list the student's queue is (hotqueue:queue, or the name the student gave it). */
  private get queueKey(): string {
    return this.code.queueKey ?? 'hotqueue:queue';
  }

  private put(run: FakeRun, id: string): void {
    run.command({ db: 1, n: 'RPUSH', k: [this.queueKey], v: [b64(pickleString(id))], y: { i: 1 } });
    this.queued.push(id);
    this.serve();
  }

  /** Workers waiting in BLPOP, first come first served, as Redis serves them. */
  private readonly waiting: { run: FakeRun; take: (id: string) => void }[] = [];

  /** `@q.worker`: a BLPOP, then the work, then the next BLPOP. */
  private workerLoop(run: FakeRun, workMs: number): void {
    if (run.ended) return;
    const key = this.queueKey;
    run.record({ e: 'wait', c: run.connection, db: 1, n: 'BLPOP', k: [key] });
    const since = Date.now();
    const take = (id: string): void => {
      run.command({ t: since, db: 1, n: 'BLPOP', k: [key, '0'], y: { a: [{ b: b64(key) }, { b: b64(pickleString(id)) }], n: 2 } });
      if (this.malformed.has(id)) {
        if (this.code.malformedRecord === 'crash') {
          run.say('json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)');
          run.end({ code: 1, description: 'exited with code 1', timedOut: false, oomKilled: false, stoppedByGrader: false });
        } else setTimeout(() => this.workerLoop(run, workMs), 1);
        return;
      }
      const job = this.jobs.get(id);
      if (!job) {
        if (this.code.missingRecord === 'crash') {
          run.say('TypeError: the JSON object must be str, bytes or bytearray, not NoneType');
          run.end({ code: 1, description: 'exited with code 1', timedOut: false, oomKilled: false, stoppedByGrader: false });
        } else setTimeout(() => this.workerLoop(run, workMs), 1);
        return;
      }
      this.save(run, { ...job, status: this.code.inProgress ?? 'in progress' });
      if (this.code.crashAfterPop) {
        for (const line of nameErrorTraceback) run.say(line);
        run.end({ code: 1, description: 'exited with code 1', timedOut: false, oomKilled: false, stoppedByGrader: false });
        return;
      }
      if (this.code.swallowsException) {
        for (const line of [`ERROR:root:job ${id} failed`, ...zeroDivisionTraceback]) run.say(line);
        setTimeout(() => this.workerLoop(run, workMs), 1);
        return;
      }
      setTimeout(() => {
        if (run.ended) return;
        this.save(run, { ...this.jobs.get(id)!, status: this.code.complete ?? 'complete' });
        this.workerLoop(run, workMs);
      }, workMs);
    };
    this.waiting.push({ run, take });
    this.serve();
  }

  private serve(): void {
    for (;;) {
      const next = this.waiting.findIndex((w) => !w.run.ended);
      if (next < 0 || !this.queued.length) return;
      const [waiter] = this.waiting.splice(next, 1);
      waiter!.take(this.queued.shift()!);
    }
  }
}

/** What Python 3.11 prints when worker.py's do_work() calls time.sleep(WORK_SECOND) under @q.worker. */
export const nameErrorTraceback = [
  'Traceback (most recent call last):',
  '  File "/lab/src/worker.py", line 22, in <module>',
  '    do_work()',
  '  File "/usr/lib/python3/dist-packages/hotqueue.py", line 172, in wrapper',
  '    worker(*args + (msg,))',
  '  File "/lab/src/worker.py", line 17, in do_work',
  '    time.sleep(WORK_SECOND)  # the work itself, in this exercise',
  '               ^^^^^^^^^^^',
  "NameError: name 'WORK_SECOND' is not defined. Did you mean: 'WORK_SECONDS'?",
];

/** What logging.exception prints after the line it logs, for a ZeroDivisionError in worker.py's _analyse. */
const zeroDivisionTraceback = [
  'Traceback (most recent call last):',
  '  File "/lab/src/worker.py", line 21, in do_work',
  '    _analyse(job)',
  '  File "/lab/src/worker.py", line 13, in _analyse',
  '    return int(job["start"]) / (int(job["start"]) - int(job["start"]))',
  '           ~~~~~~~~~~~~~~~~~~^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~',
  'ZeroDivisionError: division by zero',
];

/** A script run of the fake world: its output, its one connection, its end. */
class FakeRun {
  ended = false;
  private open = false;
  readonly lines: OutputLine[] = [];
  readonly run: ScriptRun;
  private finish!: (exit: ScriptExit) => void;

  constructor(
    private readonly world: JobsWorld,
    name: string,
    address: string,
    readonly connection: number,
  ) {
    const exited = new Promise<ScriptExit>((resolve) => (this.finish = resolve));
    const service = name.startsWith('api') ? 'api' : 'worker';
    this.run = fakeRun(
      { name, service, address, startedAt: Date.now(), lines: this.lines, exited },
      () => this.ended,
      () => this.end(stoppedByGrader),
    );
  }

  record(event: Record<string, unknown>): void {
    this.world.record(event);
  }

  /** Opens its connection to Redis (once); whether the run is still there to use it. */
  connect(): boolean {
    if (this.ended) return false;
    if (!this.open) this.record({ e: 'open', c: this.connection, a: this.run.address });
    this.open = true;
    return true;
  }

  command(event: Record<string, unknown>): void {
    this.connect();
    this.record({ e: 'cmd', c: this.connection, r: Date.now(), ...event });
  }

  say(text: string, stream: 'stdout' | 'stderr' = 'stderr'): void {
    this.lines.push({ stream, t: Date.now(), text });
  }

  end(exit: ScriptExit): void {
    if (this.ended) return;
    this.ended = true;
    if (this.open) this.record({ e: 'close', c: this.connection });
    this.finish(exit);
  }
}
