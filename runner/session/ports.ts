/**
 * The check context's ports (checks/ports.ts) over a provisioned environment: where check kinds'
 * requests to crash, re-create, move or rename Redis become container operations, and their HTTP
 * requests to a run's address on the lab network are sent (node:http, the one import of it).
 */
import http from 'node:http';
import type { HttpExchange, HttpPort, HttpRequest, RedisPort } from '../checks/ports.js';
import { LabsError } from '../errors.js';
import { type IsolatedEnvironment, createRedisContainer, readySpare, renameRecorder, tradeRecorderAddress } from '../provision/isolated.js';
import type { ScriptHost } from '../run/hosts.js';

/**
 * A script container that serves no run, lent until `release`: what the address check's move
 * trades places with (run/hosts.ts, ScriptHosts.acquire and release).
 */
export interface IdleScriptHost {
  acquire(): Promise<ScriptHost>;
  release(host: ScriptHost): void;
}

/**
 * The lab's Redis in `env`. `recreate` starts a new container from the service's definition and
 * hands its address to `reopenProbe`, so the session's one probe follows it. `moveAddress` trades
 * places with a script container of `idle` (whose address it updates), or takes an address
 * placeholder where there is none. Errors are the runtime's (DOCKER_FAILED, DOCKER_UNREACHABLE)
 * and, for a Redis that is not ready, readiness's.
 */
export function redisPort(
  env: IsolatedEnvironment,
  reopenProbe: (address: { host: string; port: number }) => Promise<void>,
  signal?: AbortSignal,
  idle?: IdleScriptHost,
): RedisPort {
  const { runtime, redis } = env;
  return {
    service: env.lab.redisService,
    definition: { command: redis.service.command, mountTargets: redis.service.mounts.map((m) => m.target) },
    crash: async () => {
      await runtime.killContainer(redis.containerId);
      await runtime.removeContainer(redis.containerId);
    },
    recreate: async () => {
      await createRedisContainer(runtime, env.identity, redis, signal);
      await reopenProbe(redis.address);
    },
    // Nothing answers as Redis at the old address afterwards (tradeRecorderAddress).
    moveAddress: async () => {
      if (!idle) return renameRecorder(env, env.lab.redisService, true);
      const host = await idle.acquire();
      try {
        const { from, to, other } = await tradeRecorderAddress(env, host.containerId);
        // Its next runs' connections are told apart by this address (run/script.ts, onStart).
        host.address = other;
        return { from, to };
      } finally {
        idle.release(host);
      }
    },
    rename: (name) => renameRecorder(env, name ?? env.lab.redisService, name !== undefined),
    readyRename: () => readySpare(env),
  };
}

/**
 * HTTP from the grading host to a container of the lab network, straight to its address: the lab
 * network is internal (nothing can be published from it), so this works only where its bridge is
 * routed from here, which `direct` says (a local engine on Linux, as for the grader's Redis).
 */
export function httpPort(direct: boolean): HttpPort {
  return {
    request: async (to, request) => {
      if (!direct) {
        throw new LabsError('DOCKER_FAILED', `the grader cannot reach the lab's HTTP services at ${to.address}:${to.port} from this machine`, {
          hint: 'checks of an HTTP API need a local Docker engine on Linux (the check network is routed from the grading host); run `labs check` there',
        });
      }
      return httpExchange(to, request);
    },
  };
}

/** One request over node:http, no agent (a fresh connection each, as curl would), its outcome as data. */
function httpExchange(to: { address: string; port: number }, request: HttpRequest): Promise<HttpExchange> {
  const started = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (exchange: HttpExchange): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(exchange);
    };
    const body = request.body === undefined ? undefined : Buffer.from(request.body, 'utf8');
    const headers: Record<string, string | number> = { connection: 'close' };
    if (body !== undefined) {
      headers['content-type'] = request.contentType ?? 'application/json';
      headers['content-length'] = body.length;
    }
    const req = http.request({ host: to.address, port: to.port, method: request.method, path: request.path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        // A student's answer is read up to 1 MiB: what a check compares is a few hundred bytes.
        if (size < 1024 * 1024) chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', () =>
        done({
          answered: true,
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          contentType: res.headers['content-type'],
          ms: Date.now() - started,
        }),
      );
      res.on('error', (error) => done({ answered: false, failure: 'reset', message: error.message, ms: Date.now() - started }));
    });
    let connected = false;
    req.on('socket', (socket) => socket.once('connect', () => (connected = true)));
    const timer = setTimeout(() => {
      const failure = connected ? 'timeout' : 'unreachable';
      done({
        answered: false,
        failure,
        message: connected ? `no answer within ${request.timeoutMs} ms` : `no connection within ${request.timeoutMs} ms`,
        ms: Date.now() - started,
      });
      req.destroy();
    }, request.timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => {
      const failure = error.code === 'ECONNREFUSED' ? 'refused' : error.code === 'ETIMEDOUT' || error.code === 'EHOSTUNREACH' ? 'unreachable' : 'reset';
      done({ answered: false, failure, message: error.code ?? error.message, ms: Date.now() - started });
    });
    req.end(body);
  });
}
