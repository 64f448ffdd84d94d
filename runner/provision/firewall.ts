/**
 * Closing the grading host and the outside world to student code. A container on an `internal`
 * network reaches nothing beyond it, but it can still open connections to the host's own address on
 * that network's bridge (measured on this engine: a listener at the gateway address answered), which
 * would expose the grader's own services, its BullMQ Redis say. A rule on the bridge's input for
 * new connections closes that; the replies to connections the grader opens pass (the jobs-api lab's
 * checks ask the student's API over HTTP at its address on that network).
 *
 * A TCP connection to the host or beyond is refused at once (a TCP reset: "Connection refused")
 * instead of dropped in silence. The engine (20.10) still gives a container on an internal network
 * a default route, and drops what leaves by it: a script with a hard-coded address (`172.17.0.2`,
 * what `docker inspect` showed on the student's machine) then waited in `connect()` until each
 * check's deadline, 37.7 s for exercise-2 against 18–22 s for the solution (measured, 12 at once),
 * the tail of a batch. Refused, it crashes at once with that address in its traceback (redis-py
 * 4.3.4: 2.4 s for the submission alone); a client that retries a refused connection, as redis-py 6
 * and later do for about 4 s, is named by its supervisor a second later (run/supervisor.py; redis-py
 * 7.4.1, 60 submissions at once: 18.8 s median for this variant, against 48.9 s with the rule and
 * without that). Its verdict is the same. A reset, not an ICMP "host unreachable": the kernel sends
 * those at most once a second to a container (net.ipv4.icmp_ratelimit; measured: every connect()
 * waited 1 s for its second SYN).
 *
 * Redis itself sits on a second, ordinary network too (one that the sessions of a grader share),
 * through which the grader reaches it (session-networks.ts); and students drive Redis: a `replicaof
 * HOST PORT` in their compose file, or sent as a command, makes it connect wherever they say, out
 * of the machine or to the grading host. So
 * on that bridge every new connection that starts inside (from Redis) is dropped, going out or to
 * another session's Redis (DOCKER-USER, the engine's place for such rules) and to the host;
 * connections the grader opens, and their replies, pass.
 *
 * It needs root and a local engine; elsewhere (Docker Desktop's VM, a remote engine) the caller is
 * told it stays open.
 */
import { execa } from 'execa';
import type { DockerEndpoint } from './connect.js';

export type HostAccess = 'closed' | 'open: not root' | 'open: remote engine' | 'open: no iptables';

/**
 * A rule's comment: its session and the pid of the process that made it (the rules are this host's,
 * as is the process), so that `labs prune` keeps the rules of a live grader whose network it did
 * not see yet (a batch slot's, made while prune listed what exists).
 */
const tag = (session: string): string => `labs:${session}:${process.pid}`;

/** The engine names a network's bridge br-<first 12 hex digits of its id>. */
export const bridgeName = (networkId: string): string => `br-${networkId.slice(0, 12)}`;

async function iptables(args: string[]): Promise<{ ok: boolean; stdout: string; missing: boolean }> {
  try {
    const result = await execa('iptables', ['-w', ...args], { reject: false });
    return { ok: result.exitCode === 0, stdout: String(result.stdout), missing: false };
  } catch {
    return { ok: false, stdout: '', missing: true };
  }
}

/** Why no rule can be set here, if none can. */
function cannotClose(endpoint: DockerEndpoint): HostAccess | undefined {
  if (!endpoint.socketPath) return 'open: remote engine';
  if (process.getuid?.() !== 0) return 'open: not root';
  return undefined;
}

/**
 * Closes the lab network `networkId` (its bridge) to the grading host, and makes every new TCP
 * connection from it to the host or beyond fail at once (see the top of this file): three rules.
 * Returns 'closed', or why it stays open (not root, a remote engine, no iptables). Throws nothing.
 */
export async function closeHostAccess(endpoint: DockerEndpoint, networkId: string, session: string): Promise<HostAccess> {
  const cannot = cannotClose(endpoint);
  if (cannot) return cannot;
  const bridge = bridgeName(networkId);
  const started = ['-m', 'conntrack', '--ctstate', 'NEW', '-m', 'comment', '--comment', tag(session)];
  const reset = ['-p', 'tcp', ...started, '-j', 'REJECT', '--reject-with', 'tcp-reset'];
  const closed = await iptables(['-I', 'INPUT', '-i', bridge, ...started, '-j', 'DROP']);
  // Only faster: without these, the rule above and the engine's own drop the same connections in silence.
  await iptables(['-I', 'INPUT', '-i', bridge, ...reset]);
  const leaving = ['-i', bridge, '!', '-o', bridge, ...reset];
  if (!(await iptables(['-I', 'DOCKER-USER', ...leaving])).ok) await iptables(['-I', 'FORWARD', ...leaving]);
  return closed.ok ? 'closed' : 'open: no iptables';
}

/**
 * The grader network's rules (session-networks.ts: one network Redis containers of many sessions
 * share): no new connection that starts on its bridge, to the host, beyond, or to another
 * container on it.
 */
export async function closeGraderAccess(endpoint: DockerEndpoint, networkId: string, session: string): Promise<HostAccess> {
  const cannot = cannotClose(endpoint);
  if (cannot) return cannot;
  const comment = ['-m', 'comment', '--comment', tag(session)];
  const started = ['-i', bridgeName(networkId), '-m', 'conntrack', '--ctstate', 'NEW', ...comment, '-j', 'DROP'];
  const input = await iptables(['-I', 'INPUT', ...started]);
  const forward = (await iptables(['-I', 'DOCKER-USER', ...started])).ok || (await iptables(['-I', 'FORWARD', ...started])).ok;
  return input.ok && forward ? 'closed' : 'open: no iptables';
}

/** Whether `closeHostAccess` can work here, without changing anything (for `labs doctor`). */
export async function hostAccessCheck(endpoint: DockerEndpoint): Promise<HostAccess> {
  const cannot = cannotClose(endpoint);
  if (cannot) return cannot;
  const listed = await iptables(['-S', 'INPUT']);
  return listed.ok ? 'closed' : 'open: no iptables';
}

/** The chains labs adds rules to. */
const chains = ['INPUT', 'DOCKER-USER', 'FORWARD'];

/**
 * Removes the rules of the sessions for which `remove` says so (all of one session, or the dead
 * ones), given the session and the pid of the process that made the rule (undefined for a rule of
 * an older labs). One listing of the whole table: each session's teardown runs this, and a command
 * started costs the grader far more than a longer listing.
 */
export async function removeHostRules(remove: (session: string, pid: number | undefined) => boolean): Promise<number> {
  if (process.getuid?.() !== 0) return 0;
  const listed = await iptables(['-S']);
  if (!listed.ok) return 0;
  let removed = 0;
  for (const line of listed.stdout.split('\n')) {
    const chain = /^-A (\S+) /.exec(line)?.[1];
    const match = /--comment "?labs:([0-9a-zA-Z_-]+)(?::(\d+))?"?/.exec(line);
    if (!chain || !chains.includes(chain) || !match || !remove(match[1]!, match[2] === undefined ? undefined : Number(match[2]))) continue;
    const args =
      line
        .replace(/^-A /, '-D ')
        .match(/"[^"]*"|\S+/g)
        ?.map((a) => a.replace(/^"|"$/g, '')) ?? [];
    if ((await iptables(args)).ok) removed += 1;
  }
  return removed;
}
