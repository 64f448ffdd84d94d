/**
 * The labels on every container, network and volume labs creates (ARCHITECTURE.md, "The life of a session"). They
 * are how `stop`, `status` and `prune` find a session's resources without any state of their own.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

export const Label = {
  lab: 'labs.lab',
  session: 'labs.session',
  service: 'labs.service',
  mode: 'labs.mode',
  owner: 'labs.owner',
  workspace: 'labs.workspace',
  role: 'labs.role',
} as const;

export type SessionMode = 'workspace' | 'check' | 'grade';

export interface SessionIdentity {
  lab: string;
  session: string;
  mode: SessionMode;
  /** host:pid of the process that owns the session. */
  owner: string;
  /** Absolute workspace path (workspace mode). */
  workspace?: string;
}

export function currentOwner(pid: number = process.pid): string {
  return `${hostname()}:${pid}`;
}

export function parseOwner(owner: string): { host: string; pid: number } | undefined {
  const at = owner.lastIndexOf(':');
  if (at <= 0) return undefined;
  const pid = Number(owner.slice(at + 1));
  return Number.isInteger(pid) && pid > 0 ? { host: owner.slice(0, at), pid } : undefined;
}

export function sessionLabels(identity: SessionIdentity, extra: Record<string, string> = {}): Record<string, string> {
  const labels: Record<string, string> = {
    [Label.lab]: identity.lab,
    [Label.session]: identity.session,
    [Label.mode]: identity.mode,
    [Label.owner]: identity.owner,
    ...extra,
  };
  if (identity.workspace) labels[Label.workspace] = identity.workspace;
  return labels;
}

/** Docker names allow [a-zA-Z0-9][a-zA-Z0-9_.-]; the session keeps names unique per run. */
export function resourceName(identity: Pick<SessionIdentity, 'lab' | 'session'>, part?: string): string {
  const base = `labs-${identity.lab}-${identity.session}`;
  return part ? `${base}-${part}` : base;
}

/** A new session id: 8 hex characters, the `labs.session` label and part of every resource's name. */
export function newSessionId(): string {
  return randomBytes(4).toString('hex');
}
