/**
 * Closing the grading host to student code. A container on an `internal` network has no route out,
 * but it can still open connections to the host's own address on that network's bridge (measured on
 * this engine: a listener at the gateway address answered), which would expose the grader's own
 * services, its BullMQ Redis say. A DROP rule on the bridge's input closes that. It needs root and a
 * local engine; elsewhere (Docker Desktop's VM, a remote engine) the caller is told it stays open.
 */
import { execa } from 'execa';
import type { DockerEndpoint } from './connect.js';

export type HostAccess = 'closed' | 'open: not root' | 'open: remote engine' | 'open: no iptables';

const tag = (session: string): string => `labs:${session}`;

async function iptables(args: string[]): Promise<{ ok: boolean; stdout: string; missing: boolean }> {
  try {
    const result = await execa('iptables', ['-w', ...args], { reject: false });
    return { ok: result.exitCode === 0, stdout: String(result.stdout), missing: false };
  } catch {
    return { ok: false, stdout: '', missing: true };
  }
}

export async function closeHostAccess(endpoint: DockerEndpoint, networkId: string, session: string): Promise<HostAccess> {
  if (!endpoint.socketPath) return 'open: remote engine';
  if (process.getuid?.() !== 0) return 'open: not root';
  // The engine names a network's bridge br-<first 12 hex digits of its id>.
  const bridge = `br-${networkId.slice(0, 12)}`;
  const result = await iptables(['-I', 'INPUT', '-i', bridge, '-m', 'comment', '--comment', tag(session), '-j', 'DROP']);
  if (result.missing) return 'open: no iptables';
  return result.ok ? 'closed' : 'open: no iptables';
}

/** Whether `closeHostAccess` can work here, without changing anything (for `labs doctor`). */
export async function hostAccessCheck(endpoint: DockerEndpoint): Promise<HostAccess> {
  if (!endpoint.socketPath) return 'open: remote engine';
  if (process.getuid?.() !== 0) return 'open: not root';
  const listed = await iptables(['-S', 'INPUT']);
  return listed.ok ? 'closed' : 'open: no iptables';
}

/** Removes the rules of the sessions for which `remove` says so (all of one session, or the dead ones). */
export async function removeHostRules(remove: (session: string) => boolean): Promise<number> {
  if (process.getuid?.() !== 0) return 0;
  const listed = await iptables(['-S', 'INPUT']);
  if (!listed.ok) return 0;
  let removed = 0;
  for (const line of listed.stdout.split('\n')) {
    const match = /--comment "?labs:([0-9a-zA-Z_-]+)"?/.exec(line);
    if (!match || !remove(match[1]!)) continue;
    const args = line.replace(/^-A /, '-D ').match(/"[^"]*"|\S+/g)?.map((a) => a.replace(/^"|"$/g, '')) ?? [];
    if ((await iptables(args)).ok) removed += 1;
  }
  return removed;
}
