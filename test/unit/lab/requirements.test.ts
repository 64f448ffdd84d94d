import { describe, expect, it } from 'vitest';
import { allowsRedisPy8, logicalLines, redisPin, redisPinNotes, requirementsFilesOf } from '../../../runner/lab/requirements.js';

const files = (entries: Record<string, string>): { path: string; data: Buffer }[] =>
  Object.entries(entries).map(([path, text]) => ({ path, data: Buffer.from(text) }));
const notes = (text: string, more: Record<string, string> = {}): string[] => redisPinNotes(files({ 'requirements.txt': text, ...more }), 'requirements.txt');

describe('which redis-py a specifier lets pip install', () => {
  it('pins below 8 are safe', () => {
    for (const safe of ['<8', '>=4.2,<8', '==7.4.*', '==5.2.*', '~=7.0', '~=4.2', '==7.4.1', '<8.0.0', '>=4,<8,!=5.0.0', '<8.0.0rc1', '===7.4.1']) {
      expect(allowsRedisPy8(safe), safe).toBe(false);
    }
  });

  it('no specifier, a floor, or a ceiling above 8 lets 8 in', () => {
    for (const open of ['', '>=4', '>4.2', '<=8', '<8.1', '<9', '==8.*', '!=8.0.0', '>=8,!=8.0.0', '!=8.*', '>8', '~=8.0', '==8.1.0', '>=7.4,!=8.*']) {
      expect(allowsRedisPy8(open), open).toBe(true);
    }
  });
});

describe('a requirements file as pip reads it', () => {
  it('joins lines at a trailing backslash and drops comments, keeping first line numbers', () => {
    expect(logicalLines('\uFEFF# top\r\nflask==3.0.* # web\r\nredis>=4.2,\\\r\n  <8\r\n\r\nurl#frag\n')).toEqual([
      { line: 2, text: 'flask==3.0.*' },
      { line: 3, text: 'redis>=4.2,  <8' },
      { line: 6, text: 'url#frag' },
    ]);
  });

  it('reads extras, markers, options, -r and -c files, and names in any case', () => {
    const pin = redisPin(
      files({
        'requirements.txt':
          '-r base.txt\n--index-url https://example.invalid/simple\n-e ./local\nRedis[hiredis]>=4.2 ; python_version >= "3.8"\n-c constraints.txt',
        'base.txt': 'hotqueue==0.2.8 --hash=sha256:00\nflask\n-r requirements.txt\n',
        'constraints.txt': 'redis<8',
      }),
      'requirements.txt',
    );
    expect(pin.hotqueue.map((h) => [h.at, h.specifier])).toEqual([['base.txt:1', '==0.2.8']]);
    expect(pin.redis.map((r) => [r.at, r.specifier])).toEqual([
      ['requirements.txt:4', '>=4.2'],
      ['constraints.txt:1', '<8'],
    ]);
    expect(pin.unread).toEqual([]);
  });
});

describe('the notes on a submission', () => {
  const why =
    'with redis-py 8 an idle @q.worker dies after about a minute (TimeoutError: Timeout reading from socket): pin it below 8: redis>=4.2,<8 (or redis==7.4.*)';

  it('an unpinned redis is warned about, naming the line and the fix', () => {
    expect(notes('flask\nredis\nhotqueue\n')).toEqual([`requirements.txt:2: "redis" leaves redis unpinned, so pip installs today's redis-py 8; ${why}`]);
    expect(notes("redis[hiredis]; python_version >= '3.8'")).toEqual([
      `requirements.txt:1: "redis[hiredis]; python_version >= '3.8'" leaves redis unpinned, so pip installs today's redis-py 8; ${why}`,
    ]);
  });

  it('a specifier that admits 8 is warned about; one below 8 is not', () => {
    expect(notes('redis>=4.2\nhotqueue')).toEqual([`requirements.txt:1: "redis>=4.2" allows redis-py 8 or later, which pip picks as the newest; ${why}`]);
    expect(notes('redis>=4.2\nredis!=8.0.0')).toEqual([
      `requirements.txt:1: "redis>=4.2" and "redis!=8.0.0" allow redis-py 8 or later, which pip picks as the newest; ${why}`,
    ]);
    for (const pinned of ['redis>=4.2,<8', 'redis==7.4.*', 'redis==5.2.*  # as in the course', 'redis>=4.2\nredis<8', 'redis===7.4.1', '-r base.txt'])
      expect(notes(pinned, { 'base.txt': 'redis~=7.4' }), pinned).toEqual([]);
  });

  it('hotqueue without redis lets pip pick the newest redis-py for it', () => {
    expect(notes('hotqueue\nflask')).toEqual([
      `requirements.txt:1: requirements.txt lists hotqueue but not redis, so pip installs the newest redis-py (8 or later) for it; with redis-py 8 an idle @q.worker dies after about a minute (TimeoutError: Timeout reading from socket): add redis and pin it below 8: redis>=4.2,<8 (or redis==7.4.*)`,
    ]);
  });

  it('says what it could not read instead of guessing', () => {
    expect(notes('hotqueue\n-r base.txt')).toEqual(['requirements.txt:2: -r base.txt is not in your submission, so the redis pin in it was not checked']);
    expect(notes('redis>=4.2,,<8')).toEqual(['requirements.txt:1: "redis>=4.2,,<8" could not be read as a requirement, so its redis pin was not checked']);
  });

  it('nothing is said of a file that is not there, names neither, or installs redis from a URL', () => {
    expect(redisPinNotes(files({}), 'requirements.txt')).toEqual([]);
    expect(notes('flask\n')).toEqual([]);
    expect(notes('redis @ https://example.invalid/redis-7.4.1-py3-none-any.whl')).toEqual([]);
  });

  it('a Python lab has its students write the requirements.txt files among its files', () => {
    const file = (path: string) => ({ path, role: 'other' as const, description: undefined });
    expect(requirementsFilesOf({ runtime: 'python', files: [file('src/api.py'), file('requirements.txt')] })).toEqual(['requirements.txt']);
    expect(requirementsFilesOf({ runtime: 'node', files: [file('requirements.txt')] })).toEqual([]);
  });
});
