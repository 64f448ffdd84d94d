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
}

/** The last line of a Python traceback or a Node.js error, if the output has one. */
export function crashLine(lines: OutputLine[]): string | undefined {
  const errors = lines.filter((l) => l.stream === 'stderr').map((l) => l.text.trim()).filter(Boolean);
  for (let i = errors.length - 1; i >= 0; i -= 1) {
    const line = errors[i]!;
    if (/^[A-Za-z_.]*(Error|Exception|Interrupt|Exit)\b.*$/.test(line) || /^[A-Z][A-Za-z]*Error: /.test(line)) return line;
  }
  return errors.at(-1);
}

export function diagnoseRun(evidence: RunEvidence, queue: QueueRef): string[] {
  const { file, exit, profile } = evidence;
  const findings: string[] = [];
  const crash = crashLine(evidence.lines);
  if (exit && !exit.timedOut && exit.description !== 'stopped by the grader') {
    if (exit.oomKilled) findings.push(`${file} ran out of memory and was killed`);
    else if (exit.code !== 0) findings.push(`${file} crashed (${exit.description})${crash ? `: ${crash}` : ''}`);
    else if (evidence.expectedToRun) findings.push(`${file} ended by itself (exit 0) instead of waiting for more messages: keep consuming when the queue is empty (q.consume() blocks and waits)`);
  }
  if (profile.connections === 0) {
    if (/SyntaxError|IndentationError/.test(crash ?? '')) return findings;
    findings.push(
      /ConnectionError|Connection refused|Timeout|timed out|ENOTFOUND|ECONNREFUSED|EHOSTUNREACH|Name or service not known/.test(crash ?? '')
        ? `${file} could not connect to Redis: connect to host REDIS_IP (redis-db), not a hard-coded IP address`
        : `${file} never connected to redis-db: is Redis reached through host REDIS_IP (redis-db), port 6379?`,
    );
    return findings;
  }
  if (profile.dbs.length && !profile.dbs.includes(queue.db)) {
    findings.push(`${file} used db ${profile.dbs.join(', ')}, but the queue is in db ${queue.db}: HotQueue("queue", host=..., port=6379, db=${queue.db})`);
  }
  const otherKeys = profile.keys.filter((k) => k !== queue.key);
  if (profile.keys.length && !profile.keys.includes(queue.key) && otherKeys.length) {
    findings.push(`${file} used the key "${otherKeys[0]}", but the queue is "${queue.key}" (HotQueue("queue"))`);
  }
  if (profile.peeks > 0) findings.push(`${file} read the queue without removing items (LRANGE/LINDEX ${profile.peeks}×), so items stay queued and are read again`);
  if (profile.pushes > 0 && evidence.expectedToRun) findings.push(`${file} put items back on the queue (${profile.pushes} push(es)): a consumer only takes`);
  if (profile.rpops > 0) findings.push(`${file} took items from the wrong end of the list (RPOP/BRPOP): the newest first; hotqueue's get() takes the oldest`);
  if (profile.emptyPops >= 20) findings.push(`${file} polled Redis in a loop (${profile.emptyPops} empty non-blocking pops): use q.consume() (a blocking pop), not a loop around q.get()`);
  return findings;
}

export function tail(lines: OutputLine[], stream: 'stdout' | 'stderr', count = 3): string[] {
  return lines.filter((l) => l.stream === stream).slice(-count).map((l) => l.text);
}

/** "m1, m2, m3 (+7 more)" */
export function firstFew(ids: string[], count = 3): string {
  if (ids.length === 0) return 'none';
  const shown = ids.slice(0, count).join(', ');
  return ids.length > count ? `${shown} (+${ids.length - count} more)` : shown;
}
