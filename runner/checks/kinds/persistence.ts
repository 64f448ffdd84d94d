/**
 * persistence: messages queued and not consumed survive a crash of Redis (killed, not stopped, a
 * little over a second after the last put) and the re-creation of its container from the student's
 * compose file. Only `--save 1 1` and the data volume make that true: a graceful stop would save
 * anyway, and a restarted container keeps its files without any volume.
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

export async function persistenceCheck(ctx: CheckContext, spec: PersistenceSpec): Promise<CheckOutcome> {
  const total = spec.messages ?? 10;
  // Redis saves for `--save 1 1` only once more than a whole second (its clock counts seconds) has
  // passed since its last save. Earlier checks' writes may still be unsaved: let that save happen
  // first, then let a full interval pass, so that the puts below are saved within ~0.1 s.
  if (await ctx.probe.savesConfigured()) {
    await waitFor(async () => (await ctx.probe.persistence()).settled, 4000, ctx.signal, 100);
    const settleMs = (await ctx.probe.lastSave()) * 1000 + 2100 - Date.now();
    if (settleMs > 0) await sleep(settleMs, ctx.signal);
  }
  // One RPUSH for all: a save that starts between two puts would keep only the first ones, and the
  // next save comes a whole second later (seen: 8 of 10 kept, once in 15 runs of the solution).
  const ids = Array.from({ length: total }, () => ctx.tokens.next());
  const t = Date.now();
  await ctx.probe.push(
    ctx.queue.db,
    ctx.queue.key,
    ids.map((id) => ctx.codec.encode(id)),
  );
  const sent = ids.map((id) => ({ id, t }));
  await sleep(1300, ctx.signal);
  await ctx.redis.crash();
  await ctx.redis.recreate();
  const left = (await ctx.probe.range(ctx.queue.db, ctx.queue.key)).map((raw) => ctx.codec.decode(raw).text);
  const survived = sent.filter((m, i) => left[i] === m.id).length;
  const passed = survived === total && left.length === total;
  const summary = `${total} messages queued, Redis killed 1.3 s after the last put and re-created from ${ctx.lab.compose ?? 'the lab'}: ${left.length} of ${total} were still queued`;
  const { command, mountTargets } = ctx.redis.definition;
  const diagnosis = passed ? [] : persistenceMistakes(ctx.redis.service, command, mountTargets);
  return outcome(passed, summary, { diagnosis, measurements: { survived: left.length } });
}

export const persistence = defineKind({ kind: 'persistence', schema: persistenceSchema, judgedFromWire: true, hosts: () => ({}), run: persistenceCheck });
