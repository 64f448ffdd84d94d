import { describe, expect, it } from 'vitest';
import { crashLine, diagnoseRun, firstFew, frameShown, phrasings, quotedOutput, rawBytesPrinted, tracebackExcerpt } from '../../../runner/checks/diagnose.js';
import { nameErrorTraceback } from './fake-jobs-world.js';
import { persistenceMistakes } from '../../../runner/checks/kinds/persistence.js';
import { itemMistakes } from '../../../runner/checks/kinds/producer.js';
import type { WireProfile } from '../../../runner/checks/wire.js';

const queue = { db: 1, key: 'hotqueue:queue' };
const where = { queue, redisService: 'redis-db' };
const profile = (over: Partial<WireProfile>): WireProfile => ({
  connections: 1,
  commands: 3,
  dbs: [1],
  keys: ['hotqueue:queue'],
  names: {},
  emptyPops: 0,
  blockingPops: 1,
  peeks: 0,
  pushes: 0,
  rpops: 0,
  cutPops: 0,
  cutAfterMs: undefined,
  ...over,
});
const stderr = (...texts: string[]) => texts.map((text, i) => ({ stream: 'stderr' as const, t: i, text }));

describe('diagnoseRun', () => {
  it('names a crash by its exception line', () => {
    const lines = stderr('Traceback (most recent call last):', '  File "/lab/consumer.py", line 9', 'ZeroDivisionError: division by zero');
    expect(crashLine(lines)).toBe('ZeroDivisionError: division by zero');
    expect(
      diagnoseRun(
        {
          file: 'consumer.py',
          exit: { code: 1, description: 'exited with code 1', timedOut: false, oomKilled: false, stoppedByGrader: false },
          lines,
          profile: profile({}),
          expectedToRun: true,
        },
        where,
      )[0],
    ).toBe('consumer.py crashed (exited with code 1): ZeroDivisionError: division by zero');
  });

  it("names the line of the student's file the crash came from, as the jobs-api checks do", () => {
    const lines = stderr(
      'Traceback (most recent call last):',
      '  File "/lab/consumer.py", line 9, in <module>',
      '    for item in q.consume():',
      '  File "/usr/lib/python3/dist-packages/hotqueue.py", line 120, in consume',
      '    msg = self.get(block=True, timeout=timeout)',
      '  File "/lab/consumer.py", line 12, in <module>',
      '    print(1 / int(item))',
      '          ~~^~~~~~~~~~~',
      'ZeroDivisionError: division by zero',
    );
    const run = { file: 'consumer.py', exit: { code: 1, description: 'exited with code 1', timedOut: false, oomKilled: false, stoppedByGrader: false } };
    expect(diagnoseRun({ ...run, lines, profile: profile({}), expectedToRun: true }, where)[0]).toBe(
      'consumer.py crashed (exited with code 1): ZeroDivisionError: division by zero, at consumer.py line 12, in <module>: print(1 / int(item))',
    );
  });

  /** A script that ended by itself with exit 0, having connected to nothing. */
  const endedByItself = (file: string) => ({
    file,
    exit: { code: 0, description: 'exited with code 0', timedOut: false, oomKilled: false, stoppedByGrader: false },
    lines: [],
    profile: profile({}),
    expectedToRun: true,
  });

  it('a consumer that ends by itself is told to keep waiting', () => {
    const found = diagnoseRun(endedByItself('consumer.py'), where);
    expect(found[0]).toMatch(/ended by itself \(exit 0\) instead of waiting/);
  });

  it("a @q.worker script that ends by itself is told to call its decorated function, by no other lab's name for it", () => {
    const found = diagnoseRun(endedByItself('src/worker.py'), where, phrasings.worker);
    expect(found[0]).toBe(
      'src/worker.py ended by itself (exit 0) instead of waiting for more messages: call the decorated function at the end of the file and let it run: with @q.worker (no block=False, no timeout) it waits for messages forever',
    );
  });

  it('a run the grader stopped is known by its flag, whatever its description says', () => {
    const stopped = { code: 0, description: 'exited with code 0', timedOut: false, oomKilled: false, stoppedByGrader: true };
    const found = diagnoseRun({ file: 'consumer.py', exit: stopped, lines: [], profile: profile({}), expectedToRun: true }, where);
    expect(found.join('\n')).not.toMatch(/ended by itself/);
  });

  it("hints name the lab's Redis service, whatever the lab calls it", () => {
    const lines = stderr('redis.exceptions.ConnectionError: Error 111 connecting to 172.17.0.2:6379. Connection refused.');
    const exit = { code: 1, description: 'exited with code 1', timedOut: false, oomKilled: false, stoppedByGrader: false };
    const found = diagnoseRun(
      { file: 'consumer.py', exit, lines, profile: profile({ connections: 0 }), expectedToRun: true },
      { queue, redisService: 'cache' },
    );
    expect(found).toEqual([
      'consumer.py could not connect to Redis (redis.exceptions.ConnectionError: Error 111 connecting to 172.17.0.2:6379. Connection refused.): connect to host REDIS_IP (cache), not a hard-coded IP address',
    ]);
    expect(persistenceMistakes('cache', undefined, [])).toEqual([
      expect.stringMatching(/^cache must run with command: \["--save", "1", "1"\]/),
      expect.stringMatching(/^cache must keep the volume \.\/data:\/data/),
    ]);
  });

  it('never connected: one sentence with the error, the line it came from, and the fix, when the error says so', () => {
    const lines = stderr(
      'Traceback (most recent call last):',
      '  File "/lab/consumer.py", line 7, in <module>',
      '    for item in q.consume():',
      'redis.exceptions.ConnectionError: Error 113 connecting to 172.17.0.2:6379. No route to host.',
    );
    const found = diagnoseRun(
      {
        file: 'consumer.py',
        exit: { code: 1, description: 'exited with code 1', timedOut: false, oomKilled: false, stoppedByGrader: false },
        lines,
        profile: profile({ connections: 0 }),
        expectedToRun: true,
      },
      where,
    );
    expect(found).toEqual([
      'consumer.py could not connect to Redis (redis.exceptions.ConnectionError: Error 113 connecting to 172.17.0.2:6379. No route to host.): connect to host REDIS_IP (redis-db), not a hard-coded IP address, at consumer.py line 7, in <module>: for item in q.consume():',
    ]);
  });

  it('never connected and stopped: its refused requests, when its supervisor said so', () => {
    const stopped = { code: 137, description: 'stopped by the grader', timedOut: false, oomKilled: false, stoppedByGrader: true };
    const evidence = { file: 'consumer.py', exit: stopped, lines: [], profile: profile({ connections: 0 }), expectedToRun: true, unanswered: 'refused' };
    expect(diagnoseRun(evidence, where)).toEqual([
      'consumer.py never reached redis-db: its connection requests were refused, and it had no connection when it was stopped. A hard-coded IP address or port? Connect to host REDIS_IP (redis-db), port 6379',
    ]);
  });

  it('never connected and stopped: the address it waited on when there was one, the likely causes when not', () => {
    const stopped = { code: 137, description: 'stopped by the grader', timedOut: false, oomKilled: false, stoppedByGrader: true };
    const evidence = { file: 'producer.py', exit: stopped, lines: [], profile: profile({ connections: 0 }), expectedToRun: false };
    expect(diagnoseRun({ ...evidence, unanswered: '172.17.0.2:6379' }, where)).toEqual([
      'producer.py never reached redis-db: it was trying to connect to 172.17.0.2:6379, where nothing answers, when it was stopped. A hard-coded IP address? Connect to host REDIS_IP (redis-db), port 6379',
    ]);
    expect(diagnoseRun(evidence, where)[0]).toMatch(
      /^producer\.py never reached redis-db \(it was still running, without a connection, when stopped\): a hard-coded IP address, a wrong host name, or a loop/,
    );
  });

  it('wrong db, wrong key, peeking, pushing back, wrong end, busy polling', () => {
    const found = diagnoseRun(
      {
        file: 'c.py',
        exit: undefined,
        lines: [],
        profile: profile({ dbs: [0], keys: ['hotqueue:jobs'], peeks: 3, pushes: 2, rpops: 1, emptyPops: 50 }),
        expectedToRun: true,
      },
      where,
    );
    expect(found.map((f) => f.split(' ').slice(1, 4).join(' '))).toEqual([
      'used db 0,',
      'used the key',
      'read the queue',
      'put items back',
      'took items from',
      'polled Redis in',
    ]);
  });

  it('a consumer that printed the bytes it popped is told to print the message, in its own vocabulary', () => {
    const stdout = (...texts: string[]) => texts.map((text, i) => ({ stream: 'stdout' as const, t: i, text }));
    const pickle = "b'\\x80\\x04\\x95\\x14\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x8c\\x10k7fq2-004-qf\\xc3\\xa4va\\x94.'";
    const lines = stdout(pickle, `(b'hotqueue:queue', ${pickle})`);
    const evidence = {
      file: 'consumer.py',
      exit: { code: 137, description: 'stopped by the grader', timedOut: false, oomKilled: false, stoppedByGrader: true },
      lines,
      profile: profile({}),
      expectedToRun: true,
    };
    expect(diagnoseRun(evidence, where)).toEqual([
      "consumer.py printed the bytes it popped (b'\\x80\\x04\\x95\\x14\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x8c\\x10k…), not the message they hold: for item in q.consume(): print(item) hands over each message unpickled; with redis-py, print(pickle.loads(data)) for the data blpop returns",
    ]);
    expect(diagnoseRun({ ...evidence, lines: stdout(`(b'hotqueue:queue', ${pickle})`) }, where, phrasings.worker)[0]).toMatch(
      /^consumer\.py printed the bytes it popped \(b'\\x80.*: @q\.worker passes echo\(item\)/,
    );
    expect(rawBytesPrinted(stdout('got b\'"k7f\\xc3\\xa4"\''))).toBe('b\'"k7f\\xc3\\xa4"\'');
    expect(rawBytesPrinted(stdout('[ <Buffer 68 6f 74>, <Buffer 22 6b> ]'))).toBe('<Buffer 68 6f 74…');
    // Text that merely mentions bytes, or a message with a quote in it, is no bytes value.
    expect(rawBytesPrinted(stdout("b'plain ascii bytes'", "Bob's job: k7fq2-004-qfäva", "['k7fq2-004-qfäva']", 'tab\\there'))).toBeUndefined();
    // A producer is not expected to print messages.
    expect(diagnoseRun({ ...evidence, expectedToRun: false }, where)).toEqual([]);
  });

  it('shows the first few ids', () => {
    expect(firstFew(['a', 'b', 'c', 'd', 'e'])).toBe('a, b, c (+2 more)');
    expect(firstFew([])).toBe('none');
  });
});

describe('producer mistakes', () => {
  const str = (t: string) => ({ type: 'str', text: t, shown: JSON.stringify(t) });
  it('the argument list as one message', () => {
    expect(itemMistakes(['a', 'b'], [{ type: 'list', text: undefined, shown: '["a","b"]' }])[0]).toMatch(/whole argument list as one message/);
  });
  it('reversed order', () => {
    expect(itemMistakes(['a', 'b', 'c'], ['c', 'b', 'a'].map(str))[0]).toMatch(/reverse order/);
  });
  it('a message of its own, or the script name', () => {
    expect(itemMistakes(['a'], [str('a'), str('done')])[0]).toMatch(/a message of its own \("done"\)/);
    expect(itemMistakes(['a'], [str('producer.py'), str('a')])[0]).toMatch(/script's own name/);
  });
  it('bytes and numbers', () => {
    expect(itemMistakes(['a'], [{ type: 'bytes', text: undefined, shown: 'b"a"' }])[0]).toMatch(/bytes, not str/);
    expect(itemMistakes(['42'], [{ type: 'int', text: undefined, shown: '42' }])[0]).toMatch(/numbers/);
  });
});

describe('persistence mistakes', () => {
  it('names a missing --save and a missing data volume', () => {
    expect(persistenceMistakes('redis-db', ['--save', '1', '1'], ['/data'])).toEqual([]);
    expect(persistenceMistakes('redis-db', undefined, ['/data'])[0]).toMatch(/--save/);
    expect(persistenceMistakes('redis-db', ['--save', '1', '1'], [])[0]).toMatch(/\.\/data:\/data/);
  });
});

describe('a blocking pop cut by the script’s own client (redis-py 8’s socket timeout)', () => {
  const traceback = [
    'Traceback (most recent call last):',
    '  File "/usr/lib/python3/dist-packages/redis/connection.py", line 206, in _read_from_socket',
    'redis.exceptions.TimeoutError: Timeout reading from socket',
  ];
  const lines = traceback.map((text, i) => ({ t: i, stream: 'stderr' as const, text }));
  const exit = { code: 1, timedOut: false, oomKilled: false, stoppedByGrader: false, description: 'exited with code 1' };

  it('names the cause and both fixes, with what the wire showed', () => {
    const [finding, ...rest] = diagnoseRun(
      { file: 'consumer.py', exit, lines, profile: profile({ connections: 2, cutPops: 1, cutAfterMs: 5000 }), expectedToRun: true },
      where,
    );
    expect(finding).toBe(
      'consumer.py could not wait for messages on an empty queue: its own Redis client gave up on its blocking pop after 5.0 s and asked again on a new connection (1×), ' +
        "then crashed with redis.exceptions.TimeoutError: Timeout reading from socket. The client's socket timeout cuts the wait: " +
        'redis-py 8 sets 5 s by default, so q.consume() dies after about a minute of idle queue. Fix either way: pin redis-py below 8 (pip install "redis>=4.2,<8"; ' +
        'in requirements.txt: redis>=4.2,<8), or pass socket_timeout=None to HotQueue(...) (and do not set a short socket_timeout yourself)',
    );
    // Not also the generic "crashed" sentence.
    expect(rest.filter((f) => f.includes('crashed'))).toEqual([]);
  });

  it('is not said of a consumer that crashed of something else', () => {
    const other = [{ t: 0, stream: 'stderr' as const, text: 'NameError: name "q" is not defined' }];
    const findings = diagnoseRun({ file: 'consumer.py', exit, lines: other, profile: profile({}), expectedToRun: true }, where);
    expect(findings.join(' ')).not.toContain('socket timeout');
  });
});

describe("tracebackExcerpt: the frame of the student's code and the exception, whatever Python prints between them", () => {
  it("keeps worker.py's innermost frame and its source line, leaves out hotqueue's frame and the carets", () => {
    const lines = stderr('worker ready', ...nameErrorTraceback);
    expect(tracebackExcerpt(lines)?.lines).toEqual([
      'File "/lab/src/worker.py", line 17, in do_work',
      'time.sleep(WORK_SECOND)  # the work itself, in this exercise',
      "NameError: name 'WORK_SECOND' is not defined. Did you mean: 'WORK_SECONDS'?",
    ]);
    // The cut it replaces: the last three lines had lost the frame.
    expect(quotedOutput(lines, 'src/worker.py')).toContain('src/worker.py: File "/lab/src/worker.py", line 17, in do_work');
  });

  it("a crash inside a library is placed at the last frame of the student's code that led there", () => {
    const lines = stderr(
      'Traceback (most recent call last):',
      '  File "/lab/src/worker.py", line 22, in <module>',
      '    do_work()',
      '  File "/usr/local/lib/python3.10/site-packages/hotqueue.py", line 172, in wrapper',
      '    for msg in self.consume(**kwargs):',
      '  File "/usr/local/lib/python3.10/site-packages/hotqueue.py", line 101, in consume',
      '    msg = self.serializer.loads(msg[1])',
      "TypeError: a bytes-like object is required, not 'str'",
    );
    expect(tracebackExcerpt(lines)?.frame).toMatchObject({ path: '/lab/src/worker.py', line: 22, function: '<module>', source: 'do_work()' });
  });

  it('the last of several tracebacks, with the line logging.exception printed before it', () => {
    const one = ['ERROR:root:job 1 failed', 'Traceback (most recent call last):', '  File "/lab/src/worker.py", line 13, in _analyse', 'KeyError: 1'];
    const two = ['ERROR:root:job 2 failed', 'Traceback (most recent call last):', '  File "/lab/src/worker.py", line 14, in _analyse', 'KeyError: 2'];
    expect(tracebackExcerpt(stderr(...one, ...two))?.lines).toEqual([
      'ERROR:root:job 2 failed',
      'File "/lab/src/worker.py", line 14, in _analyse',
      'KeyError: 2',
    ]);
  });

  it('no traceback: none, and quotedOutput falls back to the last lines', () => {
    const lines = stderr('a', 'b', 'c', 'd');
    expect(tracebackExcerpt(lines)).toBeUndefined();
    expect(quotedOutput(lines, 'w.py', 2)).toEqual(['w.py: c', 'w.py: d']);
  });
});

describe('frameShown: where a frame is, with the code but not the comment after it', () => {
  const frame = (source: string) => ({ text: '', path: '/lab/src/worker.py', line: 13, function: '_analyse', source });
  it.each([
    ['return a / (b - b)  # the "analysis" has a bug', 'return a / (b - b)'],
    ['print("job #1")  # it\'s fine', 'print("job #1")'],
    ["key = f'job.{jid}'", "key = f'job.{jid}'"],
  ])('%s', (source, shown) => {
    expect(frameShown(frame(source))).toBe(`src/worker.py line 13, in _analyse: ${shown}`);
  });
});
