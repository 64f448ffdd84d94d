/**
 * blocking: while the queue is empty the consumer waits in a blocking pop: fewer than
 * `max_commands_per_second` of its commands per second reach Redis.
 */
import type { CheckSpec } from '../../lab/types.js';
import { type CheckContext, sleep } from '../context.js';
import { type CheckOutcome, outcome } from '../outcome.js';
import { consumerFile, diagnoseReplicas, startConsumers, stopAll, waitUntilWaiting } from './consumers.js';

export async function blockingCheck(ctx: CheckContext, spec: CheckSpec): Promise<CheckOutcome> {
  const windowMs = spec.idle_ms ?? 3000;
  const limit = spec.max_commands_per_second ?? 20;
  const mark = ctx.wire.commands.length;
  const [consumer] = await startConsumers(ctx, 1);
  const replicas = [consumer!];
  let ended = false;
  void consumer!.exited.then(() => (ended = true));
  await waitUntilWaiting(ctx, replicas);
  const from = Date.now();
  await sleep(windowMs, ctx.signal);
  const to = Date.now();
  const during = ctx.wire.since(mark, consumer!.name).filter((c) => c.t >= from && c.t <= to);
  const connections = ctx.wire.connectionsOf(consumer!.name);
  const connected = connections.length > 0;
  // Quiet is not enough: it must be quiet because it waits in Redis (a program that sleeps passes no message on).
  const blocked = connections.some((c) => c.waitingSince !== undefined && c.closedAt === undefined) || during.some((c) => c.name.startsWith('B') && c.name.endsWith('POP'));
  const endedByItself = ended;
  const exits = await stopAll(replicas);
  const rate = during.length / (windowMs / 1000);
  const names = [...new Set(during.map((c) => c.name))].slice(0, 4).join(', ');
  const file = consumerFile(ctx);
  let passed = connected && !endedByItself && rate < limit && blocked;
  let summary: string;
  if (!connected) summary = `${file} never connected to Redis`;
  else if (endedByItself) summary = `${file} ended (${exits.get(consumer!.name)?.description ?? 'exited'}) instead of waiting on the empty queue`;
  else if (!blocked && rate < limit) summary = `${file} sent ${during.length} command(s) in ${windowMs} ms on an empty queue, but was not waiting in a blocking pop`;
  else summary = `${during.length} command(s) in ${windowMs} ms on an empty queue: ${rate.toFixed(1)} per second (limit: fewer than ${limit})${names ? `; ${names}` : ''}`;
  const diagnosis = passed ? [] : diagnoseReplicas(ctx, { replicas, sent: [], mark, started: from }, exits);
  if (!passed && connected && !endedByItself && !blocked && rate < limit && !diagnosis.length) {
    diagnosis.push(`${file} connected but did not wait for messages in Redis: ${ctx.phrasing.keepWaiting}`);
  }
  if (!passed && connected && !endedByItself && !diagnosis.length) {
    diagnosis.push(`${file} asks Redis again and again while the queue is empty (${names}): ${ctx.phrasing.noPolling}`);
  }
  return outcome(passed, summary, { diagnosis, measurements: { commandsPerSecond: rate } });
}
