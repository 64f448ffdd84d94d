/**
 * blocking: while the queue is empty the consumer waits in a blocking pop: fewer than
 * `max_commands_per_second` of its commands per second reach Redis. When the latency check just
 * watched a consumer through a quiet idle window of the same length (see `observeIdle`), that
 * window is judged: the same question, asked of the same run, without starting the consumer again.
 */
import type { z } from 'zod';
import { defineKind } from './kind.js';
import { blockingSchema } from '../../lab/check-kinds.js';
import type { ScriptRun } from '../../run/script.js';
import { type CheckContext, type IdleObservation, inBlockingPop, settled, sleep, stopAll } from '../context.js';
import { type CheckOutcome, outcome } from '../outcome.js';
import { consumerFile, diagnoseReplicas, startConsumers, untilWaiting } from '../consumers.js';

export type BlockingSpec = z.infer<typeof blockingSchema>;

/**
 * Watches `consumer` for `windowMs` while the queue stays empty (not at all once nothing more can
 * come of it: it ended, or never reached Redis). `quiet` says whether the window asked exactly the
 * blocking check's question: the consumer already waited in a blocking pop on an empty queue when
 * it opened, and nothing was pushed before it closed (a consumer that puts messages back keeps the
 * queue from ever being empty).
 */
export async function observeIdle(ctx: CheckContext, consumer: ScriptRun, mark: number, windowMs: number): Promise<IdleObservation> {
  const queueLength = (): Promise<number> => ctx.probe.length(ctx.queue.db, ctx.queue.key);
  const waitingAtStart = inBlockingPop(ctx, consumer) && (await queueLength()) === 0;
  const from = Date.now();
  if (!settled(ctx, [consumer])) await sleep(windowMs, ctx.signal);
  const to = Date.now();
  const emptyAtEnd = (await queueLength()) === 0;
  const during = ctx.wire.since(mark, consumer.name).filter((c) => c.t >= from && c.t <= to);
  const connections = ctx.wire.connectionsOf(consumer.name);
  // Quiet is not enough: it must be quiet because it waits in Redis (a program that sleeps passes no message on).
  const blocked = inBlockingPop(ctx, consumer) || during.some((c) => c.name.startsWith('B') && c.name.endsWith('POP'));
  const pushed = ctx.wire.since(mark).some((c) => c.t >= from && c.t <= to && c.name.includes('PUSH'));
  return {
    windowMs,
    consumer,
    mark,
    from,
    to,
    during,
    connected: connections.length > 0,
    blocked,
    endedByItself: consumer.hasEnded(),
    quiet: waitingAtStart && emptyAtEnd && !pushed,
    exits: new Map(),
  };
}

async function ownObservation(ctx: CheckContext, windowMs: number): Promise<IdleObservation> {
  const mark = ctx.wire.commands.length;
  const [consumer] = await startConsumers(ctx, 1);
  await untilWaiting(ctx, [consumer!]);
  const observed = await observeIdle(ctx, consumer!, mark, windowMs);
  observed.exits = await stopAll(ctx, [consumer!]);
  return observed;
}

export async function blockingCheck(ctx: CheckContext, spec: BlockingSpec): Promise<CheckOutcome> {
  const windowMs = spec.idle_ms ?? 3000;
  const limit = spec.max_commands_per_second ?? 20;
  const watched = ctx.idle?.quiet && ctx.idle.windowMs === windowMs ? ctx.idle : await ownObservation(ctx, windowMs);
  const { consumer, during, connected, blocked, endedByItself, exits, mark } = watched;
  const rate = during.length / (windowMs / 1000);
  const names = [...new Set(during.map((c) => c.name))].slice(0, 4).join(', ');
  const file = consumerFile(ctx);
  const passed = connected && !endedByItself && rate < limit && blocked;
  let summary: string;
  if (!connected) summary = `${file} never connected to Redis`;
  else if (endedByItself) summary = `${file} ended (${exits.get(consumer.name)?.description ?? 'exited'}) instead of waiting on the empty queue`;
  else if (!blocked && rate < limit)
    summary = `${file} sent ${during.length} command(s) in ${windowMs} ms on an empty queue, but was not waiting in a blocking pop`;
  else
    summary = `${during.length} command(s) in ${windowMs} ms on an empty queue: ${rate.toFixed(1)} per second (limit: fewer than ${limit})${names ? `; ${names}` : ''}`;
  const diagnosis = passed ? [] : diagnoseReplicas(ctx, { replicas: [consumer], sent: [], mark }, exits);
  if (!passed && connected && !endedByItself && !blocked && rate < limit && !diagnosis.length) {
    diagnosis.push(`${file} connected but did not wait for messages in Redis: ${ctx.phrasing.keepWaiting}`);
  }
  if (!passed && connected && !endedByItself && !diagnosis.length) {
    diagnosis.push(`${file} asks Redis again and again while the queue is empty (${names}): ${ctx.phrasing.noPolling}`);
  }
  return outcome(passed, summary, { diagnosis, measurements: { commandsPerSecond: rate } });
}

export const blocking = defineKind({ kind: 'blocking', schema: blockingSchema, judgedFromWire: true, hosts: () => ({ consumer: 1 }), run: blockingCheck });
