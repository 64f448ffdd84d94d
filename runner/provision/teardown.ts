/**
 * Removing labs resources, found by their labels only. Idempotent: what is already gone is fine.
 * `prune` removes sessions whose owner is gone, never a live workspace or a running grader.
 */
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ContainerRuntime } from './runtime.js';
import { removeHostRules } from './firewall.js';
import { networksReleased, removeNetworkPatiently, sharedSessionPrefix } from './session-networks.js';
import { Label, parseOwner } from './labels.js';

export interface Removed {
  containers: number;
  networks: number;
  volumes: number;
}

/**
 * Removes every container, network and volume labelled with `session` (idempotent: what is gone is
 * not an error); resolves with how many of each. `alongside` runs once its containers are gone,
 * while its networks and volumes go. Throws DOCKER_UNREACHABLE / DOCKER_FAILED.
 */
export async function removeSession(runtime: ContainerRuntime, session: string, alongside?: () => Promise<unknown>): Promise<Removed> {
  try {
    return await removeByLabel(runtime, `${Label.session}=${session}`, alongside);
  } finally {
    // Only once its networks are gone: a session waiting for an address range (session-networks.ts)
    // is woken by this and makes its network at once, which fails while this one's still holds it.
    await networksReleased(session);
  }
}

/**
 * Removes the containers labelled `filter`, then at once its networks and volumes, and runs
 * `alongside` meanwhile; resolves with how many of each. Throws as removeSession.
 */
export async function removeByLabel(runtime: ContainerRuntime, filter: string, alongside?: () => Promise<unknown>): Promise<Removed> {
  const containers = await runtime.listContainers([filter]);
  await Promise.all(containers.map((c) => runtime.removeContainer(c.id)));
  // Networks and volumes can only go once no container uses them; a container whose removal the
  // engine is still finishing holds its endpoint a moment longer.
  const [networks, volumes] = await Promise.all([runtime.listNetworks([filter]), runtime.listVolumes([filter])]);
  await Promise.all([...networks.map((n) => removeNetworkPatiently(runtime, n.id)), ...volumes.map((v) => runtime.removeVolume(v.name)), alongside?.()]);
  return { containers: containers.length, networks: networks.length, volumes: volumes.length };
}

export interface SessionInfo {
  session: string;
  lab: string;
  mode: string;
  owner: string;
  workspace: string | undefined;
}

export interface PruneDeps {
  isAlive?: (pid: number) => boolean;
  host?: string;
  /** Reads a workspace's session state to tell whether it still claims the session. */
  workspaceSession?: (workspace: string) => string | undefined;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readWorkspaceSession(workspace: string): string | undefined {
  const file = join(workspace, '.labs', 'session.json');
  if (!existsSync(file)) return undefined;
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as { session?: string; status?: string };
    return state.status === 'ready' ? state.session : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a session is live: its owning process still runs on this host, or (a started workspace,
 * whose `labs start` has exited by design) its workspace still names it as ready. Sessions owned by
 * another host are treated as live, since their owner cannot be seen from here.
 */
export function isLive(info: SessionInfo, deps: PruneDeps = {}): boolean {
  const owner = parseOwner(info.owner);
  const host = deps.host ?? hostname();
  if (owner && owner.host !== host) return true;
  if (owner && (deps.isAlive ?? processAlive)(owner.pid)) return true;
  if (info.mode === 'workspace' && info.workspace) {
    return (deps.workspaceSession ?? readWorkspaceSession)(info.workspace) === info.session;
  }
  return false;
}

/** Every labs session the engine has resources of, from their labels: session, lab, mode, owner, workspace. */
export async function listSessions(runtime: ContainerRuntime): Promise<SessionInfo[]> {
  const sessions = new Map<string, SessionInfo>();
  const add = (labels: Record<string, string>): void => {
    const session = labels[Label.session];
    if (!session || sessions.has(session)) return;
    sessions.set(session, {
      session,
      lab: labels[Label.lab] ?? '?',
      mode: labels[Label.mode] ?? '?',
      owner: labels[Label.owner] ?? '',
      workspace: labels[Label.workspace],
    });
  };
  for (const c of await runtime.listContainers([Label.session])) add(c.labels);
  for (const n of await runtime.listNetworks([Label.session])) add(n.labels);
  for (const v of await runtime.listVolumes([Label.session])) add(v.labels);
  return [...sessions.values()];
}

export interface PruneResult {
  removed: SessionInfo[];
  kept: SessionInfo[];
  /** Sessions the engine would not remove entirely, with its words: the others still go. */
  failed: { info: SessionInfo; error: string }[];
  totals: Removed;
}

/**
 * Removes the sessions whose owner process is gone (`labs prune`): never a live workspace or a
 * running check or grade, unless `all`. Resolves with the sessions removed, kept, and those the engine
 * would not remove entirely (with its words), and the totals.
 */
export async function prune(runtime: ContainerRuntime, options: { all: boolean } & PruneDeps): Promise<PruneResult> {
  const sessions = await listSessions(runtime);
  const removed: SessionInfo[] = [];
  const kept: SessionInfo[] = [];
  const failed: PruneResult['failed'] = [];
  const totals: Removed = { containers: 0, networks: 0, volumes: 0 };
  // A grader network goes last: the Redis containers of sessions still to be removed are on it.
  const ordered = [...sessions].sort((a, b) => Number(a.session.startsWith(sharedSessionPrefix)) - Number(b.session.startsWith(sharedSessionPrefix)));
  for (const info of ordered) {
    if (!options.all && isLive(info, options)) {
      kept.push(info);
      continue;
    }
    try {
      const r = await removeSession(runtime, info.session);
      totals.containers += r.containers;
      totals.networks += r.networks;
      totals.volumes += r.volumes;
      removed.push(info);
    } catch (error) {
      if ((error as { code?: string }).code === 'DOCKER_UNREACHABLE') throw error;
      failed.push({ info, error: (error as Error).message });
    }
  }
  // Host rules of sessions that are gone (a killed grader) go too; a live process's stay, its
  // session listed or not (one it made since the listing, whose network prune did not see).
  const live = new Set(kept.map((k) => k.session));
  const alive = options.isAlive ?? processAlive;
  await removeHostRules((session, pid) => (options.all ? true : !live.has(session) && (pid === undefined || !alive(pid))));
  return { removed, kept, failed, totals };
}
