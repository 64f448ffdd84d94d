/**
 * restart: a consumer killed while idle and started again receives, once each, the messages queued
 * while it was down. (hotqueue is at-most-once: nothing here demands that a message popped by a
 * consumer killed mid-work survives.)
 */
import type { z } from 'zod';
import { defineKind } from './kind.js';
import { restartSchema } from '../../lab/check-kinds.js';
import { type CheckContext, enqueue, stopAll, untilClientsGone } from '../context.js';
import { firstFew } from '../diagnose.js';
import { type CheckOutcome, outcome } from '../outcome.js';
import { diagnoseReplicas, judge, startConsumers, untilPrinted, untilWaiting } from '../consumers.js';

export type RestartSpec = z.infer<typeof restartSchema>;

export async function restartCheck(ctx: CheckContext, spec: RestartSpec): Promise<CheckOutcome> {
  const total = spec.messages ?? 10;
  const mark = ctx.wire.commands.length;
  const [first] = await startConsumers(ctx, 1, 'consumer-before');
  await untilWaiting(ctx, [first!]);
  const warmup = await enqueue(ctx, [ctx.tokens.next()]);
  await untilPrinted(ctx, [first!], warmup, 3000, 5000);
  // Killed while idle, and gone from Redis's point of view before anything is queued.
  const firstExit = await first!.stop();
  await untilClientsGone(ctx);
  const whileDown = await enqueue(
    ctx,
    Array.from({ length: total }, () => ctx.tokens.next()),
  );
  const [second] = await startConsumers(ctx, 1, 'consumer-after');
  await untilPrinted(ctx, [second!], whileDown, 2000, 10_000);
  const exits = await stopAll(ctx, [second!]);
  exits.set(first!.name, firstExit);
  const session = { replicas: [first!, second!], sent: [...warmup, ...whileDown], mark };
  const v = await judge(ctx, session);
  const afterShare = whileDown.filter((m) => second!.lines.some((l) => ctx.tokens.find(l.text).includes(m.id))).length;
  const endedEarly = !firstExit.stoppedByGrader;
  const lost = [...v.lostQueued, ...v.lostUnprinted, ...v.lostVanished].filter((id) => whileDown.some((m) => m.id === id));
  const passed = v.exactlyOnce && afterShare === total && !endedEarly;
  const summary = `${endedEarly ? `the first consumer ended by itself (${firstExit.description}) before it was stopped; ` : ''}${total} messages queued while the consumer was down: the restarted consumer printed ${afterShare} of them${lost.length ? `, ${lost.length} lost` : ''}${v.duplicated.length ? `, ${v.duplicated.length} duplicated` : ''}`;
  const details = passed ? [] : [`lost: ${firstFew(lost)}`, `duplicated: ${firstFew(v.duplicated)}`];
  const diagnosis = passed ? [] : diagnoseReplicas(ctx, session, exits);
  return outcome(passed, summary, { details, diagnosis });
}

export const restart = defineKind({ kind: 'restart', schema: restartSchema, judgedFromWire: true, hosts: () => ({ consumer: 1 }), run: restartCheck });
