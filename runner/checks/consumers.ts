/**
 * Running K consumer replicas around a body of work and judging delivery from the wire and their
 * output: shared by the kinds that run the consumer script (delivery, sharing, latency, blocking,
 * restart, address). Stopping any kind's runs is `stopAll` (context.ts).
 */
import type { ScriptExit, ScriptRun } from '../run/script.js';
import { type CheckContext, isWaiting, neverConnected, settled, startRole, waitFor } from './context.js';
import { type DeliveryEvent, type DeliveryVerdict, deliveryVerdict } from './delivery-verdict.js';
import { diagnoseRun } from './diagnose.js';
import { blindError, unexplainedPrints } from './evidence.js';
import { queueOps, wireProfile } from './wire.js';

/** One check's consumers: the replicas, what the grader put (ids, and when, ms since the epoch), and the wire mark (an index into `ctx.wire.commands`) at the start. */
export interface ConsumerSession {
  replicas: ScriptRun[];
  sent: { id: string; t: number }[];
  mark: number;
}

/** The consumer's source file as hints name it: the first argument of its command ending in .py/.js/.cjs/.mjs, else "the consumer". */
export function consumerFile(ctx: CheckContext): string {
  const command = ctx.lab.scripts.consumer?.command ?? [];
  return command.find((a) => /\.(py|js|cjs|mjs)$/.test(a)) ?? 'the consumer';
}

/** Starts `count` runs of the consumer script at once, named `<prefix>-1`…`<prefix>-<count>`; resolves once each has started. */
export async function startConsumers(ctx: CheckContext, count: number, prefix = 'consumer'): Promise<ScriptRun[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => startRole(ctx, 'consumer', `${prefix}-${i + 1}`)));
}

/** Waits until every replica waits for messages (or has ended); resolves with those that wait. */
export async function untilWaiting(ctx: CheckContext, replicas: ScriptRun[], timeoutMs = 8000): Promise<ScriptRun[]> {
  await waitFor(() => replicas.every((r) => r.hasEnded() || isWaiting(ctx, r) || neverConnected(ctx, r)), timeoutMs, ctx.signal);
  return replicas.filter((r) => !r.hasEnded() && isWaiting(ctx, r));
}

/** Waits until the queue is empty or every replica has ended. */
export async function untilDrained(ctx: CheckContext, replicas: ScriptRun[], timeoutMs: number): Promise<void> {
  await waitFor(async () => settled(ctx, replicas) || (await ctx.probe.length(ctx.queue.db, ctx.queue.key)) === 0, timeoutMs, ctx.signal, 50);
}

/** The grader's message ids any of the replicas printed so far (a line holding a token: checks/tokens.ts). */
export function printedIds(ctx: CheckContext, replicas: ScriptRun[]): Set<string> {
  const ids = new Set<string>();
  for (const r of replicas) for (const line of r.lines) for (const id of ctx.tokens.find(line.text)) ids.add(id);
  return ids;
}

/**
 * Waits until every sent id was printed, or nothing more can be (every replica ended or never
 * connected), or nothing new was printed for `quietMs`, or `maxMs` passed.
 */
export async function untilPrinted(ctx: CheckContext, replicas: ScriptRun[], sent: { id: string }[], quietMs: number, maxMs: number): Promise<void> {
  const deadline = Date.now() + maxMs;
  let last = -1;
  let lastChange = Date.now();
  await waitFor(
    () => {
      const printed = printedIds(ctx, replicas);
      if (sent.every((s) => printed.has(s.id)) || settled(ctx, replicas)) return true;
      if (printed.size !== last) {
        last = printed.size;
        lastChange = Date.now();
      }
      return Date.now() - lastChange > quietMs || Date.now() > deadline;
    },
    maxMs,
    ctx.signal,
    50,
  );
}

/** Per session: the grader's ids in each value seen on the wire, by its bytes (see carriedIds). */
const carriedBySession = new WeakMap<CheckContext, Map<string, string[]>>();

/**
 * The grader's ids in `raw`, a value or reply on the wire, decoded once per session: every judge
 * reads the whole log of the session again (unexplainedPrints), and decoding its pickles was a fifth
 * of the grader's CPU in a batch of exercise-2 (measured with --cpu-prof, 30 submissions).
 */
function carriedIds(ctx: CheckContext, raw: Buffer, idOf: (raw: Buffer) => string): string[] {
  let known = carriedBySession.get(ctx);
  if (!known) carriedBySession.set(ctx, (known = new Map()));
  const key = raw.toString('latin1');
  let ids = known.get(key);
  if (!ids) known.set(key, (ids = ctx.tokens.find(idOf(raw))));
  return ids;
}

/** Builds the delivery verdict of a session from the wire, the replicas' output and what is left. */
export async function judge(ctx: CheckContext, session: ConsumerSession): Promise<DeliveryVerdict> {
  const ops = queueOps(ctx.wire, ctx.wire.since(session.mark), ctx.queue);
  const events: DeliveryEvent[] = session.sent.map((s) => ({ type: 'enqueue', t: s.t, id: s.id }));
  const replicaNames = new Set(session.replicas.map((r) => r.name));
  const idOf = (raw: Buffer): string => {
    const item = ctx.codec.decode(raw);
    return item.text ?? `<${item.type} ${item.shown}>`;
  };
  for (const op of ops) {
    // Only the replicas' own operations count; the grader's go straight to Redis.
    if (!op.run || !replicaNames.has(op.run)) continue;
    events.push({ type: op.op, t: op.t, replica: op.run, id: idOf(op.raw) });
  }
  for (const r of session.replicas) {
    for (const line of r.lines) {
      const ids = ctx.tokens.find(line.text);
      if (ids.length) events.push({ type: 'print', t: line.t, replica: r.name, ids });
    }
  }
  const sentIds = new Set(session.sent.map((s) => s.id));
  const printed = new Map(
    session.replicas.map((r) => [r.name, new Set(r.lines.flatMap((line) => ctx.tokens.find(line.text)).filter((id) => sentIds.has(id)))]),
  );
  const unexplained = unexplainedPrints(ctx.wire, printed, (raw) => carriedIds(ctx, raw, idOf));
  if (unexplained.length) {
    throw blindError(
      unexplained.map(
        ({ run, ids }) =>
          `${run} printed ${ids.length} message(s) the wire shows nobody was handed (${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', …' : ''}): the recorder missed how they reached it`,
      ),
    );
  }
  const remaining = (await ctx.probe.range(ctx.queue.db, ctx.queue.key)).map(idOf);
  return deliveryVerdict({
    events,
    remaining,
    replicas: session.replicas.map((r) => r.name),
    startedAt: Object.fromEntries(session.replicas.map((r) => [r.name, r.startedAt])),
  });
}

/** Why the replicas failed, in words for the student (diagnose.ts per run, each finding once), from their exits, output and wire profile. */
export function diagnoseReplicas(ctx: CheckContext, session: ConsumerSession, exits: Map<string, ScriptExit>): string[] {
  const findings = new Set<string>();
  for (const r of session.replicas) {
    for (const f of diagnoseRun(
      {
        file: consumerFile(ctx),
        exit: exits.get(r.name),
        lines: r.lines,
        profile: wireProfile(ctx.wire, r.name, session.mark),
        expectedToRun: true,
        unanswered: r.unanswered(),
      },
      { queue: ctx.queue, redisService: ctx.redis.service },
      ctx.phrasing,
    )) {
      findings.add(f);
    }
  }
  return [...findings];
}
