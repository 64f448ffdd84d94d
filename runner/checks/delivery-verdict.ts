/**
 * The delivery verdict: a pure function of an event log, in the vocabulary of Jepsen's queue
 * checkers. What Redis handed to whom is the ground truth (recorded on the wire); a replica's output
 * proves it processed a message. Linear in the number of events.
 */

/** What was observed, in time order or not (times are milliseconds on one clock). */
export type DeliveryEvent =
  /** The grader (or the student's producer) put message `id` on the queue. */
  | { type: 'enqueue'; t: number; id: string }
  /** Redis removed `id` from the queue and handed it to `replica` (LPOP, RPOP, BLPOP, …). */
  | { type: 'pop'; t: number; replica: string; id: string }
  /** Redis showed `id` to `replica` without removing it (LRANGE, LINDEX). */
  | { type: 'peek'; t: number; replica: string; id: string }
  /** `replica` put `id` on the queue itself (pushed back). */
  | { type: 'push'; t: number; replica: string; id: string }
  /** `replica` printed the message ids found on one line of its output. */
  | { type: 'print'; t: number; replica: string; ids: string[] };

export interface DeliveryLog {
  events: DeliveryEvent[];
  /** Message ids still on the queue at the end. */
  remaining: string[];
  /** Replicas that ran, so that one that received nothing still gets a share of 0. */
  replicas: string[];
  /** When each replica started; latency of a message queued before that counts from the start. */
  startedAt?: Record<string, number>;
}

export interface ReplicaShare {
  replica: string;
  popped: number;
  printed: number;
  share: number;
}

export interface LatencyStats {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface DeliveryVerdict {
  sent: number;
  /** Delivered exactly once: popped by one replica, once, and printed by it. */
  ok: number;
  /** Still queued at the end. */
  lostQueued: string[];
  /** Popped and never printed by the replica that popped it. */
  lostUnprinted: string[];
  /** Neither queued nor popped: removed some other way (DEL, FLUSHDB, a pop by nobody we saw). */
  lostVanished: string[];
  /** Handed out more than once, read without popping, pushed back or put twice. */
  duplicated: string[];
  /** Popped or printed but never sent by the grader. */
  unexpected: string[];
  /** Per replica, messages received out of enqueue order (first few ids). */
  reordered: { replica: string; count: number; examples: string[] }[];
  shares: ReplicaShare[];
  /** From enqueue (or the replica's start, for messages already waiting) to print. */
  latency: LatencyStats;
  exactlyOnce: boolean;
}

interface MessageState {
  index: number;
  enqueuedAt: number;
  enqueues: number;
  pops: number;
  poppedBy: string | undefined;
  peeks: number;
  pushes: number;
  printedBy: Set<string> | undefined;
  printedAt: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[rank]!;
}

/**
 * The verdict on `log`: each message the grader enqueued (by id) is ok (popped by one replica, once,
 * and printed by it), lost (still queued, popped and never printed, or vanished), duplicated, or
 * unexpected when it was never enqueued; with each replica's share, its reorderings, and the latency
 * from enqueue (or the replica's start) to print, in ms. Pure; never throws.
 */
export function deliveryVerdict(log: DeliveryLog): DeliveryVerdict {
  const messages = new Map<string, MessageState>();
  const unexpected = new Set<string>();
  const replicaOrder = new Map<string, { last: number; count: number; examples: string[] }>();
  const popCount = new Map<string, number>();
  for (const r of log.replicas) popCount.set(r, 0);

  // Enqueues first: the order of the log is not trusted to put them before their pops.
  for (const e of log.events) {
    if (e.type !== 'enqueue') continue;
    const m = messages.get(e.id);
    if (m) {
      m.enqueues += 1;
      continue;
    }
    messages.set(e.id, {
      index: messages.size,
      enqueuedAt: e.t,
      enqueues: 1,
      pops: 0,
      poppedBy: undefined,
      peeks: 0,
      pushes: 0,
      printedBy: undefined,
      printedAt: 0,
    });
  }

  // One pass over the rest. Pops are taken in log order, which is each connection's wire order:
  // sorting them would make the verdict O(n log n) for no gain.
  for (const e of log.events) {
    if (e.type === 'enqueue') continue;
    if (e.type === 'pop') {
      popCount.set(e.replica, (popCount.get(e.replica) ?? 0) + 1);
      const m = messages.get(e.id);
      if (!m) {
        unexpected.add(e.id);
        continue;
      }
      m.pops += 1;
      if (m.pops > 1) continue;
      m.poppedBy = e.replica;
      // Order: each replica must receive messages in increasing enqueue order.
      let order = replicaOrder.get(e.replica);
      if (!order) replicaOrder.set(e.replica, (order = { last: -1, count: 0, examples: [] }));
      if (m.index < order.last) {
        order.count += 1;
        if (order.examples.length < 5) order.examples.push(e.id);
      } else {
        order.last = m.index;
      }
      continue;
    }
    if (e.type === 'print') {
      // Several ids on one line, or one id on several lines, are one delivery each per replica.
      for (const id of e.ids) {
        const m = messages.get(id);
        if (!m) {
          unexpected.add(id);
          continue;
        }
        if (!m.printedBy) {
          m.printedBy = new Set();
          m.printedAt = e.t;
        } else if (e.t < m.printedAt) {
          m.printedAt = e.t;
        }
        m.printedBy.add(e.replica);
      }
      continue;
    }
    const m = messages.get(e.id);
    if (!m) {
      unexpected.add(e.id);
      continue;
    }
    if (e.type === 'peek') m.peeks += 1;
    else m.pushes += 1;
  }

  const remaining = new Set(log.remaining);
  for (const id of remaining) if (!messages.has(id)) unexpected.add(id);

  const verdict: DeliveryVerdict = {
    sent: messages.size,
    ok: 0,
    lostQueued: [],
    lostUnprinted: [],
    lostVanished: [],
    duplicated: [],
    unexpected: [...unexpected],
    reordered: [],
    shares: [],
    latency: { count: 0, p50Ms: 0, p99Ms: 0, maxMs: 0 },
    exactlyOnce: false,
  };

  const latencies = new Float64Array(messages.size);
  let latencyCount = 0;
  const printedFromPops = new Map<string, number>();
  for (const [id, m] of messages) {
    const printedByPopper = m.poppedBy !== undefined && m.printedBy?.has(m.poppedBy) === true;
    // Printed by a replica that never popped it: it read the message another way (a peek).
    const printedByOthers = m.printedBy ? m.printedBy.size - (printedByPopper ? 1 : 0) : 0;
    const duplicated = m.enqueues > 1 || m.pops > 1 || m.pushes > 0 || printedByOthers > 0 || (m.peeks > 0 && m.pops === 0 && m.printedBy !== undefined);
    if (duplicated) verdict.duplicated.push(id);
    if (m.pops === 0) {
      if (remaining.has(id)) verdict.lostQueued.push(id);
      else if (!m.printedBy) verdict.lostVanished.push(id);
    } else if (!printedByPopper) {
      if (remaining.has(id)) verdict.lostQueued.push(id);
      else verdict.lostUnprinted.push(id);
    }
    if (printedByPopper) {
      printedFromPops.set(m.poppedBy!, (printedFromPops.get(m.poppedBy!) ?? 0) + 1);
      const from = Math.max(m.enqueuedAt, log.startedAt?.[m.poppedBy!] ?? m.enqueuedAt);
      latencies[latencyCount++] = Math.max(0, m.printedAt - from);
      if (!duplicated) verdict.ok += 1;
    }
  }

  for (const [replica, order] of replicaOrder) {
    if (order.count > 0) verdict.reordered.push({ replica, count: order.count, examples: order.examples });
  }
  const replicas = new Set([...log.replicas, ...popCount.keys()]);
  for (const replica of replicas) {
    const printed = printedFromPops.get(replica) ?? 0;
    verdict.shares.push({
      replica,
      popped: popCount.get(replica) ?? 0,
      printed,
      share: messages.size ? printed / messages.size : 0,
    });
  }

  const sorted = latencies.subarray(0, latencyCount).sort();
  verdict.latency = {
    count: latencyCount,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: latencyCount ? sorted[latencyCount - 1]! : 0,
  };
  verdict.exactlyOnce =
    verdict.lostQueued.length + verdict.lostUnprinted.length + verdict.lostVanished.length + verdict.duplicated.length + verdict.unexpected.length === 0;
  return verdict;
}
