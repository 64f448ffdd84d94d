/**
 * address: Redis moves to a new address between two runs; the scripts still find it by name. A
 * hard-coded IP address fails, one cached from an earlier run too.
 */
import type { z } from 'zod';
import { defineKind } from './kind.js';
import { addressSchema } from '../../lab/check-kinds.js';
import { type CheckContext, enqueue, runProducer, settled, stopAll, untilClientsGone } from '../context.js';
import { type CheckOutcome, outcome } from '../outcome.js';
import { diagnoseReplicas, printedIds, startConsumers, untilPrinted, untilWaiting } from '../consumers.js';

export type AddressSpec = z.infer<typeof addressSchema>;

async function round(
  ctx: CheckContext,
  label: string,
  count: number,
): Promise<{ printed: number; sent: number; mark: number; replicas: Awaited<ReturnType<typeof startConsumers>>; exits: Awaited<ReturnType<typeof stopAll>> }> {
  const mark = ctx.wire.commands.length;
  const replicas = await startConsumers(ctx, 1, `consumer-${label}`);
  await untilWaiting(ctx, replicas);
  // A consumer that ended or never reached Redis prints nothing, whatever is put: the round is over.
  const over = settled(ctx, replicas);
  const messages = Array.from({ length: count }, () => ctx.tokens.next());
  const sent = ctx.lab.scripts.producer || over ? [] : await enqueue(ctx, messages);
  if (ctx.lab.scripts.producer && !over) {
    const t = Date.now();
    await runProducer(ctx, `producer-${label}`, messages);
    sent.push(...messages.map((id) => ({ id, t })));
  }
  await untilPrinted(ctx, replicas, sent, 2000, 8000);
  const printed = [...printedIds(ctx, replicas)].filter((id) => messages.includes(id)).length;
  const exits = await stopAll(ctx, replicas);
  return { printed, sent: count, mark, replicas, exits };
}

export async function addressCheck(ctx: CheckContext, spec: AddressSpec): Promise<CheckOutcome> {
  const count = Math.max(2, Math.floor((spec.messages ?? 10) / 2));
  const before = await round(ctx, 'before-move', count);
  // The first round's connections must be gone from Redis before the move cuts them off: one left
  // waiting in a blocking pop would take the first message of the second round with it.
  await untilClientsGone(ctx);
  const moved = await ctx.redis.moveAddress();
  const after = await round(ctx, 'after-move', count);
  const passed = before.printed === count && after.printed === count;
  const summary = `${ctx.redis.service} at ${moved.from}: ${before.printed}/${count} messages went through; moved to ${moved.to}: ${after.printed}/${count}`;
  const failing = after.printed < count ? after : before;
  const diagnosis = passed ? [] : diagnoseReplicas(ctx, { replicas: failing.replicas, sent: [], mark: failing.mark }, failing.exits);
  if (!passed && !diagnosis.length) diagnosis.push(`find Redis by its name: host=os.environ.get("REDIS_IP", "${ctx.redis.service}"), never an IP address`);
  return outcome(passed, summary, { diagnosis });
}

export const address = defineKind({
  kind: 'address',
  schema: addressSchema,
  judgedFromWire: true,
  hosts: () => ({ consumer: 1, producer: 1, together: true }),
  run: addressCheck,
});
