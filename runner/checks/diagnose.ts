/**
 * Naming the likely mistake from evidence: how a script ended, what its output says, and what it
 * did on the wire. Each finding is one sentence a student can act on; the first is the likeliest.
 */
import type { OutputLine, ScriptExit } from '../run/script.js';
import type { QueueRef, WireProfile } from './wire.js';

export interface RunEvidence {
  /** "consumer.py", for the sentences. */
  file: string;
  exit: ScriptExit | undefined;
  lines: OutputLine[];
  profile: WireProfile;
  /** The run should still have been running when it was stopped (a consumer). */
  expectedToRun: boolean;
  /** An address it asked a connection of that did not answer, or `refused` (see ScriptRun.unanswered). */
  unanswered?: string;
}

/** How the fixes are worded for the lab's way of consuming: the student's own vocabulary. */
export interface Phrasing {
  keepWaiting: string;
  noPolling: string;
  oldestFirst: string;
  queueCall: (db: number) => string;
  /** A consumer that ended without ever connecting. */
  neverStarted: (file: string) => string;
  /** A consumer that printed the bytes it popped instead of the message they hold. */
  printMessage: string;
}

export const phrasings = {
  consume: {
    keepWaiting: 'keep consuming when the queue is empty (for item in q.consume() blocks and waits)',
    noPolling: 'use q.consume() (a blocking pop), not a loop around q.get()',
    oldestFirst: "hotqueue's get() and consume() take the oldest",
    queueCall: (db: number) => `HotQueue("queue", host=REDIS_IP, port=6379, db=${db})`,
    neverStarted: (file: string) => `${file} ended without ever connecting to Redis: does it loop over q.consume()?`,
    printMessage: 'for item in q.consume(): print(item) hands over each message unpickled; with redis-py, print(pickle.loads(data)) for the data blpop returns',
  },
  worker: {
    keepWaiting: 'call the decorated function at the end of the file and let it run: with @q.worker (no block=False, no timeout) it waits for messages forever',
    noPolling: 'use @q.worker without block=False, so the worker blocks in Redis while the queue is empty',
    oldestFirst: '@q.worker takes the oldest first',
    queueCall: (db: number) => `HotQueue("queue", host=REDIS_IP, port=6379, db=${db})`,
    neverStarted: (file: string) => `${file} ended without ever connecting to Redis: is the decorated function called at the end of the file?`,
    printMessage: '@q.worker passes echo(item) the message itself, unpickled: print(item)',
  },
  node: {
    keepWaiting: "loop forever on a blocking pop: await redis.blpop('hotqueue:queue', 0) waits while the queue is empty",
    noPolling: "use a blocking pop (await redis.blpop('hotqueue:queue', 0)), not a loop of LPOP",
    oldestFirst: 'BLPOP takes the oldest (the head of the list)',
    queueCall: (db: number) => `new Redis({ host: process.env.REDIS_IP, port: 6379, db: ${db} }) and the list "hotqueue:queue"`,
    neverStarted: (file: string) => `${file} ended without ever connecting to Redis: does it wait for messages in a loop?`,
    printMessage: 'JSON.parse() the string BLPOP returns (not a Buffer) and print that',
  },
} satisfies Record<string, Phrasing>;

/** The last line of a Python traceback or a Node.js error, with the line number of a syntax error. */
export function crashLine(lines: OutputLine[]): string | undefined {
  const errors = lines
    .filter((l) => l.stream === 'stderr')
    .map((l) => l.text.trim())
    .filter(Boolean);
  for (let i = errors.length - 1; i >= 0; i -= 1) {
    const line = errors[i]!;
    if (/^[A-Za-z_.]*(Error|Exception|Interrupt|Exit)\b.*$/.test(line) || /^[A-Z][A-Za-z]*Error: /.test(line)) {
      if (!/^(SyntaxError|IndentationError|TabError)\b/.test(line)) return line;
      const where = errors
        .slice(0, i)
        .reverse()
        .map((l) => /^File "(?:.*\/)?([^/"]+)", line (\d+)/.exec(l))
        .find(Boolean);
      return where ? `${line} (${where[1]} line ${where[2]})` : line;
    }
  }
  return errors.at(-1);
}

/** One frame of a Python traceback: `File "/lab/src/worker.py", line 17, in do_work` and the source line under it. */
export interface TracebackFrame {
  /** The frame's line as Python printed it, trimmed. */
  text: string;
  path: string;
  line: number;
  function: string;
  /** The source line Python shows under the frame, trimmed; undefined when it shows none. */
  source: string | undefined;
}

/** A frame in the interpreter's or an installed library's code, not the student's. */
const libraryPath = /(?:site|dist)-packages\/|\/lib\/python\d|^<frozen /;

/**
 * The last Python traceback in a run's stderr, cut to what names the mistake: the innermost frame
 * of the student's own code (`File "/lab/src/worker.py", line 17, in do_work` and its source line;
 * the innermost frame of all when none is the student's) and the exception line. The caret lines
 * Python 3.11 prints under the source (`^^^^`, `~~~^~~~`) are left out: a cut of the last few
 * lines kept those and lost the frame. Also the logging line just before the traceback
 * (`ERROR:root:job 7 failed`, what `logging.exception` prints), when there is one. Undefined when
 * stderr holds no traceback.
 */
export function tracebackExcerpt(lines: OutputLine[]): { frame: TracebackFrame | undefined; exception: string; lines: string[] } | undefined {
  const errors = lines.filter((l) => l.stream === 'stderr').map((l) => l.text);
  const start = errors.findLastIndex((t) => /^Traceback \(most recent call last\):/.test(t.trim()));
  if (start < 0) return undefined;
  const frames: TracebackFrame[] = [];
  let exception: string | undefined;
  for (let i = start + 1; i < errors.length; i += 1) {
    const text = errors[i]!;
    const frame = /^\s*File "([^"]+)", line (\d+), in (.+)$/.exec(text);
    if (frame) {
      const next = errors[i + 1];
      const source = next !== undefined && /^\s{4,}\S/.test(next) && !/^\s*[~^]+\s*$/.test(next) && !/^\s*File "/.test(next) ? next.trim() : undefined;
      frames.push({ text: text.trim(), path: frame[1]!, line: Number(frame[2]), function: frame[3]!.trim(), source });
      continue;
    }
    // The first line back at the margin ends the frames: the exception, `SyntaxError: …` included.
    if (text.trim() && !/^\s/.test(text)) {
      exception = text.trim();
      break;
    }
  }
  if (exception === undefined) return undefined;
  const frame = frames.findLast((f) => !libraryPath.test(f.path)) ?? frames.at(-1);
  const logged = errors[start - 1]?.trim();
  const before = logged !== undefined && /^(CRITICAL|ERROR|WARNING|INFO|DEBUG):/.test(logged) ? [logged] : [];
  return { frame, exception, lines: [...before, ...(frame ? [frame.text, ...(frame.source ? [frame.source] : [])] : []), exception] };
}

/** Where a traceback's frame is, in a few words: `src/worker.py line 17, in do_work: time.sleep(WORK_SECOND)` (`workdir` left off the path). */
export function frameShown(frame: TracebackFrame, workdir = '/lab'): string {
  const path = frame.path.startsWith(`${workdir}/`) ? frame.path.slice(workdir.length + 1) : frame.path;
  const source = frame.source === undefined ? undefined : withoutComment(frame.source);
  return `${path} line ${frame.line}, in ${frame.function}${source ? `: ${source}` : ''}`;
}

/** A line of Python without its trailing comment: the student's own note, not the code that raised. */
function withoutComment(source: string): string {
  let quote: string | undefined;
  for (let i = 0; i < source.length; i += 1) {
    const ch = source[i]!;
    if (quote !== undefined) {
      if (ch === '\\') i += 1;
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#') return source.slice(0, i).trimEnd();
  }
  return source;
}

/**
 * What a run printed, to quote as evidence: the excerpt of its last traceback (tracebackExcerpt),
 * else its last `count` lines; each line prefixed `file: `.
 */
export function quotedOutput(lines: OutputLine[], file: string, count = 3): string[] {
  const shown = tracebackExcerpt(lines)?.lines ?? lines.slice(-count).map((l) => l.text);
  return shown.map((l) => `${file}: ${l}`);
}

/** `, at consumer.py line 12, in <module>: print(1 / int(item))`: the frame of the student's code a traceback names; '' when none. */
function crashedAt(lines: OutputLine[]): string {
  const frame = tracebackExcerpt(lines)?.frame;
  return frame && !libraryPath.test(frame.path) ? `, at ${frameShown(frame)}` : '';
}

/** A crash line that says the client never reached its Redis: refused, unreachable, unknown name, timed out. */
const connectErrors = /ConnectionError|Connection refused|Timeout|timed out|ENOTFOUND|ECONNREFUSED|EHOSTUNREACH|Name or service not known/;

/** Where a run was meant to work: the queue, and the name of the lab's Redis service (`lab.redisService`). */
export interface RunSetting {
  queue: QueueRef;
  redisService: string;
}

/**
 * What went wrong with one script run, from how it ended, its output and its wire profile: sentences
 * a student can act on, the likeliest first; [] when nothing is wrong that the evidence shows.
 */
export function diagnoseRun(evidence: RunEvidence, setting: RunSetting, phrasing: Phrasing = phrasings.consume): string[] {
  const { file, exit, profile } = evidence;
  const { queue, redisService: redis } = setting;
  const findings: string[] = [];
  const crash = crashLine(evidence.lines);
  const endedByItself = exit !== undefined && !exit.timedOut && !exit.stoppedByGrader;
  const clientTimeout = /TimeoutError: Timeout reading from socket/.test(crash ?? '');
  if (clientTimeout || profile.cutPops > 0) {
    findings.push(ownTimeout(file, clientTimeout ? crash : undefined, profile));
  }
  // Never connected, and said why: one sentence with the error (and the address it names) and the fix.
  const cannotConnect = profile.connections === 0 && connectErrors.test(crash ?? '');
  if (endedByItself && !clientTimeout && !cannotConnect) {
    if (exit.oomKilled) findings.push(`${file} ran out of memory and was killed`);
    else if (exit.code !== 0) findings.push(`${file} crashed (${exit.description})${crash ? `: ${crash}${crashedAt(evidence.lines)}` : ''}`);
    else if (evidence.expectedToRun && profile.connections === 0) return [phrasing.neverStarted(file)];
    else if (evidence.expectedToRun) findings.push(`${file} ended by itself (exit 0) instead of waiting for more messages: ${phrasing.keepWaiting}`);
  }
  if (profile.connections === 0) {
    if (/SyntaxError|IndentationError|TabError/.test(crash ?? '')) return findings;
    if (cannotConnect) {
      findings.push(
        `${file} could not connect to Redis (${crash}): connect to host REDIS_IP (${redis}), not a hard-coded IP address${crashedAt(evidence.lines)}`,
      );
    } else if (!endedByItself && evidence.unanswered === 'refused') {
      findings.push(
        `${file} never reached ${redis}: its connection requests were refused, and it had no connection when it was stopped. A hard-coded IP address or port? Connect to host REDIS_IP (${redis}), port 6379`,
      );
    } else if (!endedByItself && evidence.unanswered) {
      findings.push(
        `${file} never reached ${redis}: it was trying to connect to ${evidence.unanswered}, where nothing answers, when it was stopped. A hard-coded IP address? Connect to host REDIS_IP (${redis}), port 6379`,
      );
    } else if (!endedByItself) {
      findings.push(
        `${file} never reached ${redis} (it was still running, without a connection, when stopped): a hard-coded IP address, a wrong host name, or a loop before it connects? Connect to host REDIS_IP (${redis}), port 6379`,
      );
    } else {
      findings.push(`${file} never connected to ${redis}: is Redis reached through host REDIS_IP (${redis}), port 6379?`);
    }
    return findings;
  }
  const raw = evidence.expectedToRun ? rawBytesPrinted(evidence.lines) : undefined;
  if (raw) findings.push(`${file} printed the bytes it popped (${raw}), not the message they hold: ${phrasing.printMessage}`);
  if (profile.dbs.length && !profile.dbs.includes(queue.db)) {
    findings.push(`${file} used db ${profile.dbs.join(', ')}, but the queue is in db ${queue.db}: ${phrasing.queueCall(queue.db)}`);
  }
  const otherKeys = profile.keys.filter((k) => k !== queue.key);
  if (profile.keys.length && !profile.keys.includes(queue.key) && otherKeys.length) {
    findings.push(`${file} used the key "${otherKeys[0]}", but the queue is "${queue.key}": ${phrasing.queueCall(queue.db)}`);
  }
  const deletions = ['FLUSHALL', 'FLUSHDB', 'DEL', 'UNLINK'].filter((n) => profile.names[n]);
  if (deletions.length)
    findings.push(
      `${file} deleted data in Redis (${deletions.join(', ')}): the queued messages were gone before anyone could take them; a consumer only takes items`,
    );
  if (profile.peeks > 0)
    findings.push(`${file} read the queue without removing items (LRANGE/LINDEX ${profile.peeks}×), so items stay queued and are read again`);
  if (profile.pushes > 0 && evidence.expectedToRun) findings.push(`${file} put items back on the queue (${profile.pushes} push(es)): a consumer only takes`);
  if (profile.rpops > 0) findings.push(`${file} took items from the wrong end of the list (RPOP/BRPOP): the newest first; ${phrasing.oldestFirst}`);
  if (profile.emptyPops >= 20) findings.push(`${file} polled Redis in a loop (${profile.emptyPops} empty non-blocking pops): ${phrasing.noPolling}`);
  return findings;
}

/**
 * The blocking pop cut by the script's own Redis client. redis-py 8 gives every connection a 5 s
 * socket timeout with retries (ARCHITECTURE.md, "Redis clients as students have them today"): an idle
 * `q.consume()` times out, asks again on a new connection, and after about a minute dies with
 * `redis.exceptions.TimeoutError: Timeout reading from socket` (measured with hotqueue 0.2.8 and
 * redis-py 8.1.0). A script that sets a short `socket_timeout` itself does the same sooner.
 */
function ownTimeout(file: string, crash: string | undefined, profile: WireProfile): string {
  const seen: string[] = [];
  if (profile.cutPops > 0) {
    const after = profile.cutAfterMs === undefined ? '' : ` after ${(profile.cutAfterMs / 1000).toFixed(1)} s`;
    seen.push(`its own Redis client gave up on its blocking pop${after} and asked again on a new connection (${profile.cutPops}×)`);
  }
  if (crash) seen.push(profile.cutPops > 0 ? `then crashed with ${crash}` : `it crashed with ${crash}`);
  return (
    `${file} could not wait for messages on an empty queue: ${seen.join(', ')}. The client's socket timeout cuts the wait: ` +
    'redis-py 8 sets 5 s by default, so q.consume() dies after about a minute of idle queue. Fix either way: ' +
    'pin redis-py below 8 (pip install "redis>=4.2,<8"; in requirements.txt: redis>=4.2,<8), ' +
    'or pass socket_timeout=None to HotQueue(...) (and do not set a short socket_timeout yourself)'
  );
}

/**
 * The start of the first printed bytes value, when a line shows one: Python's repr of bytes with an
 * escape in it (`b'\x80\x04\x95…'`, a pickle; `b'"h\xc3\xa9"'`, JSON) or a Node.js Buffer
 * (`<Buffer 22 68 …>`). The grader's messages all hold a character outside ASCII, which such a
 * repr shows escaped, so a consumer printing them never printed a message.
 */
export function rawBytesPrinted(lines: OutputLine[]): string | undefined {
  for (const line of lines) {
    const found = /(?<![\w'"])b(['"])(?:(?!\1).)*?\\|<Buffer [0-9a-f]{2}/.exec(line.text);
    if (!found) continue;
    // The first 16 characters of it, an escape counting as one: cut, never in the middle of one.
    const rest = line.text.slice(found.index);
    const shown = /^(?:\\x[0-9a-f]{2}|\\.|[^\\]){1,16}/.exec(rest)![0];
    return shown.length < rest.length ? `${shown}…` : shown;
  }
  return undefined;
}

/** "m1, m2, m3 (+7 more)" */
export function firstFew(ids: string[], count = 3): string {
  if (ids.length === 0) return 'none';
  const shown = ids.slice(0, count).join(', ');
  return ids.length > count ? `${shown} (+${ids.length - count} more)` : shown;
}
