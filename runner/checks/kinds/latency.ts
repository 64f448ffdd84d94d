/**
 * latency: after `idle_ms` with an empty queue, a new message is printed within `within_ms`. The
 * idle window is kept for the blocking check, which asks its question of the same window.
 */
import type { z } from 'zod';
import { defineKind } from './kind.js';
import { latencySchema } from '../../lab/check-kinds.js';
import { type CheckContext, enqueue, inBlockingPop, settled, sleep, stopAll, waitFor } from '../context.js';
import { type CheckOutcome, outcome } from '../outcome.js';
import type { ScriptRun } from '../../run/script.js';
import { queueOps } from '../wire.js';
import { observeIdle } from './blocking.js';
import { consumerFile, diagnoseReplicas, printedIds, startConsumers, untilPrinted, untilWaiting } from '../consumers.js';

export type LatencySpec = z.infer<typeof latencySchema>;

/** One message put after the idle time: when it was put, and how long until `run` printed it and (from the wire) popped it. */
interface Measurement {
  probe: { id: string; t: number } | undefined;
  /** Put → printed, ms; undefined when it was not printed (or no message was put: the consumer had ended). */
  printedMs: number | undefined;
  /** Put → the reply of `run`'s pop that carried it left Redis (the recorder's time), ms; undefined when the wire shows no such pop. */
  poppedMs: number | undefined;
  /** That pop's command (`BLPOP`). */
  poppedBy?: string;
}

async function measure(ctx: CheckContext, run: ScriptRun, withinMs: number, mark: number): Promise<Measurement> {
  // A consumer that ended, or never reached Redis, can print nothing more: no message is put.
  const [probe] = settled(ctx, [run]) ? [] : await enqueue(ctx, [ctx.tokens.next()]);
  if (!probe) return { probe, printedMs: undefined, poppedMs: undefined };
  await untilPrinted(ctx, [run], [probe], Math.max(3000, withinMs * 3), Math.max(5000, withinMs * 5));
  const line = run.lines.find((l) => ctx.tokens.find(l.text).includes(probe.id));
  const pop = queueOps(ctx.wire, ctx.wire.since(mark), ctx.queue).find(
    (op) => op.op === 'pop' && op.run === run.name && ctx.codec.decode(op.raw).text === probe.id,
  );
  return {
    probe,
    printedMs: line ? Math.max(0, line.t - probe.t) : undefined,
    poppedMs: pop ? Math.max(0, pop.t - probe.t) : undefined,
    ...(pop && { poppedBy: pop.command }),
  };
}

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
  const backToWaiting = (): Promise<boolean> => waitFor(() => inBlockingPop(ctx, consumer!) || settled(ctx, replicas), 1000, ctx.signal);
  await backToWaiting();
  const idle = await observeIdle(ctx, consumer!, mark, idleMs);
  let m = await measure(ctx, consumer!, withinMs, mark);
  // Late, though the wire shows Redis handed the message over at once: the time went between the pop
  // and the print, where a loaded grading machine (the script's share of CPU, its output's way to the
  // grader) is slow too. One late print there is not held against the student: measured once more.
  const lateAfterPop = (x: Measurement): boolean => x.printedMs !== undefined && x.printedMs > withinMs && x.poppedMs !== undefined && x.poppedMs <= withinMs;
  const first = lateAfterPop(m) ? m : undefined;
  if (first) {
    await backToWaiting();
    await sleep(idleMs, ctx.signal);
    m = await measure(ctx, consumer!, withinMs, mark);
  }
  const exits = await stopAll(ctx, replicas);
  idle.exits = exits;
  ctx.idle = idle;
  const { probe, printedMs: latencyMs } = m;
  const passed = latencyMs !== undefined && latencyMs <= withinMs;
  const firstToo = warmedUp ? '' : ' (nor was the first one, put before the idle time)';
  const again = first
    ? passed
      ? `; measured again: the first was popped at once but printed after ${first.printedMs!.toFixed(0)} ms`
      : '; measured twice'
    : '';
  const file = consumerFile(ctx);
  const summary =
    latencyMs !== undefined
      ? `after ${idleMs} ms idle, a new message was printed in ${latencyMs.toFixed(0)} ms (limit ${withinMs} ms${again})`
      : probe
        ? `after ${idleMs} ms idle, a new message was not printed within ${Math.max(5000, withinMs * 5)} ms${firstToo}`
        : idle.connected
          ? `${file} ${exits.get(consumer!.name)?.description ?? 'ended'} while the queue was empty: no consumer was left to print a new message after ${idleMs} ms idle${firstToo}`
          : `${file} never connected to Redis: no message could be printed`;
  const sent = [...warmup, ...(first?.probe ? [first.probe] : []), ...(probe ? [probe] : [])];
  const diagnosis = passed ? [] : diagnoseReplicas(ctx, { replicas, sent, mark }, exits);
  if (!passed && lateAfterPop(m) && !diagnosis.length)
    diagnosis.push(
      `the wire shows ${file} popped the message ${m.poppedMs!.toFixed(0)} ms after it was put (${m.poppedBy}) and printed it ${latencyMs!.toFixed(0)} ms after the put: print each item as soon as it is popped (no sleep or slow work before the print)`,
    );
  if (!passed && latencyMs !== undefined && !diagnosis.length)
    diagnosis.push('the consumer picks messages up late: do not sleep between get() calls; q.consume() hands over each message at once');
  if (!passed && warmedUp && latencyMs === undefined && !diagnosis.length) {
    diagnosis.push('the consumer stopped listening while the queue was empty (a consume(timeout=...) or get() loop that ends): it must keep waiting');
  }
  return outcome(passed, summary, { diagnosis, measurements: latencyMs === undefined ? {} : { latencyMs } });
}

export const latency = defineKind({ kind: 'latency', schema: latencySchema, judgedFromWire: true, hosts: () => ({ consumer: 1 }), run: latencyCheck });
