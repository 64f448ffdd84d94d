/**
 * Students drive Redis, and Redis sits on a network with a route out (the grader reaches it through
 * a published port): a `--replicaof HOST PORT` in the student's compose file makes it connect where
 * the student says. Neither the grading host nor the world outside may answer. "Outside" is a
 * network namespace on this machine, reached through the host's routing like any other address,
 * with a listener in it; the host is a listener on all its addresses. Needs root, as CI runs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { labs, repoRoot, sweep, tempDir } from '../helpers/labs.js';

const ns = `labs-out-${process.pid}`;
// The veth pair: interface names have at most 15 characters.
const vethHost = `lo${String(process.pid).slice(-8)}a`;
const vethOut = `lo${String(process.pid).slice(-8)}b`;
const outsideIp = '10.250.77.2';
let root: string;
let hostServer: Server;
let hostHits = 0;
let outside: ChildProcess;
let outsideHits = 0;
let outsidePort = 0;

async function submission(name: string, host: string, port: number): Promise<string> {
  const dir = join(root, name);
  await cp(join(repoRoot, 'templates', 'exercise-2', 'solution'), dir, { recursive: true });
  const compose = await readFile(join(dir, 'docker-compose.yml'), 'utf8');
  const hostile = compose.replace(/command: \[[^\]]*\]/, `command: ["--save", "1", "1", "--replicaof", "${host}", "${port}"]`);
  expect(hostile).not.toBe(compose);
  await writeFile(join(dir, 'docker-compose.yml'), hostile);
  return dir;
}

beforeAll(async () => {
  expect(process.getuid?.(), 'the containment tests need root (iptables, network namespaces), as CI runs them').toBe(0);
  root = await tempDir('labs-contain-');
  hostServer = createServer((socket) => {
    hostHits += 1;
    socket.destroy();
  });
  hostServer.listen(0, '0.0.0.0');
  await once(hostServer, 'listening');
  // "Outside": a namespace behind a veth pair, routed through the host like any remote address.
  const sh = (cmd: string): Promise<unknown> => execa('sh', ['-c', cmd]);
  await sh(`ip netns add ${ns}`);
  await sh(`ip link add ${vethHost} type veth peer name ${vethOut} && ip link set ${vethOut} netns ${ns}`);
  await sh(`ip addr add 10.250.77.1/30 dev ${vethHost} && ip link set ${vethHost} up`);
  await sh(
    `ip netns exec ${ns} sh -c 'ip addr add ${outsideIp}/30 dev ${vethOut} && ip link set ${vethOut} up && ip link set lo up && ip route add default via 10.250.77.1'`,
  );
  await sh('sysctl -qw net.ipv4.ip_forward=1');
  outside = spawn('ip', [
    'netns',
    'exec',
    ns,
    process.execPath,
    '-e',
    `
    const s = require('net').createServer((c) => { console.log('hit'); c.destroy(); });
    s.listen(0, '${outsideIp}', () => console.log('port ' + s.address().port));`,
  ]);
  outside.stdout!.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (line.startsWith('port ')) outsidePort = Number(line.slice(5));
      if (line === 'hit') outsideHits += 1;
    }
  });
  await vi.waitFor(() => expect(outsidePort, 'the listener in the outside namespace did not start').toBeGreaterThan(0), { timeout: 10_000, interval: 50 });
}, 60_000);

afterAll(async () => {
  outside?.kill('SIGKILL');
  hostServer?.close();
  await execa('ip', ['netns', 'del', ns], { reject: false });
  await execa('ip', ['link', 'del', vethHost], { reject: false });
  if (root) await sweep(root);
});

describe('a student cannot make Redis connect out', () => {
  it('the outside listener answers a probe from the host (so a silence below means something)', async () => {
    const before = outsideHits;
    await execa(process.execPath, ['-e', `require('net').connect(${outsidePort}, '${outsideIp}').on('connect', function () { this.end(); })`]);
    await expect.poll(() => outsideHits, { timeout: 5000 }).toBe(before + 1);
    outsideHits = 0;
  });

  it('--replicaof an outside address: Redis never reaches it, and the check still reports', async () => {
    const dir = await submission('replica-out', outsideIp, outsidePort);
    const result = await labs(['check', 'exercise-2', dir, '--only', 'persistence-survives-redis-crash', '--json'], { cwd: root, timeout: 120_000 });
    // A replica refuses the grader's writes: the check fails and says why (a regression: it was an internal error).
    expect(result.exitCode, String(result.stderr)).toBe(1);
    expect(JSON.parse(String(result.stdout))).toMatchObject({ lab: 'exercise-2', score: 0 });
    expect(String(result.stdout)).toMatch(/redis-db runs as a read-only replica: remove --replicaof/);
    expect(outsideHits).toBe(0);
  }, 150_000);

  it('--replicaof the grading host at its own address: nothing answers, and no rule is left behind', async () => {
    const port = (hostServer.address() as AddressInfo).port;
    const hostIp = (await execa('hostname', ['-I'])).stdout.trim().split(/\s+/)[0]!;
    const dir = await submission('replica-host', hostIp, port);
    const result = await labs(['check', 'exercise-2', dir, '--only', 'persistence-survives-redis-crash'], { cwd: root, timeout: 120_000 });
    expect(result.exitCode, String(result.stderr)).toBe(1);
    expect(hostHits).toBe(0);
    const rules = (await execa('iptables', ['-S'])).stdout;
    expect(rules).not.toMatch(/labs:/);
  }, 150_000);
});
