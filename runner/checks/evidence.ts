/**
 * What the grader could not see. A verdict read from the wire is only as good as the wire log: bytes
 * the recorder could not read, a connection it cannot tie to a script run, or evidence that
 * contradicts itself mean the grader does not know what happened, and a failed check would then
 * blame the student for the grader's blindness. Such a check is an infrastructure error instead
 * (`WIRE_UNREADABLE`, exit 3; in a batch, infra-error after its retries).
 */
import { LabsError } from '../errors.js';
import { type Connection, type WireLog, bulks } from './wire.js';

function overlaps(conn: Connection, from: number, to: number): boolean {
  return conn.openedAt <= to && (conn.closedAt === undefined || conn.closedAt >= from);
}

/**
 * The connections in use between `from` and `to` (ms since epoch) that the grader could not follow,
 * one sentence each: the recorder could not read their bytes, or no script run had their address
 * when they opened and they sent commands. Empty when the wire log is complete for that window.
 */
export function blindSpots(wire: WireLog, from: number, to: number): string[] {
  const spots: string[] = [];
  const withCommands = new Set(wire.commands.map((c) => c.connection));
  for (const conn of wire.connections.values()) {
    if (!overlaps(conn, from, to)) continue;
    const owner = wire.ownerOf(conn);
    const who = owner ? `${owner}'s connection from ${conn.address}` : `a connection from ${conn.address}`;
    if (conn.unreadable && conn.unreadable.t <= to) {
      const u = conn.unreadable;
      const what = u.direction === 'reply' ? "Redis's replies" : 'the commands sent';
      spots.push(`the wire recorder could not read ${what} on ${who} (RESP${conn.protocol}): ${u.why}; the first bytes not understood: ${u.at || '(none)'}`);
    } else if (owner === undefined && withCommands.has(conn.id)) {
      spots.push(
        `${who} sent commands to Redis, but no script the grader ran had that address when it opened (opened ${new Date(conn.openedAt).toISOString()})`,
      );
    }
  }
  return spots;
}

/**
 * The error a check becomes when the grader could not see what it judges (code WIRE_UNREADABLE):
 * `spots` are the sentences of what it could not see, `checkId` the check's id once known.
 */
export function blindError(spots: string[], checkId?: string): LabsError {
  const which = checkId ? `${checkId}: ` : '';
  return new LabsError('WIRE_UNREADABLE', `${which}the grader could not see everything on the Redis wire, so it does not judge this check`, {
    details: spots,
    hint: 'this says nothing about the submission: grading it again may succeed; if it does not, report it to the labs maintainers with the lines above and the seed',
  });
}

/** Commands that carry no message to the script: the handshake and connection housekeeping. */
const housekeeping = new Set(['HELLO', 'AUTH', 'SELECT', 'CLIENT', 'PING', 'QUIT', 'RESET', 'COMMAND', 'INFO', 'MULTI', 'EXEC', 'DISCARD', 'WATCH', 'UNWATCH']);

/**
 * Runs that printed messages the wire says nobody was ever handed: each of them is a run whose every
 * command the recorder wrote down with its reply (or one that carries no data), so the wire would
 * show how the message reached it, and it does not. Something reached the script that the recorder
 * did not see. `printed` is each run's printed message ids that the grader sent; `idsIn` finds the
 * ids in a value as the wire carries it (decoded with the lab's serializer).
 * Returns [{run, ids}] with the ids no recorded reply or push of any run ever carried.
 */
export function unexplainedPrints(wire: WireLog, printed: Map<string, Set<string>>, idsIn: (raw: Buffer) => string[]): { run: string; ids: string[] }[] {
  const carried = new Set<string>();
  const observed = new Map<string, boolean>();
  for (const c of wire.commands) {
    for (const raw of [...bulks(c.reply), ...c.values]) for (const id of idsIn(raw)) carried.add(id);
    const run = wire.runOf(c);
    if (run === undefined) continue;
    const seen = c.replyRecorded || housekeeping.has(c.name);
    observed.set(run, (observed.get(run) ?? true) && seen);
  }
  const found: { run: string; ids: string[] }[] = [];
  for (const [run, ids] of printed) {
    if (observed.get(run) === false) continue;
    const unexplained = [...ids].filter((id) => !carried.has(id));
    if (unexplained.length) found.push({ run, ids: unexplained });
  }
  return found;
}
