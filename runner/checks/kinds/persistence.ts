/**
 * persistence: messages queued and not consumed survive a crash of Redis (killed, not stopped) and
 * the re-creation of its container from the student's compose file. Redis is killed as soon as it
 * has saved them, or `saveDeadlineMs` after the put when it has not: with the course's `--save 1 1`
 * it saves within about 2 s of a change; with no snapshot setting, a little over a second after the
 * put (an append-only file is written every second). Only a prompt save setting and the data
 * volume make the queue survive: a graceful stop would save anyway, and a restarted container keeps
 * its files without any volume.
 */
import type { z } from 'zod';
import { defineKind } from './kind.js';
import { persistenceSchema } from '../../lab/check-kinds.js';
import { type CheckContext, sleep, waitFor } from '../context.js';
import { type CheckOutcome, outcome } from '../outcome.js';

export type PersistenceSpec = z.infer<typeof persistenceSchema>;

/** What in the Redis service's definition loses the queue in a crash, as hints naming the service. */
export function persistenceMistakes(service: string, command: string[] | undefined, targets: string[]): string[] {
  const found: string[] = [];
  const argv = command ?? [];
  const save = argv.indexOf('--save');
  if (save < 0 || argv[save + 1] === '' || argv[save + 1] === '""')
    found.push(`${service} must run with command: ["--save", "1", "1"]: without it Redis snapshots to disk only after minutes, so a crash loses the queue`);
  if (!targets.includes('/data'))
    found.push(`${service} must keep the volume ./data:/data: without it the snapshot is inside the container and gone when the container is re-created`);
  return found;
}

/**
 * With `--save 1 1` Redis saves once its clock (whole seconds) is more than one second past its
 * last save: at most about 2.1 s after a change (serverCron runs every 100 ms). Beyond 3 s Redis's
 * save setting is not the course's, and Redis is killed unsaved.
 */
export const saveDeadlineMs = 3000;
/** Without any snapshot setting: past the next write of an append-only file (`appendfsync everysec`). */
const unsavedCrashMs = 1300;

export async function persistenceCheck(ctx: CheckContext, spec: PersistenceSpec): Promise<CheckOutcome> {
  const total = spec.messages ?? 10;
  const snapshots = await ctx.probe.savesConfigured();
  // One RPUSH for all: a save that starts between two puts would keep only the first ones.
  const ids = Array.from({ length: total }, () => ctx.tokens.next());
  const t = Date.now();
  await ctx.probe.push(
    ctx.queue.db,
    ctx.queue.key,
    ids.map((id) => ctx.codec.encode(id)),
  );
  const sent = ids.map((id) => ({ id, t }));
  // Settled once a save that started after the put has ended (one running at the put leaves the
  // put's change counted, so it is not taken for ours).
  let saved = false;
  if (snapshots) saved = await waitFor(async () => (await ctx.probe.persistence()).settled, saveDeadlineMs, ctx.signal, 50);
  else await sleep(unsavedCrashMs, ctx.signal);
  const killedAfterMs = Date.now() - t;
  await ctx.redis.crash();
  await ctx.redis.recreate();
  const left = (await ctx.probe.range(ctx.queue.db, ctx.queue.key)).map((raw) => ctx.codec.decode(raw).text);
  const survived = sent.filter((m, i) => left[i] === m.id).length;
  const passed = survived === total && left.length === total;
  const when = saved
    ? `Redis saved ${(killedAfterMs / 1000).toFixed(1)} s after the put and was killed then`
    : `Redis had not saved ${(killedAfterMs / 1000).toFixed(1)} s after the put${snapshots ? '' : ' (no snapshot setting)'} and was killed then`;
  const summary = `${total} messages queued; ${when}, and re-created from ${ctx.lab.compose ?? 'the lab'}: ${left.length} of ${total} were still queued`;
  const { command, mountTargets } = ctx.redis.definition;
  const diagnosis = passed ? [] : persistenceMistakes(ctx.redis.service, command, mountTargets);
  return outcome(passed, summary, { diagnosis, measurements: { survived: left.length, killedAfterMs } });
}

export const persistence = defineKind({ kind: 'persistence', schema: persistenceSchema, judgedFromWire: true, hosts: () => ({}), run: persistenceCheck });
