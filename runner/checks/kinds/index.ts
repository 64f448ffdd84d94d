/**
 * The check kinds: the one list of them. Each kind's module holds everything about it (see kind.ts)
 * and takes its option schema from lab/check-kinds.ts, where the lab's check schema is their union.
 */
import type { CheckSpec } from '../../lab/check-kinds.js';
import type { CheckContext } from '../context.js';
import type { CheckOutcome } from '../outcome.js';
import { address } from './address.js';
import { apiCreate } from './api-create.js';
import { apiRead } from './api-read.js';
import { blocking } from './blocking.js';
import { delivery } from './delivery.js';
import type { HostNeeds } from './kind.js';
import { jobLifecycle } from './job-lifecycle.js';
import { latency } from './latency.js';
import { modules } from './modules.js';
import { persistence } from './persistence.js';
import { producer } from './producer.js';
import { redisFromEnv } from './redis-from-env.js';
import { queueHoldsWithoutWorker } from './queue-holds-without-worker.js';
import { restart } from './restart.js';
import { sharing } from './sharing.js';
import { staticKind } from './static.js';
import { workerKeepsRunning } from './worker-keeps-running.js';
import { workersShare } from './workers-share.js';

/** Every kind, in the order of the lab's check schema (lab/check-kinds.ts); a test pins that they agree. */
export const checkKindModules = [
  delivery,
  sharing,
  latency,
  blocking,
  producer,
  staticKind,
  modules,
  persistence,
  restart,
  address,
  apiCreate,
  apiRead,
  jobLifecycle,
  workersShare,
  queueHoldsWithoutWorker,
  workerKeepsRunning,
  redisFromEnv,
] as const;

type AnyKind = (typeof checkKindModules)[number];
const byName = new Map<string, AnyKind>(checkKindModules.map((k) => [k.kind, k]));

function kindOf(spec: CheckSpec): AnyKind {
  const kind = byName.get(spec.kind);
  if (!kind) throw new Error(`labs: no check kind "${spec.kind}" (the lab schema admits only listed kinds)`);
  return kind;
}

/** Runs `spec` with its kind's run function. */
export function runKind(ctx: CheckContext, spec: CheckSpec): Promise<CheckOutcome> {
  // The spec was validated by its kind's own schema (the union's branch for its `kind`).
  return kindOf(spec).run(ctx, spec as never);
}

/** The containers one check of `spec`'s kind runs at the same time (see HostNeeds). */
export function hostsOf(spec: CheckSpec): HostNeeds {
  return kindOf(spec).hosts(spec as never);
}

/** Whether `spec`'s kind renames Redis (see CheckKindModule.renamesRedis). */
export function renamesRedis(spec: CheckSpec): boolean {
  return kindOf(spec).renamesRedis ?? false;
}

/** Whether a failure of `spec`'s kind is read from the wire log. */
export function judgedFromWire(spec: CheckSpec): boolean {
  return kindOf(spec).judgedFromWire;
}
