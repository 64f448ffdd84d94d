/**
 * A consumer killed while it waits in a blocking pop leaves that pop in Redis until the recorder
 * has closed its side of the connection. A message put before then is handed to a connection that
 * nobody reads: it is gone. Under load (a batch at -j 12) that lost the first message of the check
 * after the two-consumer sharing check, and a correct solution failed delivery. So between checks
 * the session waits until Redis has no client but the grader (`untilClientsGone`). Against the
 * real engine; the recorder is paused to make "slow to close" certain instead of a race.
 */
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckContext } from '../../runner/checks/context.js';
import { sleep, untilClientsGone } from '../../runner/checks/context.js';
import { type Probe, openProbe } from '../../runner/checks/probe.js';
import type { IsolatedEnvironment } from '../../runner/provision/isolated.js';
import { exercise1Environment, removeEnvironment } from '../helpers/isolated.js';
import { ScriptHosts } from '../../runner/run/hosts.js';
import { startScript } from '../../runner/run/script.js';

const session = `stale${Date.now().toString(36)}`;
const queue = 'hotqueue:queue';
let env: IsolatedEnvironment;
let hosts: ScriptHosts;
let probe: Probe;

beforeAll(async () => {
  env = await exercise1Environment(session);
  hosts = new ScriptHosts(env);
  probe = await openProbe(env.redis.address);
}, 120_000);

afterAll(async () => {
  await probe?.close();
  await execa('docker', ['unpause', env.recorder.containerId], { reject: false });
  await removeEnvironment(session);
});

const blockedClients = async (): Promise<number> => {
  const { stdout } = await execa('docker', ['exec', env.redis.containerId, 'redis-cli', 'info', 'clients']);
  return Number(/blocked_clients:(\d+)/.exec(stdout)?.[1] ?? -1);
};

/** A consumer waiting in BLPOP through the recorder, killed while the recorder cannot act on it. */
async function killWhileRecorderPaused(): Promise<void> {
  const code = `import redis; r = redis.Redis(host="${env.lab.redisService}", port=6379, db=1); r.ping(); print("connected", flush=True); r.blpop("${queue}")`;
  const run = await startScript({ hosts, service: 'python', argv: ['python3', '-c', code], name: 'consumer', timeoutMs: 60_000 });
  await expect.poll(blockedClients, { timeout: 10_000, interval: 50 }).toBe(1);
  await execa('docker', ['pause', env.recorder.containerId]);
  await run.stop();
}

describe('a consumer killed in a blocking pop', () => {
  it('takes the next message with it when the grader puts one before Redis has let go of the pop', async () => {
    await killWhileRecorderPaused();
    await probe.push(1, queue, [Buffer.from('first message of the next check')]);
    await execa('docker', ['unpause', env.recorder.containerId]);
    await expect.poll(() => probe.length(1, queue), { timeout: 10_000, interval: 50 }).toBe(0);
  }, 120_000);

  it('untilClientsGone waits until Redis has let go, and the next message then stays queued', async () => {
    const ctx = { probe, signal: undefined } as unknown as CheckContext;
    await killWhileRecorderPaused();
    let gone: boolean | undefined;
    const waiting = untilClientsGone(ctx, 20_000).then((done) => (gone = done));
    await sleep(1500);
    expect(gone).toBeUndefined();
    await execa('docker', ['unpause', env.recorder.containerId]);
    await waiting;
    expect(gone).toBe(true);
    expect(await probe.otherClients()).toBe(0);
    await probe.push(1, queue, [Buffer.from('first message of the next check')]);
    await sleep(500);
    expect(await probe.length(1, queue)).toBe(1);
  }, 120_000);
});
