/**
 * delivery: N messages, K consumer replicas, some queued before they start. What Redis handed to
 * whom (the wire) is the ground truth; a popped message must appear in that replica's output.
 */
import type { z } from 'zod';
import { defineKind } from './kind.js';
import { deliverySchema } from '../../lab/check-kinds.js';
import { type CheckContext, enqueue, sleep, stopAll } from '../context.js';
import { firstFew } from '../diagnose.js';
import { type CheckOutcome, outcome } from '../outcome.js';
import { diagnoseReplicas, judge, startConsumers, untilDrained, untilPrinted, untilWaiting } from '../consumers.js';

export type DeliverySpec = z.infer<typeof deliverySchema>;

export async function deliveryCheck(ctx: CheckContext, spec: DeliverySpec): Promise<CheckOutcome> {
  const total = spec.messages ?? 50;
  const replicasWanted = spec.replicas ?? 1;
  const before = Math.min(spec.queued_before_start ?? Math.floor(total / 2), total);
  const messages = Array.from({ length: total }, () => ctx.tokens.next());
  const mark = ctx.wire.commands.length;

  const sent = await enqueue(ctx, messages.slice(0, before));
  const replicas = await startConsumers(ctx, replicasWanted);
  // The rest come once the queue has been emptied and the consumers wait on an empty queue: a
  // consumer that stops when the queue is empty must meet that moment, not race past it.
  await untilDrained(ctx, replicas, 8000);
  await untilWaiting(ctx, replicas);
  await sleep(150, ctx.signal);
  // The rest one at a time while the replicas wait, as a producer would put them.
  sent.push(...(await enqueue(ctx, messages.slice(before))));
  await untilPrinted(ctx, replicas, sent, 2000, 15_000);
  const exits = await stopAll(ctx, replicas);
  const session = { replicas, sent, mark };
  const v = await judge(ctx, session);

  const lost = [...v.lostQueued, ...v.lostUnprinted, ...v.lostVanished];
  const inOrder = v.reordered.length === 0;
  const passed = v.exactlyOnce && inOrder;
  const shares = v.shares.map((s) => `${s.replica}: ${s.printed}`).join(', ');
  const summary = passed
    ? `${total} sent (${before} before the consumer${replicasWanted > 1 ? 's' : ''} started): all ${total} delivered exactly once, in order (${shares}); latency p50 ${v.latency.p50Ms.toFixed(0)} ms, max ${v.latency.maxMs.toFixed(0)} ms`
    : `${total} sent: ${v.ok} delivered exactly once, ${lost.length} lost, ${v.duplicated.length} duplicated, ${v.unexpected.length} unexpected${inOrder ? '' : `, out of order for ${v.reordered.map((r) => r.replica).join(', ')}`}`;
  const details: string[] = [];
  if (!passed) {
    if (v.lostQueued.length) details.push(`still queued: ${firstFew(v.lostQueued)}`);
    if (v.lostUnprinted.length) details.push(`popped but never printed: ${firstFew(v.lostUnprinted)}`);
    if (v.lostVanished.length) details.push(`gone from the queue without being popped: ${firstFew(v.lostVanished)}`);
    if (v.duplicated.length) details.push(`handed out or printed more than once: ${firstFew(v.duplicated)}`);
    if (v.unexpected.length) details.push(`printed or popped but never sent: ${firstFew(v.unexpected)}`);
    for (const r of v.reordered) details.push(`${r.replica} received ${r.count} message(s) out of order, e.g. ${firstFew(r.examples)}`);
    details.push(`per replica (popped / printed): ${v.shares.map((s) => `${s.replica} ${s.popped}/${s.printed}`).join(', ')}`);
    for (const r of replicas) {
      if (r.outputTruncated()) details.push(`${r.name}'s output was cut off after 1 MiB: print one line per message, not a flood`);
      // Python 3.11's carets under a traceback's source line (`^^^^`, `~~^~~`) say nothing on their own.
      const last = r.lines
        .filter((l) => l.text.trim() && !/^\s*[~^]+\s*$/.test(l.text))
        .slice(-2)
        .map((l) => l.text.slice(0, 120));
      details.push(`${r.name} printed ${r.lines.length} line(s)${last.length ? `, last: ${last.map((l) => JSON.stringify(l)).join(' ')}` : ''}`);
    }
  }
  const diagnosis = passed ? [] : diagnoseReplicas(ctx, session, exits);
  if (!passed && !inOrder && !diagnosis.some((d) => /wrong end/.test(d)))
    diagnosis.push('messages must be taken in the order they were put (FIFO): pop from the head of the list');
  return outcome(passed, summary, {
    details,
    diagnosis,
    measurements: {
      sent: total,
      ok: v.ok,
      lost: lost.length,
      duplicated: v.duplicated.length,
      unexpected: v.unexpected.length,
      p50Ms: v.latency.p50Ms,
      maxMs: v.latency.maxMs,
    },
  });
}

export const delivery = defineKind({
  kind: 'delivery',
  schema: deliverySchema,
  judgedFromWire: true,
  hosts: (spec) => ({ consumer: spec.replicas ?? 1 }),
  run: deliveryCheck,
});
