/**
 * latency: after `idle_ms` with an empty queue, a new message is printed within `within_ms`. The
 * idle window is kept for the blocking check, which asks its question of the same window.
 */
import type { z } from 'zod';
import { defineKind } from './kind.js';
import { latencySchema } from '../../lab/check-kinds.js';
import { type CheckContext, enqueue, inBlockingPop, settled, stopAll, waitFor } from '../context.js';
import { type CheckOutcome, outcome } from '../outcome.js';
import { observeIdle } from './blocking.js';
import { consumerFile, diagnoseReplicas, printedIds, startConsumers, untilPrinted, untilWaiting } from '../consumers.js';

export type LatencySpec = z.infer<typeof latencySchema>;

export async function latencyCheck(ctx: CheckContext, spec: LatencySpec): Promise<CheckOutcome> {
  const idleMs = spec.idle_ms ?? 3000;
  const withinMs = spec.within_ms ?? 1000;
  const mark = ctx.wire.commands.length;
  const [consumer] = await startConsumers(ctx, 1);
  const replicas = [consumer!];
  await untilWaiting(ctx, replicas);
  // A first message shows the consumer works at all; the measured one comes after the idle time.
  const warmup = await enqueue(ctx, [ctx.tokens.next()]);
  await untilPrinted(ctx, replicas, warmup, 3000, 5000);
  const warmedUp = printedIds(ctx, replicas).has(warmup[0]!.id);
  // Back to waiting before the idle time counts: a consumer's next blocking pop follows its print.
  await waitFor(() => inBlockingPop(ctx, consumer!) || settled(ctx, replicas), 1000, ctx.signal);
  const idle = await observeIdle(ctx, consumer!, mark, idleMs);
  // A consumer that ended, or never reached Redis, can print nothing more: no message is put.
  const [probe] = settled(ctx, replicas) ? [] : await enqueue(ctx, [ctx.tokens.next()]);
  if (probe) await untilPrinted(ctx, replicas, [probe], Math.max(3000, withinMs * 3), Math.max(5000, withinMs * 5));
  const line = probe && consumer!.lines.find((l) => ctx.tokens.find(l.text).includes(probe.id));
  const exits = await stopAll(ctx, replicas);
  idle.exits = exits;
  ctx.idle = idle;
  const latencyMs = line && probe ? Math.max(0, line.t - probe.t) : undefined;
  const passed = latencyMs !== undefined && latencyMs <= withinMs;
  const firstToo = warmedUp ? '' : ' (nor was the first one, put before the idle time)';
  const file = consumerFile(ctx);
  const summary =
    latencyMs !== undefined
      ? `after ${idleMs} ms idle, a new message was printed in ${latencyMs.toFixed(0)} ms (limit ${withinMs} ms)`
      : probe
        ? `after ${idleMs} ms idle, a new message was not printed within ${Math.max(5000, withinMs * 5)} ms${firstToo}`
        : idle.connected
          ? `${file} ${exits.get(consumer!.name)?.description ?? 'ended'} while the queue was empty: no consumer was left to print a new message after ${idleMs} ms idle${firstToo}`
          : `${file} never connected to Redis: no message could be printed`;
  const diagnosis = passed ? [] : diagnoseReplicas(ctx, { replicas, sent: probe ? [...warmup, probe] : warmup, mark }, exits);
  if (!passed && latencyMs !== undefined && !diagnosis.length)
    diagnosis.push('the consumer picks messages up late: do not sleep between get() calls; q.consume() hands over each message at once');
  if (!passed && warmedUp && latencyMs === undefined && !diagnosis.length) {
    diagnosis.push('the consumer stopped listening while the queue was empty (a consume(timeout=...) or get() loop that ends): it must keep waiting');
  }
  return outcome(passed, summary, { diagnosis, measurements: latencyMs === undefined ? {} : { latencyMs } });
}

export const latency = defineKind({ kind: 'latency', schema: latencySchema, judgedFromWire: true, hosts: () => ({ consumer: 1 }), run: latencyCheck });
