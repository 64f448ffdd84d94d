/**
 * The wire recorder's reading of RESP, through the real recorder process (its files as they go into
 * its image) between a client socket and a server that answers with exactly the bytes each case
 * needs: every RESP3 type, attributes and push frames that are not replies, RESP2 subscriptions,
 * transactions, CLIENT REPLY, inline commands, and bytes it cannot read. No Docker: the recorder is
 * plain Node.js.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WireLog, queueOps } from '../../../runner/checks/wire.js';
import { recorderFiles, recorderScript } from '../../../runner/provision/recorder/files.js';

let dir: string;
let recorder: ChildProcess;
let server: Server;
const lines: string[] = [];
/** What the server answers to the next command it reads, per connection, in order. */
const scripts: string[][] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'labs-recorder-'));
  for (const file of await recorderFiles()) {
    await mkdir(dirname(join(dir, file.path)), { recursive: true });
    await writeFile(join(dir, file.path), file.data);
  }
  server = createServer((socket) => {
    const answers = scripts.shift() ?? [];
    socket.on('data', () => {
      // One answer per chunk the client sends: each case sends one command (or one pipeline) at a time.
      const answer = answers.shift();
      if (answer !== undefined) socket.write(Buffer.from(answer, 'latin1'));
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const upstreamPort = (server.address() as AddressInfo).port;
  recorder = spawn(process.execPath, [join(dir, recorderScript)], {
    env: { ...process.env, UPSTREAM_HOST: '127.0.0.1', UPSTREAM_PORT: String(upstreamPort), LISTEN_PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let buffered = '';
  recorder.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    lines.push(...parts);
  });
  await until(() => lines.some((l) => l.includes('"listening"')));
});

afterAll(async () => {
  recorder?.kill();
  server?.close();
  await rm(dir, { recursive: true, force: true });
});

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function listeningPort(): number {
  return JSON.parse(lines.find((l) => l.includes('"listening"'))!).port as number;
}

const command = (...args: string[]): string => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`).join('')}`;

/**
 * One connection through the recorder: sends each request in turn, waiting for the server's answer
 * to reach the client before the next; returns the connection's records once it is closed.
 */
async function session(exchanges: { send: string; answer: string }[]): Promise<{ log: WireLog; records: Record<string, unknown>[]; received: string }> {
  const connectionsBefore = lines.filter((l) => l.includes('"e":"open"')).length;
  scripts.push(exchanges.map((e) => e.answer));
  // The listening port is known only from the recorder's first line (it listens on port 0 here).
  const socket: Socket = connect(listeningPort(), '127.0.0.1');
  let received = '';
  socket.on('data', (chunk) => (received += chunk.toString('latin1')));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  for (const exchange of exchanges) {
    const expected = received.length + Buffer.byteLength(exchange.answer, 'latin1');
    socket.write(Buffer.from(exchange.send, 'latin1'));
    await until(() => received.length >= expected);
  }
  socket.end();
  const c = connectionsBefore + 1;
  await until(() => lines.some((l) => l.includes('"e":"close"') && JSON.parse(l).c === c));
  const mine = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r.c === c);
  const log = new WireLog();
  log.addRun({ name: 'client', address: '127.0.0.1', startedAt: 0, endedAt: undefined });
  for (const r of mine) log.feed(JSON.stringify(r));
  return { log, records: mine, received };
}

const cmds = (records: Record<string, unknown>[]) => records.filter((r) => r.e === 'cmd').map((r) => [r.n, r.y]);
const b64 = (s: string) => Buffer.from(s, 'latin1').toString('base64');
const queue = { db: 1, key: 'hotqueue:queue' };

describe('the wire recorder', () => {
  it('switches to RESP3 on HELLO 3 and reads every RESP3 type, attributes and push frames set aside', async () => {
    const hello = '%3\r\n$6\r\nserver\r\n$5\r\nredis\r\n$5\r\nproto\r\n:3\r\n$7\r\nmodules\r\n*0\r\n';
    const { log, records, received } = await session([
      { send: command('HELLO', '3') + command('CLIENT', 'SETINFO', 'LIB-NAME', 'redis-py'), answer: `${hello}+OK\r\n` },
      { send: command('SELECT', '1'), answer: '+OK\r\n' },
      // An attribute before the reply, and one inside an aggregate (not counted as an element).
      { send: command('LPOP', 'hotqueue:queue'), answer: '|1\r\n+key-popularity\r\n,0.19\r\n$2\r\nm1\r\n' },
      { send: command('LRANGE', 'hotqueue:queue', '0', '-1'), answer: '*2\r\n|1\r\n+ttl\r\n:3\r\n$2\r\nm2\r\n$2\r\nm3\r\n' },
      // A push frame (out of band) just before the reply it must not be taken for.
      { send: command('LPOP', 'hotqueue:queue'), answer: '>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n_\r\n' },
      { send: command('LLEN', 'hotqueue:queue'), answer: '(3492890328409238509324850943850943825024385\r\n' },
      { send: command('GET', 'k'), answer: '!21\r\nSYNTAX invalid syntax\r\n' },
      { send: command('TYPE', 'k'), answer: '=15\r\ntxt:Some string\r\n' },
      { send: command('EXISTS', 'k'), answer: '#t\r\n' },
      { send: command('SET', 'k', 'v'), answer: ',-inf\r\n' },
      { send: command('SORT', 'k'), answer: '~2\r\n$1\r\na\r\n$1\r\nb\r\n' },
      { send: command('BLPOP', 'hotqueue:queue', '0'), answer: '*2\r\n$14\r\nhotqueue:queue\r\n$3\r\n\x80\x04X\r\n' },
    ]);
    expect(records.find((r) => r.e === 'proto')).toMatchObject({ v: 3 });
    expect(log.connections.get(records[0]!.c as number)?.protocol).toBe(3);
    expect(cmds(records)).toEqual([
      ['HELLO', undefined],
      ['CLIENT', undefined],
      ['SELECT', undefined],
      ['LPOP', { b: b64('m1') }],
      ['LRANGE', { a: [{ b: b64('m2') }, { b: b64('m3') }], n: 2 }],
      ['LPOP', null],
      ['LLEN', { i: '3492890328409238509324850943850943825024385' }],
      ['GET', { err: 'SYNTAX invalid syntax' }],
      ['TYPE', { s: 'Some string' }],
      ['EXISTS', { bool: true }],
      ['SET', { d: '-Infinity' }],
      ['SORT', { a: [{ b: b64('a') }, { b: b64('b') }], n: 2 }],
      ['BLPOP', { a: [{ b: b64('hotqueue:queue') }, { b: b64('\x80\x04X') }], n: 2 }],
    ]);
    expect(records.some((r) => r.e === 'wait' && r.n === 'BLPOP' && r.db === 1)).toBe(true);
    expect(queueOps(log, log.commands, queue).map((o) => [o.op, o.raw.toString('latin1')])).toEqual([
      ['pop', 'm1'],
      ['peek', 'm2'],
      ['peek', 'm3'],
      ['pop', '\x80\x04X'],
    ]);
    // Forwarded unchanged, whatever was recorded.
    expect(received).toContain('>2\r\n$10\r\ninvalidate');
  });

  it('reads a RESP2 connection: subscription confirmations and published messages are not replies', async () => {
    const { records } = await session([
      { send: command('SUBSCRIBE', 'ch1', 'ch2'), answer: '*3\r\n$9\r\nsubscribe\r\n$3\r\nch1\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$3\r\nch2\r\n:2\r\n' },
      { send: command('PING'), answer: '*3\r\n$7\r\nmessage\r\n$3\r\nch1\r\n$5\r\nhello\r\n*2\r\n$4\r\npong\r\n$0\r\n\r\n' },
      { send: command('UNSUBSCRIBE'), answer: '*3\r\n$11\r\nunsubscribe\r\n$3\r\nch1\r\n:1\r\n*3\r\n$11\r\nunsubscribe\r\n$3\r\nch2\r\n:0\r\n' },
      { send: command('LPOP', 'hotqueue:queue'), answer: '$2\r\nm7\r\n' },
    ]);
    expect(records.some((r) => r.e === 'proto')).toBe(false);
    expect(cmds(records).map(([n]) => n)).toEqual(['SUBSCRIBE', 'PING', 'UNSUBSCRIBE', 'LPOP']);
    expect(cmds(records).at(-1)).toEqual(['LPOP', { b: b64('m7') }]);
  });

  it('ties the commands of a transaction to EXEC’s replies, and follows CLIENT REPLY OFF, SKIP and ON', async () => {
    const { records } = await session([
      { send: command('MULTI'), answer: '+OK\r\n' },
      { send: command('LPOP', 'hotqueue:queue'), answer: '+QUEUED\r\n' },
      { send: command('LLEN', 'hotqueue:queue'), answer: '+QUEUED\r\n' },
      { send: command('EXEC'), answer: '*2\r\n$2\r\nm9\r\n:4\r\n' },
      // SKIP: neither it nor the next command is answered; the one after is.
      { send: command('CLIENT', 'REPLY', 'SKIP') + command('LPOP', 'hotqueue:queue') + command('LLEN', 'hotqueue:queue'), answer: ':3\r\n' },
      { send: command('CLIENT', 'REPLY', 'OFF') + command('LPOP', 'hotqueue:queue') + command('CLIENT', 'REPLY', 'ON'), answer: '+OK\r\n' },
      { send: command('LPOP', 'hotqueue:queue'), answer: '$3\r\nm10\r\n' },
    ]);
    expect(cmds(records)).toEqual([
      ['MULTI', undefined],
      ['LPOP', { b: b64('m9') }],
      ['LLEN', { i: 4 }],
      ['EXEC', undefined],
      ['CLIENT', undefined],
      ['LPOP', null],
      ['LLEN', { i: 3 }],
      ['CLIENT', undefined],
      ['LPOP', null],
      ['CLIENT', undefined],
      ['LPOP', { b: b64('m10') }],
    ]);
  });

  it('names the commands a connection closed without an answer to: a SHUTDOWN Redis obeyed', async () => {
    const { log, records } = await session([
      { send: command('SELECT', '1'), answer: '+OK\r\n' },
      { send: command('SHUTDOWN', 'NOSAVE'), answer: '' },
    ]);
    expect(records.at(-1)).toMatchObject({ e: 'close', pending: 1, u: ['SHUTDOWN'] });
    expect(log.connections.get(records[0]!.c as number)?.unanswered).toEqual(['SHUTDOWN']);
  });

  it('reads inline commands, as typed into telnet', async () => {
    const { records } = await session([
      { send: 'SELECT 1\r\n', answer: '+OK\r\n' },
      { send: 'LPOP "hotqueue:queue"\r\n', answer: '$2\r\nm1\r\n' },
    ]);
    expect(records.filter((r) => r.e === 'cmd').map((r) => [r.n, r.db, r.k])).toEqual([
      ['SELECT', 0, ['1']],
      ['LPOP', 1, ['hotqueue:queue']],
    ]);
  });

  it("writes down a hash record's key and fields (HSET) and the key of its reads (HGETALL): a jobs-api job's record", async () => {
    const { log } = await session([
      { send: command('HSET', 'job.j1', 'id', 'j1', 'status', 'in progress'), answer: ':0\r\n' },
      { send: command('HGETALL', 'job.j1'), answer: '*2\r\n$6\r\nstatus\r\n$11\r\nin progress\r\n' },
    ]);
    const [hset, hgetall] = log.commands;
    expect([hset!.name, hset!.keys, hset!.values.map((v) => v.toString())]).toEqual(['HSET', ['job.j1'], ['id', 'j1', 'status', 'in progress']]);
    expect([hgetall!.name, hgetall!.keys]).toEqual(['HGETALL', ['job.j1']]);
  });

  it('says which bytes it could not read (an unknown reply type), keeps forwarding, records nothing more', async () => {
    const { records, received } = await session([
      { send: command('LPOP', 'hotqueue:queue'), answer: '@3\r\nabc\r\n' },
      { send: command('LPOP', 'hotqueue:queue'), answer: '$2\r\nm1\r\n' },
    ]);
    expect(records.find((r) => r.e === 'unparsed')).toMatchObject({
      d: 'reply',
      why: 'unknown RESP type byte 0x40',
      at: Buffer.from('@3\r\nabc\r\n').toString('hex'),
    });
    expect(records.filter((r) => r.e === 'cmd')).toEqual([]);
    expect(received).toBe('@3\r\nabc\r\n$2\r\nm1\r\n');
  });

  it('says so of a streamed RESP3 string and of a command that is not an array of bulk strings', async () => {
    const streamed = await session([{ send: command('GET', 'k'), answer: '$?\r\n;4\r\nHell\r\n;0\r\n' }]);
    expect(streamed.records.find((r) => r.e === 'unparsed')).toMatchObject({ d: 'reply', why: 'a streamed RESP3 value (length "?")' });
    const odd = await session([{ send: '*1\r\n:1\r\n', answer: "-ERR Protocol error: expected '$', got ':'\r\n" }]);
    expect(odd.records.find((r) => r.e === 'unparsed')).toMatchObject({ d: 'command' });
  });
});
