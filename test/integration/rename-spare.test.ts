/**
 * Renaming the wire recorder at a new address (provision/isolated.ts, renameRecorder: the jobs-api
 * lab's redis-from-env) with its address placeholder readied ahead (readySpare, which the session
 * calls while the check before runs), against the real engine: the recorder answers to the new name
 * at a new address, the readied placeholder holds the old one, and the name is given back.
 *
 * And the address check's move (RedisPort.moveAddress, session/ports.ts): the scripts find Redis by
 * name at its new address, and at the old one nothing answers as Redis. A regression: the move
 * traded places with Redis's home, which then held the old address, so a script that had that
 * address written in (a student's `docker inspect` on a network that later got the same range)
 * reached Redis there, unrecorded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IsolatedEnvironment, readySpare, renameRecorder } from '../../runner/provision/isolated.js';
import { Label } from '../../runner/provision/labels.js';
import { ScriptHosts } from '../../runner/run/hosts.js';
import { startScript } from '../../runner/run/script.js';
import { redisPort } from '../../runner/session/ports.js';
import { exercise1Environment, removeEnvironment, runtime } from '../helpers/isolated.js';

const session = `spare${Date.now().toString(36)}`;
let env: IsolatedEnvironment;
let hosts: ScriptHosts;

// PONG from Redis at ADDRESS, or what went wrong instead, within 3 s.
const ping = [
  'import socket, sys',
  'try:',
  '    s = socket.create_connection((sys.argv[1], 6379), timeout=3)',
  '    s.settimeout(3)',
  '    s.sendall(b"PING\\r\\n")',
  '    print(s.recv(64).decode().strip() or "closed")',
  'except OSError as error:',
  '    print(type(error).__name__)',
].join('\n');

const pingFrom = async (address: string): Promise<string[]> => {
  const run = await startScript({ hosts, service: 'python', argv: ['python3', 'ping.py', address], name: `ping-${address}`, timeoutMs: 20_000 });
  await run.exited;
  return run.lines.filter((l) => l.stream === 'stdout').map((l) => l.text);
};

beforeAll(async () => {
  env = await exercise1Environment(session, [{ path: 'ping.py', data: Buffer.from(ping) }]);
  hosts = new ScriptHosts(env);
}, 120_000);

afterAll(async () => {
  await removeEnvironment(session);
});

describe('renaming the recorder with a placeholder readied ahead', () => {
  it('moves it to a new address under the new name; the readied placeholder holds the old one', async () => {
    readySpare(env);
    const readied = await env.spare!;
    const moved = await renameRecorder(env, 'redis-db-elsewhere', true);
    expect(moved.to).not.toBe(moved.from);
    expect(env.spare).toBeUndefined();
    expect((await runtime.inspectContainer(readied)).ip[env.network]).toBe(moved.from);
    // The readied one was taken: no other placeholder was started.
    const placeholders = await runtime.listContainers([`${Label.session}=${session}`, `${Label.role}=placeholder`]);
    expect(placeholders.map((c) => c.id)).toEqual([readied]);
    const back = await renameRecorder(env, env.lab.redisService, false);
    expect(back.from).toBe(moved.to);
  }, 60_000);
});

describe("moving Redis's address (the address check)", () => {
  it('gives redis-db a new address by trading places with an idle script container; nothing answers as Redis at the old one', async () => {
    const lent: string[] = [];
    const idle = {
      acquire: async () => {
        const host = await hosts.acquire('python');
        lent.push(host.address);
        return host;
      },
      release: (host: Parameters<typeof hosts.release>[0]) => hosts.release(host),
    };
    const port = redisPort(env, async () => {}, undefined, idle);
    expect(await pingFrom('redis-db')).toEqual(['+PONG']);
    const { from, to } = await port.moveAddress();
    expect(to).not.toBe(from);
    expect(lent).toHaveLength(1);
    expect(await pingFrom('redis-db')).toEqual(['+PONG']);
    expect(await pingFrom(to)).toEqual(['+PONG']);
    // The script container took the old address, and nothing listens on 6379 there.
    expect(await pingFrom(from)).toEqual(['ConnectionRefusedError']);
    // Its address as the grader knows it (each run's connections are told apart by it) followed.
    const traded = await hosts.acquire('python');
    expect(traded.address).toBe(from);
    expect((await runtime.inspectContainer(traded.containerId)).ip[env.network]).toBe(from);
    hosts.release(traded);
  }, 120_000);

  it('without a script container to trade with, an address placeholder takes the old address', async () => {
    const port = redisPort(env, async () => {});
    const { from, to } = await port.moveAddress();
    expect(to).not.toBe(from);
    expect(await pingFrom('redis-db')).toEqual(['+PONG']);
    expect(await pingFrom(from)).not.toContain('+PONG');
  }, 120_000);
});
