/**
 * What a submission's requirements.txt lets pip install for redis-py, for a note on the submission:
 * redis-py 8 (what an unpinned `redis`, or `hotqueue` alone, gets today) sets a 5 s socket timeout
 * with retries, so an idle `@q.worker` (a BLPOP with no timeout) reconnects every 5 s and dies with
 * `TimeoutError: Timeout reading from socket` after about a minute (ARCHITECTURE.md, "Redis clients
 * as students have them today"). The grader runs the lab's own image, pinned, so this costs no
 * points: it is a warning that names the fix. Pure: the files come in memory.
 *
 * The file is read as pip reads it (its documented requirements-file format): lines joined at a
 * trailing backslash, comments dropped, `-r`/`-c` files followed within the submission, other
 * options skipped; each requirement is PEP 508, read by pip-requirements-js (extras such as
 * `redis[hiredis]`, environment markers, URLs).
 */
import { posix } from 'node:path';
import { satisfies } from '@renovatebot/pep440';
import { parsePipRequirementsLine } from 'pip-requirements-js';
import { parsePipRequirement } from './package-specs.js';
import type { Lab } from './types.js';

/** A file of a submission, as intake read it; `path` is relative to the submission, with "/". */
export interface RequirementsSource {
  path: string;
  data: Buffer;
}

/** One requirement on redis-py (or hotqueue) found in the files, where it was. */
interface Found {
  /** `file:line` of the requirement's first line. */
  at: string;
  text: string;
  /** The PEP 440 specifier, clauses joined with ","; "" when the line gives none. */
  specifier: string;
  /** Installed from a URL (`redis @ https://…`): which version that is cannot be told from the file. */
  url: boolean;
}

/** What the files say about redis-py. */
export interface RedisPin {
  redis: Found[];
  hotqueue: Found[];
  /** Lines that name redis but could not be read, and `-r`/`-c` files not in the submission: `file:line: what`. */
  unread: string[];
}

/** PEP 503's normal form of a distribution name: "Redis", "redis" and "REDIS" are one. */
const normalName = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, '-');

/** The fix every note names: the lab's own pin, or the one the course's demo uses. */
const fix = 'pin it below 8: redis>=4.2,<8 (or redis==7.4.*)';
const why = 'with redis-py 8 an idle @q.worker dies after about a minute (TimeoutError: Timeout reading from socket)';

/**
 * pip's logical lines of a requirements file, each with its first line's number: a line ending in a
 * backslash continues on the next, and a `#` at the line's start or after whitespace starts a comment.
 */
export function logicalLines(text: string): { line: number; text: string }[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const out: { line: number; text: string }[] = [];
  let pending: { line: number; text: string } | undefined;
  lines.forEach((raw, i) => {
    const joined = pending ? pending.text + raw : raw;
    const start = pending?.line ?? i + 1;
    if (joined.endsWith('\\')) {
      pending = { line: start, text: joined.slice(0, -1) };
      return;
    }
    pending = undefined;
    const bare = joined.replace(/(^|\s)#.*$/, '').trim();
    if (bare) out.push({ line: start, text: bare });
  });
  if (pending && pending.text.trim()) out.push({ line: pending.line, text: pending.text.replace(/(^|\s)#.*$/, '').trim() });
  return out;
}

/** A requirement line's name and specifier: pip-requirements-js, or the lab's own reader for what it refuses (`===`). */
function readRequirement(text: string): { name: string; specifier: string; url: boolean } | undefined {
  // Options after a requirement (--hash=…, --config-settings …) say nothing about its version.
  const requirement = text.replace(/\s+--?[A-Za-z].*$/, '');
  try {
    const parsed = parsePipRequirementsLine(requirement);
    if (parsed?.type === 'ProjectName') {
      return { name: parsed.name, specifier: (parsed.versionSpec ?? []).map((v) => `${v.operator}${v.version}`).join(','), url: false };
    }
    if (parsed?.type === 'ProjectURL') return { name: parsed.name, specifier: '', url: true };
    return undefined;
  } catch {
    const plain = parsePipRequirement(requirement);
    return plain.ok ? { name: plain.value.name, specifier: plain.value.specifier, url: false } : undefined;
  }
}

/**
 * The requirements on redis and hotqueue in `path` and the files it includes (`-r`, `-c`: relative
 * to it, each read once), from the submission's files. A file that is not there gives nothing.
 */
export function redisPin(files: readonly RequirementsSource[], path: string): RedisPin {
  const pin: RedisPin = { redis: [], hotqueue: [], unread: [] };
  const byPath = new Map(files.map((f) => [posix.normalize(f.path), f]));
  const seen = new Set<string>();
  const read = (file: string): void => {
    const source = byPath.get(posix.normalize(file));
    if (!source || seen.has(source.path)) return;
    seen.add(source.path);
    for (const { line, text } of logicalLines(source.data.toString('utf8'))) {
      const at = `${source.path}:${line}`;
      const include = /^(?:-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+|(?=[^-\s]))(\S+)/.exec(text);
      if (include) {
        const target = posix.join(posix.dirname(source.path), include[1]!);
        if (byPath.has(posix.normalize(target))) read(target);
        else pin.unread.push(`${at}: ${text} is not in your submission, so the redis pin in it was not checked`);
        continue;
      }
      if (text.startsWith('-')) continue; // -e, --index-url, --pre, … : pip's options, no requirement on redis
      const requirement = readRequirement(text);
      const name = requirement ? normalName(requirement.name) : normalName(/^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(text)?.[0] ?? '');
      if (!requirement) {
        if (name === 'redis') pin.unread.push(`${at}: "${text}" could not be read as a requirement, so its redis pin was not checked`);
        continue;
      }
      if (name === 'redis' || name === 'hotqueue') pin[name].push({ at, text, specifier: requirement.specifier, url: requirement.url });
    }
  };
  read(path);
  return pin;
}

/**
 * Whether a PEP 440 specifier admits a final release of redis-py 8 or later ("" admits every one).
 * Every admitted set of versions is an interval less some points and prefixes, so it holds one of
 * these if it holds any: the releases its own clauses name from 8 up, each one step above, and 8.0.0,
 * 8.0.1, 8.1.0, 9.0.0 and far above (for `!=8.*`, `>8`, `<8.1`).
 */
export function allowsRedisPy8(specifier: string): boolean {
  const named = [...specifier.matchAll(/(\d+(?:\.\d+)*)/g)].map((m) => m[1]!).filter((v) => Number(v.split('.')[0]) >= 8);
  const near = named.flatMap((v) => {
    const parts = v.split('.').map(Number);
    const bumped = [...parts.slice(0, -1), parts.at(-1)! + 1].join('.');
    return [v, `${v}.1`, `${v}.0.1`, bumped];
  });
  return [...near, '8.0.0', '8.0.1', '8.1.0', '9.0.0', '999.0.0'].some((v) => satisfies(v, specifier));
}

/**
 * The notes on a submission's requirements file (each `file:line: …` with the fix), empty when redis
 * is pinned below 8, or when the file is not there or names neither redis nor hotqueue. Environment
 * markers are taken to hold (the lab's image is one Python), so a line with one counts as written;
 * two lines on redis count together, as pip's resolver takes both.
 */
export function redisPinNotes(files: readonly RequirementsSource[], path: string): string[] {
  const pin = redisPin(files, path);
  const redis = pin.redis.filter((r) => !r.url);
  if (pin.redis.length === 0) {
    const hotqueue = pin.hotqueue[0];
    if (hotqueue && pin.unread.length === 0) {
      return [`${hotqueue.at}: ${path} lists hotqueue but not redis, so pip installs the newest redis-py (8 or later) for it; ${why}: add redis and ${fix}`];
    }
    return pin.unread;
  }
  if (redis.length < pin.redis.length) return pin.unread; // from a URL: which version is up to the student
  const specifier = redis
    .map((r) => r.specifier)
    .filter(Boolean)
    .join(',');
  const first = redis[0]!;
  if (specifier === '') return [`${first.at}: "${first.text}" leaves redis unpinned, so pip installs today's redis-py 8; ${why}: ${fix}`, ...pin.unread];
  if (allowsRedisPy8(specifier)) {
    const lines = redis.map((r) => `"${r.text}"`).join(' and ');
    return [`${first.at}: ${lines} ${redis.length > 1 ? 'allow' : 'allows'} redis-py 8 or later, which pip picks as the newest; ${why}: ${fix}`, ...pin.unread];
  }
  return [];
}

/** The requirements files a Python lab has its students write (named requirements.txt among its files). */
export function requirementsFilesOf(lab: Pick<Lab, 'runtime' | 'files'>): string[] {
  return lab.runtime === 'python' ? lab.files.filter((f) => posix.basename(f.path) === 'requirements.txt').map((f) => f.path) : [];
}
