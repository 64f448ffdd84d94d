/**
 * The networks of check sessions. Each session has its own internal lab network. The grader
 * reaches each session's Redis on a second network, shared by all the sessions of this process,
 * with traffic between its containers off (the engine's `enable_icc=false`) and no new connection
 * from it to the host or beyond (firewall.ts), so one session's Redis cannot reach another's. When
 * that network's bridge is on this host (a local engine on Linux) the grader connects to Redis's
 * address on it; elsewhere (Docker Desktop's VM, a remote engine) through a port published on
 * 127.0.0.1, which is why the network is not internal. What joins these networks is a session's
 * Redis home (isolated.ts, `RedisHome`), the network namespace its Redis runs in, which a batch slot
 * keeps; so a published port (a proxy process and forwarding rules) is made once per slot, not at
 * each Redis creation. A network per session would take two of the
 * engine's address ranges (31 by default) per session, and its creation and removal are among the
 * slowest things the engine does under load.
 *
 * When the ranges run out anyway, the engine refuses the next network. That is not the
 * submission's failure, nor worth an attempt: the session waits for another session of this
 * process to give its network back.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { LabsError } from '../errors.js';
import type { ContainerRuntime } from './runtime.js';
import { type HostAccess, bridgeName, closeGraderAccess, removeHostRules } from './firewall.js';
import { Label, type SessionIdentity, resourceName, sessionLabels } from './labels.js';

/** Sessions of this process that have (or are making) networks. */
const sessions = new Set<string>();
let waiting: (() => void)[] = [];
/** Wait at most this long for another session to end before trying again... */
const recheckMs = 15_000;
/** ...and this long in all: sessions end within minutes, whatever their submission does. */
const giveUpMs = 10 * 60_000;

/** The shared grader network's own session id starts so: `labs prune` removes it last. */
export const sharedSessionPrefix = 'grader-';

export interface GraderNetwork {
  name: string;
  id: string;
  session: string;
  access: HostAccess;
  /** The grader reaches containers on it by their address on it, not through a published port. */
  direct: boolean;
}

/** How the grader reaches Redis: 'auto' (directly where it can), or always through a published port. */
export const graderReach: { mode: 'auto' | 'published' } = { mode: 'auto' };

/**
 * Whether the network's bridge is an interface of this host, and so its containers' addresses are
 * routed from here. Not under Docker Desktop (the bridge is in its VM) or a rootless engine (in its
 * own network namespace).
 */
export function bridgeIsHere(networkId: string, sysClassNet = '/sys/class/net'): boolean {
  return existsSync(`${sysClassNet}/${bridgeName(networkId)}`);
}

let shared: { runtime: ContainerRuntime; network: Promise<GraderNetwork> } | undefined;
let removing: Promise<void> | undefined;

export function isAddressPoolExhausted(error: unknown): boolean {
  return /could not find an available, non-overlapping IPv4 address pool/i.test((error as Error)?.message ?? '');
}

/**
 * Makes `session`'s lab network (internal) and joins the shared grader network, making it first if
 * needed. While the engine has no address range left and another session of this process holds
 * one, waits for it to end and tries again; with none to wait for, the failure says what to do.
 */
export async function sessionNetworks(
  runtime: ContainerRuntime,
  identity: SessionIdentity,
  signal?: AbortSignal,
): Promise<{ network: string; networkId: string; grader: GraderNetwork }> {
  sessions.add(identity.session);
  const network = resourceName(identity);
  const deadline = Date.now() + giveUpMs;
  for (;;) {
    try {
      const grader = await graderNetwork(runtime, identity);
      const networkId = await runtime.createNetwork(network, sessionLabels(identity), true);
      return { network, networkId, grader };
    } catch (error) {
      if (!isAddressPoolExhausted(error)) throw error;
      if (![...sessions].some((s) => s !== identity.session) || signal?.aborted || Date.now() > deadline) {
        throw new LabsError('DOCKER_FAILED', 'Docker has no network address range left for a new session', {
          hint: 'remove networks you do not need (`docker network prune`, `labs prune`), grade fewer at a time (-j), or give the engine more ranges ("default-address-pools" in daemon.json)',
          cause: error,
        });
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, recheckMs);
        const done = (): void => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        waiting.push(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    }
  }
}

/**
 * Says that `session`'s resources are gone (see teardown's removeSession): a session waiting for
 * an address range tries again, and the grader network goes once no session of this process is
 * left. Resolves once it has gone, when this was the last session: removing a session (and so
 * `labs check`, a batch, a test) ends only then, with nothing left behind.
 */
export async function networksReleased(session: string): Promise<void> {
  if (!sessions.delete(session)) return;
  const wake = waiting;
  waiting = [];
  for (const resolve of wake) resolve();
  if (sessions.size === 0 && shared) {
    const { runtime, network } = shared;
    shared = undefined;
    removing = (async () => {
      const made = await network.catch(() => undefined);
      if (!made) return;
      await removeGraderNetwork(runtime, made).catch(() => undefined);
    })().finally(() => (removing = undefined));
    await removing;
  }
}

async function graderNetwork(runtime: ContainerRuntime, identity: SessionIdentity): Promise<GraderNetwork> {
  while (removing) await removing;
  if (!shared) {
    const session = `${sharedSessionPrefix}${randomBytes(4).toString('hex')}`;
    const own = { ...identity, session };
    const name = resourceName(own);
    const network = (async (): Promise<GraderNetwork> => {
      const id = await runtime.createNetwork(name, sessionLabels(own, { [Label.role]: 'grader' }), false, { 'com.docker.network.bridge.enable_icc': 'false' });
      const access = await closeGraderAccess(runtime.endpoint, id, session);
      return { name, id, session, access, direct: graderReach.mode === 'auto' && Boolean(runtime.endpoint.socketPath) && bridgeIsHere(id) };
    })();
    shared = { runtime, network };
    // A failed creation is tried again by the next session that needs it.
    network.catch(() => {
      if (shared?.network === network) shared = undefined;
    });
  }
  return shared.network;
}

/** Removes a network; a container whose removal the engine is still finishing holds its endpoint a moment longer. */
export async function removeNetworkPatiently(runtime: ContainerRuntime, id: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await runtime.removeNetwork(id);
    } catch (error) {
      if (attempt >= 5 || !/active endpoints/.test((error as Error).message)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

async function removeGraderNetwork(runtime: ContainerRuntime, network: GraderNetwork): Promise<void> {
  // No container of this process is on it any more: its rules go while it does, and stay gone
  // whether it goes or not (the engine leaks an endpoint now and then, and keeps the network).
  const [removal] = await Promise.allSettled([removeNetworkPatiently(runtime, network.id), removeHostRules((s) => s === network.session)]);
  if (removal.status === 'rejected') throw removal.reason;
}
