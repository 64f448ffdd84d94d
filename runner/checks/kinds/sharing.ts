/** sharing: messages put one at a time while all K replicas wait; each gets at least 1/(2K) of them. */
import type { z } from 'zod';
import { defineKind } from './kind.js';
import { sharingSchema } from '../../lab/check-kinds.js';
import { type CheckContext, enqueue, sleep, stopAll } from '../context.js';
import { type CheckOutcome, outcome } from '../outcome.js';
import { diagnoseReplicas, judge, startConsumers, untilPrinted, untilWaiting } from '../consumers.js';

export type SharingSpec = z.infer<typeof sharingSchema>;

/** Replicas when the lab does not say: sharing needs at least two. */
const sharingReplicas = 2;

export async function sharingCheck(ctx: CheckContext, spec: SharingSpec): Promise<CheckOutcome> {
  const total = spec.messages ?? 20;
  const k = spec.replicas ?? sharingReplicas;
  const mark = ctx.wire.commands.length;
  const replicas = await startConsumers(ctx, k);
  const waiting = await untilWaiting(ctx, replicas);
  const sent: { id: string; t: number }[] = [];
  for (let i = 0; i < total; i += 1) {
    sent.push(...(await enqueue(ctx, [ctx.tokens.next()])));
    // One at a time: the next message goes out once a replica could be waiting again.
    await sleep(40, ctx.signal);
  }
  await untilPrinted(ctx, replicas, sent, 2000, 10_000);
  const exits = await stopAll(ctx, replicas);
  const session = { replicas, sent, mark };
  const v = await judge(ctx, session);
  const floor = Math.ceil(total / (2 * k));
  const shares = v.shares.filter((s) => replicas.some((r) => r.name === s.replica));
  const passed = shares.length === k && shares.every((s) => s.printed >= floor);
  const summary = `${total} messages put one at a time to ${k} waiting consumers: ${shares.map((s) => `${s.replica} printed ${s.printed}`).join(', ')} (each needs at least ${floor})`;
  const diagnosis = passed ? [] : diagnoseReplicas(ctx, session, exits);
  if (!passed && waiting.length < k && !diagnosis.length) diagnosis.push(`only ${waiting.length} of ${k} consumers were waiting for messages`);
  return outcome(passed, summary, { diagnosis, measurements: Object.fromEntries(shares.map((s) => [s.replica, s.printed])) });
}

export const sharing = defineKind({
  kind: 'sharing',
  schema: sharingSchema,
  judgedFromWire: true,
  hosts: (spec) => ({ consumer: spec.replicas ?? sharingReplicas }),
  run: sharingCheck,
});
