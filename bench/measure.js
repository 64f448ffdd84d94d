// What the benchmarks measure and compare, apart from any engine: the machine's CPU time (from
// /proc/stat and Docker's cgroup), the arithmetic on it, and the comparison of a batch's results
// with the verdicts its generated submissions should get. Pure functions are unit-tested in
// test/unit/bench/measure.test.ts; the readers only read files.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Busy CPU ticks of the whole machine from /proc/stat's first line ("cpu  user nice system idle
 * iowait irq softirq steal guest guest_nice", in USER_HZ ticks): user+nice+system+irq+softirq+steal,
 * every process's and the kernel's. Guest time is already inside user. Throws on a line of another shape.
 */
export function busyTicks(procStat) {
  const line = procStat.split('\n').find((l) => l.startsWith('cpu '));
  const fields = line?.trim().split(/\s+/).slice(1).map(Number);
  if (!fields || fields.length < 8 || fields.some((n) => !Number.isFinite(n))) throw new Error(`/proc/stat has no "cpu" line of 8 numbers: ${line}`);
  const [user, nice, system, , , irq, softirq, steal] = fields;
  return user + nice + system + irq + softirq + steal;
}

/** Microseconds of CPU from a cgroup v2 cpu.stat ("usage_usec N" line); undefined when absent. */
export function cpuStatUsageUsec(cpuStat) {
  const m = /^usage_usec (\d+)$/m.exec(cpuStat);
  return m ? Number(m[1]) : undefined;
}

let ticksPerSecond;
/** USER_HZ, the unit of /proc/stat (getconf CLK_TCK; 100 on every Linux we know). */
function userHz() {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** Where Docker's containers' CPU time adds up (every container, removed ones included), read in seconds. */
const containerCounters = [
  // cgroup v1, cgroupfs driver: nanoseconds.
  { file: '/sys/fs/cgroup/cpuacct/docker/cpuacct.usage', seconds: (text) => Number(text.trim()) / 1e9 },
  // cgroup v2, cgroupfs driver: the parent's cpu.stat counts its children's, gone ones too.
  { file: '/sys/fs/cgroup/docker/cpu.stat', seconds: (text) => (cpuStatUsageUsec(text) ?? NaN) / 1e6 },
];

/**
 * A snapshot of CPU seconds so far: `busy`, the whole machine's (see busyTicks); `containers`,
 * Docker's containers' (undefined when neither cgroup counter exists, e.g. the systemd driver);
 * `self`, this process's (user + system). Subtract two snapshots with cpuBetween.
 */
export function cpuNow() {
  let containers;
  for (const counter of containerCounters) {
    try {
      const s = counter.seconds(readFileSync(counter.file, 'utf8'));
      if (Number.isFinite(s)) {
        containers = s;
        break;
      }
    } catch {
      // Not this cgroup layout.
    }
  }
  const self = process.cpuUsage();
  return { busy: busyTicks(readFileSync('/proc/stat', 'utf8')) / userHz(), containers, self: (self.user + self.system) / 1e6 };
}

/** CPU seconds spent between two snapshots of cpuNow: busy, containers (or undefined), self. */
export function cpuBetween(before, after) {
  return {
    busy: after.busy - before.busy,
    containers: before.containers === undefined || after.containers === undefined ? undefined : after.containers - before.containers,
    self: after.self - before.self,
  };
}

/**
 * CPU seconds per graded submission, whole and split: `busy` (the machine), `containers` (the
 * students' and Redis's containers; undefined when not measured), `grader` (the grading process),
 * `rest` (busy less both: the engine, containerd, the kernel, other processes). NaN for 0 graded.
 */
export function cpuPerSubmission(spent, graded) {
  const per = (s) => (graded > 0 ? s / graded : NaN);
  const containers = spent.containers === undefined ? undefined : per(spent.containers);
  return {
    busy: per(spent.busy),
    containers,
    grader: per(spent.self),
    rest: per(spent.busy - spent.self - (spent.containers ?? 0)),
  };
}

/** Machines (workers) needed to grade `submissions` within `minutes` at `perMinute` each: a whole number, at least 1. */
export function workersNeeded(perMinute, submissions, minutes) {
  if (!(perMinute > 0)) throw new Error(`a rate of ${perMinute} per minute grades nothing`);
  return Math.max(1, Math.ceil(submissions / (perMinute * minutes)));
}

/**
 * Every result that is not what its submission should get. `expected`: student → { name
 * ("solution" or the variant's), mustFail: check kinds }; `results`: results.jsonl's lines (the
 * last per student counts); `judge(report, mustFail)`: selftest's judgeCase ({ passedWrongly,
 * failedWrongly, ok }). A solution must also score full marks; a student without a result, or
 * with one that is not graded, is a mismatch too. Returns [{ student, name, why }], by student.
 */
export function mismatches(expected, results, judge) {
  const last = new Map(results.map((r) => [r.student, r]));
  const found = [];
  for (const [student, want] of [...expected].sort(([a], [b]) => a.localeCompare(b))) {
    const result = last.get(student);
    const miss = (why) => found.push({ student, name: want.name, why });
    if (!result) miss('no result');
    else if (result.status !== 'graded') miss(`${result.status}: ${result.error ?? ''}`);
    else {
      const verdict = judge(result.report, want.mustFail);
      const why = [];
      if (verdict.passedWrongly.length) why.push(`passed ${verdict.passedWrongly.join(', ')}`);
      if (verdict.failedWrongly.length) why.push(`failed ${verdict.failedWrongly.join(', ')}`);
      if (!want.mustFail.length && result.report.score !== result.report.maxScore) why.push(`scored ${result.report.score}/${result.report.maxScore}`);
      if (why.length || !verdict.ok) miss(why.join('; ') || 'not as declared');
    }
  }
  return found;
}

/** Students with more than one line in results.jsonl (a duplicate from the queue), by name. */
export function duplicated(results) {
  const seen = new Map();
  for (const r of results) seen.set(r.student, (seen.get(r.student) ?? 0) + 1);
  return [...seen]
    .filter(([, n]) => n > 1)
    .map(([s]) => s)
    .sort();
}

/** The lines of a results.jsonl, parsed (an unreadable line is skipped, as readResults does). */
export function parseResults(text) {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return [];
      }
    });
}

/**
 * The deliberate waits of one session of a lab (ms), and what they are: each distinct idle window
 * of latency and blocking once (blocking judges latency's window when it has the same length), and
 * persistence's wait between its put and the crash, which is Redis's own save schedule (at most
 * about 2.1 s with the course's `--save 1 1`; the check kills Redis as soon as it has saved), taken
 * from that session's measurements (`measurements`: check id → the check's measurements; without
 * them it counts nothing). Not counted: delivery's 150 ms settle.
 */
export function deliberateWaitsMs(checks, measurements = {}) {
  const windows = [...new Set(checks.filter((c) => c.kind === 'latency' || c.kind === 'blocking').map((c) => c.idle_ms ?? 3000))];
  const saves = checks.filter((c) => c.kind === 'persistence').map((c) => measurements[c.id]?.killedAfterMs ?? 0);
  const parts = windows.map((ms) => `idle window ${(ms / 1000).toFixed(1)} s`);
  if (saves.length) parts.push(`persistence: Redis saved the put after ${saves.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')}`);
  return { totalMs: windows.reduce((sum, ms) => sum + ms, 0) + saves.reduce((sum, ms) => sum + ms, 0), parts };
}

/**
 * Waits (the by-hand scripts' way, with the docker CLI) until Redis in `container` answers PING,
 * at most `tries` × 50 ms. redis-cli exits 1 while Redis still starts: an answer to wait on, not an
 * error (execFileSync would throw on it and end the benchmark).
 */
export function waitForPong(container, tries = 100) {
  const pong = () =>
    spawnSync('docker', ['exec', container, 'redis-cli', 'ping'], { stdio: ['ignore', 'pipe', 'ignore'] })
      .stdout.toString()
      .includes('PONG');
  for (let i = 0; i < tries && !pong(); i += 1) execFileSync('sleep', ['0.05']);
}
