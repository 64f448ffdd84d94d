/**
 * The grader's side of run/supervisor.py, the main process of a container that student scripts
 * run in: each run is a line on its stdin, and its output, end, exit code and out-of-memory count
 * come back in frames on its stdout. No command is started in the container for a run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LabsError } from '../errors.js';
import { parsePipRequirement } from '../lab/package-specs.js';
import { LineSplitter, type OutputLineEvent } from '../provision/streams.js';
import { packageRoot } from '../paths.js';

const source = readFileSync(join(packageRoot, 'runner', 'run', 'supervisor.py'), 'utf8');

/** What every Python lab's image has, preloaded whatever the service lists. */
const alwaysPreloaded = ['hotqueue', 'redis'];

/**
 * The import names the supervisor imports before forking runs: hotqueue, redis and each of the
 * service's `packages.pip` distributions (`flask>=2.2` gives flask), the distribution's name in
 * lower case with "-" as "_", which is the import name of the labs' packages. A name that is not
 * importable costs the supervisor only a failed lookup, once per container.
 */
export function preloadedModules(pip: readonly string[]): string[] {
  const names = pip.flatMap((entry) => {
    const parsed = parsePipRequirement(entry);
    return parsed.ok ? [parsed.value.name.toLowerCase().replace(/-/g, '_')] : [];
  });
  return [...new Set([...alwaysPreloaded, ...names])];
}

/**
 * The container's command: the supervisor, isolated from the student's folder and environment,
 * told which modules to import before its first run (see preloadedModules).
 */
export function supervisorCommand(preload: readonly string[]): string[] {
  return ['python3', '-I', '-c', source, JSON.stringify(preload)];
}

/** What it keeps of root's capabilities: start runs as the student (SETUID, SETGID), stop them (KILL). */
export const supervisorCapabilities = ['SETUID', 'SETGID', 'KILL'];

/** How a run ended, as the supervisor says it. */
export interface RunEnd {
  code?: number;
  /** Out-of-memory kills in the container so far. */
  oom?: number;
  bytes?: number;
  truncated?: boolean;
  /** Something it started could not be killed. */
  stuck?: boolean;
  /** It could not start the run. */
  failed?: string;
}

/** A reset's answer: what was still there of the last submission; why the files could not be written. */
export interface ResetAnswer {
  left: string[];
  failed?: string;
}

export interface SupervisedRun {
  id: number;
  /** The end message; undefined when the container went away first. */
  ended: Promise<RunEnd | undefined>;
  finished: Promise<{ exitCode: number; bytes: number; truncated: boolean }>;
  hasEnded: () => boolean;
  /**
   * The address the run asked a connection of and got no answer from, when it said so (and had
   * none); `refused` when its requests were refused and it still had none a second later.
   */
  unanswered: () => string | undefined;
}

interface Current {
  id: number;
  lines: LineSplitter;
  end: (message: RunEnd | undefined) => void;
  unanswered?: string;
}

/**
 * One container's supervisor, seen from the grader: `run` and `reset` write a request line to its
 * stdin; `onStdout` parses the frames that come back (a run's output lines, its end, a reset's
 * answer); `ready` resolves once the supervisor says it started, and rejects when its output ends first.
 */
export class SupervisorChannel {
  closed = false;
  readonly ready: Promise<void>;
  private io?: { write: (data: string) => void };
  private buffer: Buffer = Buffer.alloc(0);
  private current?: Current;
  private nextId = 1;
  private stderrTail = '';
  private settleReady!: (error?: Error) => void;
  private resets = new Map<number, (answer: ResetAnswer | undefined) => void>();

  constructor() {
    this.ready = new Promise<void>((resolve, reject) => {
      this.settleReady = (error) => (error ? reject(error) : resolve());
    });
    // Whoever waits for it handles its failure; nobody else must see it unhandled.
    this.ready.catch(() => undefined);
  }

  /** Wires the container's stdin and the end of its output (see ContainerRuntime.attach). */
  connect(io: { write: (data: string) => void; closed: Promise<void> }): void {
    this.io = io;
    void io.closed.then(() => {
      this.closed = true;
      this.settleReady(new Error(`its supervisor ended before it was ready${this.stderrTail ? `: ${this.stderrTail.trim()}` : ''}`));
      this.current?.end(undefined);
      for (const answer of this.resets.values()) answer(undefined);
      this.resets.clear();
    });
  }

  /** What it printed on stderr, last 2 KB: only its own failures go there. */
  onStderr(chunk: Buffer): void {
    this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-2048);
  }

  /**
   * Takes the supervisor's stdout: frames of a kind byte, a 4-byte big-endian length and the data
   * (`o` a run's stdout, `e` its stderr, `c` a control message).
   */
  onStdout(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    while (this.buffer.length >= 5) {
      const length = this.buffer.readUInt32BE(1);
      if (this.buffer.length < 5 + length) break;
      const kind = this.buffer[0];
      const data = this.buffer.subarray(5, 5 + length);
      this.buffer = this.buffer.subarray(5 + length);
      if (kind === 0x6f) this.current?.lines.out.write(data);
      else if (kind === 0x65) this.current?.lines.err.write(data);
      else if (kind === 0x63) this.onMessage(JSON.parse(data.toString('utf8')) as Record<string, unknown>);
    }
  }

  /** Starts a run, with `env` over the container's environment; throws CONTAINER_GONE when the container is no more. */
  run(argv: string[], cwd: string, maxBytes: number, onLine: (line: OutputLineEvent) => void, env: Record<string, string> = {}): SupervisedRun {
    if (this.closed || !this.io) throw new LabsError('CONTAINER_GONE', 'the container that runs scripts is gone');
    if (this.current) throw new Error('labs: a run is under way in this container');
    const id = this.nextId;
    this.nextId += 1;
    const lines = new LineSplitter(maxBytes, (kind, raw) => onLine({ stream: kind, t: Date.now(), text: raw.replace(/\r$/, '') }));
    let done = false;
    let resolve!: (message: RunEnd | undefined) => void;
    const ended = new Promise<RunEnd | undefined>((r) => (resolve = r));
    const current: Current = {
      id,
      lines,
      end: (message) => {
        lines.end();
        this.current = undefined;
        done = true;
        resolve(message);
      },
    };
    this.current = current;
    this.io.write(`${JSON.stringify({ op: 'run', id, argv, cwd, max: maxBytes, env })}\n`);
    const finished = ended.then((message) => {
      if (message?.failed) throw new LabsError('DOCKER_FAILED', `the script could not start: ${message.failed}`);
      // A container that went away took its run with it: killed.
      return { exitCode: message?.code ?? 137, bytes: message?.bytes ?? lines.bytes, truncated: message?.truncated ?? lines.truncated };
    });
    return { id, ended, finished, hasEnded: () => done, unanswered: () => current.unanswered };
  }

  /**
   * Makes the container as a fresh one for the next submission (see supervisor.py, "reset"): every
   * process killed, the student's scratch folders and IPC objects gone, `files` written into
   * `workdir`. Resolves with what it still found of the last submission (nothing, when all went),
   * or undefined when the container went away. Throws CONTAINER_GONE when it is gone already.
   */
  reset(workdir: string, files: readonly { path: string; data: Buffer; mode?: number }[]): Promise<ResetAnswer | undefined> {
    if (this.closed || !this.io) throw new LabsError('CONTAINER_GONE', 'the container that runs scripts is gone');
    if (this.current) throw new Error('labs: a run is under way in this container');
    const id = this.nextId;
    this.nextId += 1;
    const answer = new Promise<ResetAnswer | undefined>((resolve) => this.resets.set(id, resolve));
    const entries = files.map((f) => ({ path: f.path, data: f.data.toString('base64'), mode: f.mode ?? 0o644 }));
    this.io.write(`${JSON.stringify({ op: 'reset', id, workdir, files: entries })}\n`);
    return answer;
  }

  /** Asks it to kill run `id` and all it started; `ended` of that run says when it did. */
  stop(id: number): void {
    this.io?.write(`${JSON.stringify({ op: 'stop', id })}\n`);
  }

  private onMessage(message: Record<string, unknown>): void {
    if (message.ready) this.settleReady();
    else if (typeof message.reset === 'number') {
      const answer = this.resets.get(message.reset);
      this.resets.delete(message.reset);
      answer?.({ left: (message.left as string[] | undefined) ?? [], failed: message.failed as string | undefined });
    } else if (typeof message.ended === 'number' && this.current?.id === message.ended) this.current.end(message as RunEnd);
    else if (typeof message.unanswered === 'number' && this.current?.id === message.unanswered && typeof message.address === 'string') {
      this.current.unanswered = message.address;
    }
  }
}
