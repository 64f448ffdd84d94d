/**
 * The check context's ports (checks/ports.ts) over a provisioned environment: where check kinds'
 * requests to crash, re-create or move Redis become container operations.
 */
import type { RedisPort } from '../checks/ports.js';
import { type IsolatedEnvironment, createRedisContainer, moveRecorder } from '../provision/isolated.js';

/**
 * The lab's Redis in `env`. `recreate` starts a new container from the service's definition and
 * hands its address to `reopenProbe`, so the session's one probe follows it. Errors are the
 * runtime's (DOCKER_FAILED, DOCKER_UNREACHABLE) and, for a Redis that is not ready, readiness's.
 */
export function redisPort(env: IsolatedEnvironment, reopenProbe: (address: { host: string; port: number }) => Promise<void>, signal?: AbortSignal): RedisPort {
  const { runtime, redis } = env;
  return {
    service: env.lab.redisService,
    definition: { command: redis.service.command, mountTargets: redis.service.mounts.map((m) => m.target) },
    crash: async () => {
      await runtime.killContainer(redis.containerId);
      await runtime.removeContainer(redis.containerId);
    },
    recreate: async () => {
      await createRedisContainer(runtime, env.identity, redis, env.network, env.graderNetwork, signal);
      await reopenProbe(redis.address);
    },
    moveAddress: () => moveRecorder(env),
  };
}
