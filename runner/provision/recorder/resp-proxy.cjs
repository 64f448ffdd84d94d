'use strict';
/*
 * The wire recorder: stands in as `redis-db` on a check's network, forwards every byte between the
 * student's code and the real Redis unchanged, and parses both directions with redis-parser (the
 * RESP parser of ioredis and node_redis) to write one JSON line per command and its reply to stdout.
 * The grader reads these lines from the container's log; each connection is tied to a container by
 * its source address. Runs inside a container with plain Node.js (CommonJS, no other dependency).
 *
 * Line shapes (t = ms since epoch when the command arrived, r = when its reply was sent):
 *   {"e":"open","c":1,"a":"172.20.0.5","t":…}
 *   {"e":"wait","c":1,"t":…,"n":"BLPOP","db":1,"k":[…]}  (a blocking pop arrived; its "cmd" line follows when served)
 *   {"e":"cmd","c":1,"t":…,"r":…,"db":1,"n":"BLPOP","k":["hotqueue:queue"],"v":[…],"y":…}
 *   {"e":"close","c":1,"t":…}
 * Values (v: the pushed items, y: the reply) are base64; only list and keyspace commands carry them.
 */
const net = require('node:net');
const Parser = require('redis-parser');

const upstreamHost = process.env.UPSTREAM_HOST || 'redis-upstream';
const upstreamPort = Number(process.env.UPSTREAM_PORT || 6379);
const listenPort = Number(process.env.LISTEN_PORT || 6379);
const maxValueBytes = 4096;
const maxItems = 2000;

// Commands whose keys and values matter to the checks; for every other command only its name is
// recorded (the blocking check counts them all).
const keyed = new Set(['LPOP', 'RPOP', 'BLPOP', 'BRPOP', 'LMPOP', 'BLMPOP', 'RPOPLPUSH', 'BRPOPLPUSH', 'LMOVE', 'BLMOVE',
  'LRANGE', 'LINDEX', 'LPUSH', 'RPUSH', 'LPUSHX', 'RPUSHX', 'LINSERT', 'LSET', 'LREM', 'LTRIM', 'LLEN',
  'DEL', 'UNLINK', 'RENAME', 'GET', 'SET', 'EXISTS', 'TYPE', 'SORT']);
const blocking = new Set(['BLPOP', 'BRPOP', 'BLMPOP', 'BRPOPLPUSH', 'BLMOVE']);
const withValues = new Set(['LPUSH', 'RPUSH', 'LPUSHX', 'RPUSHX', 'LINSERT', 'LSET', 'SET']);

function out(record) {
  process.stdout.write(`${JSON.stringify(record)}\n`);
}

function b64(buffer) {
  const b = Buffer.isBuffer(buffer) ? buffer : Buffer.from(String(buffer));
  return (b.length > maxValueBytes ? b.subarray(0, maxValueBytes) : b).toString('base64');
}

function encodeReply(reply) {
  if (reply === null || reply === undefined) return null;
  if (Buffer.isBuffer(reply)) return { b: b64(reply) };
  if (typeof reply === 'number') return { i: reply };
  if (reply instanceof Error) return { err: String(reply.message).slice(0, 200) };
  if (Array.isArray(reply)) return { a: reply.slice(0, maxItems).map(encodeReply), n: reply.length };
  return { s: String(reply).slice(0, 200) };
}

let nextConnection = 0;

const server = net.createServer((client) => {
  const c = ++nextConnection;
  const address = String(client.remoteAddress || '').replace(/^::ffff:/, '');
  out({ e: 'open', c, a: address, t: Date.now() });
  const upstream = net.connect(upstreamPort, upstreamHost);
  upstream.setNoDelay(true);
  client.setNoDelay(true);
  const pending = [];
  let db = 0;
  let recording = true;

  const commands = new Parser({
    returnBuffers: true,
    returnReply(argv) {
      if (!Array.isArray(argv) || argv.length === 0) return;
      const name = String(argv[0]).toUpperCase();
      const entry = { t: Date.now(), name, argv, db };
      if (name === 'SELECT' && argv[1]) db = Number(String(argv[1]));
      pending.push(entry);
      // A blocking pop is answered only when served: say at once that the client now waits.
      if (blocking.has(name)) out({ e: 'wait', c, t: entry.t, n: name, db, k: argv.slice(1, 20).map((a) => String(a).slice(0, 200)) });
    },
    returnError() {},
    returnFatalError() {
      // Not RESP (an inline command typed by hand, say): keep forwarding, stop recording.
      recording = false;
      out({ e: 'unparsed', c, t: Date.now() });
    },
  });

  const replies = new Parser({
    returnBuffers: true,
    returnReply: (reply) => answered(reply),
    returnError: (error) => answered(error),
    returnFatalError() {
      recording = false;
      out({ e: 'unparsed', c, t: Date.now() });
    },
  });

  function answered(reply) {
    const entry = pending.shift();
    if (!entry) return;
    const record = { e: 'cmd', c, t: entry.t, r: Date.now(), db: entry.db, n: entry.name };
    if (keyed.has(entry.name)) {
      const args = entry.argv.slice(1).slice(0, maxItems);
      if (withValues.has(entry.name)) {
        record.k = [String(args[0] ?? '')];
        record.v = args.slice(1).map(b64);
      } else {
        record.k = args.map((a) => String(a).slice(0, 200));
      }
      record.y = encodeReply(reply);
    } else if (entry.name === 'SELECT' || entry.name === 'FLUSHDB' || entry.name === 'FLUSHALL') {
      record.k = entry.argv.slice(1).map((a) => String(a).slice(0, 50));
    }
    if (reply instanceof Error && !record.y) record.y = encodeReply(reply);
    out(record);
  }

  client.on('data', (chunk) => {
    upstream.write(chunk);
    if (recording) commands.execute(chunk);
  });
  upstream.on('data', (chunk) => {
    client.write(chunk);
    if (recording) replies.execute(chunk);
  });
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    client.destroy();
    upstream.destroy();
    out({ e: 'close', c, t: Date.now(), pending: pending.length });
  };
  client.on('close', close);
  upstream.on('close', close);
  client.on('error', () => {});
  upstream.on('error', () => {});
});

server.listen(listenPort, '0.0.0.0', () => out({ e: 'listening', t: Date.now(), port: listenPort }));
process.on('SIGTERM', () => process.exit(0));
