/**
 * Redis's volumes belong to the user its service runs as (a student's `user: "1000:1000"` with
 * `./data:/data`), against the real engine: otherwise Redis cannot save and the persistence check
 * fails for a reason that is not the student's. The mount target here is a folder the image gives
 * to root with mode 755, as the official image's /data is for its own user.
 */
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { findLab } from '../../runner/lab/registry.js';
import { resolveServices } from '../../runner/lab/compose.js';
import { DockerRuntime } from '../../runner/provision/docker.js';
import { confinement, provisionIsolated } from '../../runner/provision/isolated.js';
import { currentOwner } from '../../runner/provision/labels.js';
import { removeSession } from '../../runner/provision/teardown.js';
import { removeHostRules } from '../../runner/provision/firewall.js';

const runtime = new DockerRuntime();
const sessions: string[] = [];

afterEach(async () => {
  for (const session of sessions.splice(0)) {
    await removeSession(runtime, session);
    await removeHostRules((s) => s === session);
  }
});

async function redisWith(user: string): Promise<string> {
  const lab = await findLab('exercise-2');
  const services = await resolveServices(lab, `${lab.templatesDir}/solution`);
  const redis = services[lab.redisService]!;
  services[lab.redisService] = {
    ...redis,
    user,
    mounts: [{ kind: 'bind', source: './data', target: '/srv/queue-data', readOnly: false }],
    command: ['--save', '1', '1', '--dir', '/srv/queue-data'],
  };
  const session = `vol${Date.now().toString(36)}${sessions.length}`;
  sessions.push(session);
  const env = await provisionIsolated({
    runtime,
    lab,
    services,
    identity: { lab: lab.id, session, mode: 'check', owner: currentOwner() },
    files: [],
    confine: confinement,
    recorderImage: 'node:20',
  });
  return env.redis.containerId;
}

const inRedis = async (id: string, ...cmd: string[]): Promise<string> => (await execa('docker', ['exec', id, ...cmd])).stdout.trim();

describe("Redis's volumes are its user's", () => {
  it('a numeric user ("1000:1000") owns the volume, and Redis saves into it', async () => {
    const id = await redisWith('1000:1000');
    expect(await inRedis(id, 'stat', '-c', '%u:%g', '/srv/queue-data')).toBe('1000:1000');
    expect(await inRedis(id, 'redis-cli', 'SAVE')).toBe('OK');
    expect(await inRedis(id, 'ls', '/srv/queue-data')).toContain('dump.rdb');
  }, 120_000);

  it('a user the image names ("redis") owns the volume too', async () => {
    const id = await redisWith('redis');
    const owner = `${await inRedis(id, 'id', '-u', 'redis')}:${await inRedis(id, 'id', '-g', 'redis')}`;
    expect(owner).not.toBe('0:0');
    expect(await inRedis(id, 'stat', '-c', '%u:%g', '/srv/queue-data')).toBe(owner);
    expect(await inRedis(id, 'redis-cli', 'SAVE')).toBe('OK');
  }, 120_000);
});
