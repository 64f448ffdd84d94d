/**
 * The real recorder (its image) between a real Redis and real clients of both protocols, side by
 * side in one run: node-redis 5 with RESP: 3 and with RESP2, a Python script that speaks RESP3 the
 * way redis-py 8 opens a connection (HELLO 3, CLIENT SETINFO, SELECT, BLPOP) and asks Redis for a
 * reply of every RESP3 type, and redis-py 4 (RESP2). Pops, the db and key, blocking waits and the
 * protocol of each connection are read the same from all of them.
 */
import { join } from 'node:path';
import { execa } from 'execa';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WireLog, queueOps } from '../../runner/checks/wire.js';
import { DockerRuntime } from '../../runner/provision/docker.js';
import { currentOwner } from '../../runner/provision/labels.js';
import { recorderImage, recorderDir } from '../../runner/provision/recorder/image.js';
import { recorderScript } from '../../runner/provision/recorder/files.js';
import { repoRoot } from '../helpers/labs.js';

const session = `test-clients-${process.pid}-${Date.now().toString(36)}`;
const network = `labs-${session}`;
// Owned by this process, as labs labels its own: a `labs prune` that a test beside this one runs
// (labs grade and labs worker sweep at start) keeps them. An owner it cannot parse ("test") it took
// for gone, and removed the recorder mid-test.
const label = ['--label', `labs.session=${session}`, '--label', 'labs.mode=check', '--label', `labs.owner=${currentOwner()}`];
let port: number;
let recorder: string;

const docker = async (...args: string[]): Promise<string> => (await execa('docker', args)).stdout.trim();

beforeAll(async () => {
  await docker('network', 'create', ...label, network);
  await docker(
    'run',
    '-d',
    ...label,
    '--network',
    network,
    '--network-alias',
    'redis-upstream',
    '--name',
    `${network}-redis`,
    'redis:7',
    '--enable-debug-command',
    'yes',
  );
  const image = await recorderImage(new DockerRuntime(), 'node:20');
  recorder = await docker(
    'run',
    '-d',
    ...label,
    '--network',
    network,
    '--network-alias',
    'redis-db',
    '--name',
    `${network}-recorder`,
    '-p',
    '127.0.0.1::6379',
    '-e',
    'UPSTREAM_HOST=redis-upstream',
    '--entrypoint',
    'node',
    image,
    `${recorderDir}/${recorderScript}`,
  );
  port = Number((await docker('port', recorder, '6379/tcp')).split(':').pop());
  await vi.waitFor(async () => expect(await docker('logs', recorder)).toContain('"listening"'), { timeout: 30_000, interval: 100 });
  // Redis answers before the clients start (a docker exec takes seconds on a loaded machine).
  await vi.waitFor(async () => expect((await execa('docker', ['exec', `${network}-redis`, 'redis-cli', 'ping'], { reject: false })).exitCode).toBe(0), {
    timeout: 30_000,
    interval: 100,
  });
}, 120_000);

afterAll(async () => {
  await execa('docker', ['rm', '-f', '-v', `${network}-redis`, `${network}-recorder`, `${network}-py3`, `${network}-py2`], { reject: false });
  await execa('docker', ['network', 'rm', network], { reject: false });
});

/** Runs a Python script in a python:3.10 container on the network; resolves with its output. */
async function python(name: string, script: string, args: string[]): Promise<{ address: Promise<string>; done: Promise<string> }> {
  await docker(
    'create',
    ...label,
    '--network',
    network,
    '--name',
    `${network}-${name}`,
    'python:3.10',
    'python3',
    '-u',
    `/tmp/${script.split('/').pop()}`,
    ...args,
  );
  await docker('cp', script, `${network}-${name}:/tmp/`);
  await docker('start', `${network}-${name}`);
  const address = docker('inspect', '-f', `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, `${network}-${name}`);
  const done = execa('docker', ['wait', `${network}-${name}`]).then(async (r) => {
    const logs = await execa('docker', ['logs', `${network}-${name}`], { all: true });
    if (r.stdout.trim() !== '0') throw new Error(`${name} exited ${r.stdout}: ${logs.all}`);
    return logs.stdout;
  });
  return { address, done };
}

describe('the recorder between real clients of RESP2 and RESP3 and a real Redis', () => {
  it('reads pops, db, key and blocking waits the same from every client, and knows each one’s protocol', async () => {
    const pickled = join(repoRoot, 'test', 'fixtures', 'clients');
    const resp3 = createClient({ url: `redis://127.0.0.1:${port}/1`, RESP: 3 });
    const resp2 = createClient({ url: `redis://127.0.0.1:${port}/1` });
    await resp3.connect();
    await resp2.connect();
    // Blocking pops of all four wait together on an empty queue, then the items arrive.
    const py3 = await python('py3', join(pickled, 'resp3_consumer.py'), ['redis-db', '6379', '3', '--types']);
    const py2Script = join(pickled, 'resp2_consumer.py');
    const py2 = await python('py2', py2Script, ['redis-db', '6379', '3']);
    const waitingNode3 = resp3.blPop('hotqueue:queue', 0);
    const waitingNode2 = resp2.duplicate();
    await waitingNode2.connect();
    const node2pop = waitingNode2.blPop('hotqueue:queue', 0);
    await expect.poll(async () => (await docker('logs', recorder)).split('\n').filter((l) => l.includes('"e":"wait"')).length, { timeout: 15_000 }).toBe(4);
    // The producer: pickled strings as hotqueue puts them, from the RESP2 node client.
    const items = await execa('docker', [
      'run',
      '--rm',
      '--network',
      'none',
      'python:3.10',
      'python3',
      '-c',
      'import pickle,base64; [print(base64.b64encode(pickle.dumps("m%d" % i)).decode()) for i in range(8)]',
    ]);
    const values = items.stdout.split('\n').map((b) => Buffer.from(b, 'base64'));
    for (const v of values) await resp2.rPush('hotqueue:queue', v);
    const [popped3, popped2] = await Promise.all([waitingNode3, node2pop]);
    expect(popped3?.key).toBe('hotqueue:queue');
    expect(popped2?.key).toBe('hotqueue:queue');
    const [out3, out2] = await Promise.all([py3.done, py2.done]);
    expect(out3.split('\n')[0]).toBe('types read');
    for (const c of [resp3, resp2, waitingNode2]) await c.quit();

    const wire = new WireLog();
    const [address3, address2] = await Promise.all([py3.address, py2.address]);
    wire.addRun({ name: 'py3', address: address3, startedAt: 0, endedAt: undefined });
    wire.addRun({ name: 'py2', address: address2, startedAt: 0, endedAt: undefined });
    for (const line of (await docker('logs', recorder)).split('\n')) wire.feed(line);
    const conns = [...wire.connections.values()];
    const hostConns = conns.filter((c) => c.run === undefined);
    // node-redis RESP3, node-redis RESP2 (two connections), the RESP3 script, redis-py 4.
    expect(conns.map((c) => c.protocol).sort()).toEqual([2, 2, 2, 3, 3]);
    expect(conns.every((c) => c.unreadable === undefined)).toBe(true);
    expect(wire.connectionsOf('py3').map((c) => c.protocol)).toEqual([3]);
    expect(wire.connectionsOf('py2').map((c) => c.protocol)).toEqual([2]);
    expect(hostConns.map((c) => c.protocol).sort()).toEqual([2, 2, 3]);
    // Every item was popped exactly once, from db 1 and the queue's key, by some client.
    const ops = queueOps(wire, wire.commands, { db: 1, key: 'hotqueue:queue' });
    const pops = ops.filter((o) => o.op === 'pop');
    expect(pops.map((o) => o.raw.toString('base64')).sort()).toEqual(values.map((v) => v.toString('base64')).sort());
    const popsBy = (conn: number): number => wire.commands.filter((c) => c.connection === conn && c.name === 'BLPOP' && c.reply).length;
    // The host's clients: node-redis RESP3 popped one, the RESP2 duplicate popped one, the RESP2 producer none.
    expect(hostConns.map((c) => [c.protocol, popsBy(c.id)]).sort()).toEqual([
      [2, 0],
      [2, 1],
      [3, 1],
    ]);
    expect(pops.filter((o) => o.run === 'py3')).toHaveLength(3);
    expect(pops.filter((o) => o.run === 'py2')).toHaveLength(3);
    // What each Python consumer printed is what it popped.
    const printed = (run: string): string[] => pops.filter((o) => o.run === run).map((o) => `m${values.findIndex((v) => v.equals(o.raw))}`);
    expect(out3.split('\n').slice(1)).toEqual(printed('py3'));
    expect(out2.split('\n')).toEqual(printed('py2'));
    // Each blocking pop was seen waiting before it was served, with its db and key.
    expect(wire.waits.filter((w) => w.db === 1 && w.keys[0] === 'hotqueue:queue').length).toBeGreaterThanOrEqual(4);
    // Nothing of DEBUG PROTOCOL's replies (attributes, push frames, every type) put the RESP3 script's replies out of step.
    const debug = wire.commands.filter((c) => c.name === 'DEBUG');
    expect(debug).toHaveLength(13);
  }, 120_000);
});
