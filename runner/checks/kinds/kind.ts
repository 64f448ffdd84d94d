/**
 * The shape of one check kind: its module holds what it runs, the containers it needs and whether its
 * verdict is read from the wire; its option schema is in lab/check-kinds.ts (the lab layer validates
 * labs and may not import checks). Adding a kind is a schema there and a module listed in kinds/index.ts.
 */
import type { z } from 'zod';
import type { CheckContext } from '../context.js';
import type { CheckOutcome } from '../outcome.js';

/**
 * The containers of the lab's script services that one check of a kind runs at the same time: how
 * many consumer runs, how many producer runs, and whether the two run at once (then a lab whose
 * producer and consumer share a pool of containers needs one for each).
 */
export interface HostNeeds {
  consumer?: number;
  producer?: number;
  together?: boolean;
}

export interface CheckKindModule<K extends string, S extends z.ZodType<{ kind: K }>> {
  kind: K;
  /** The check entry in lab.yaml: the common fields and this kind's options, nothing else. */
  schema: S;
  /** A failure is judged from the wire log, so a blind spot in it (checks/evidence.ts) voids the verdict. */
  judgedFromWire: boolean;
  hosts: (spec: z.infer<S>) => HostNeeds;
  /**
   * It gives Redis a new name at a new address (RedisPort.rename): the session readies what that
   * takes while the check before it runs (RedisPort.readyRename).
   */
  renamesRedis?: boolean;
  /** Runs one check on a clean Redis; a failed check is an outcome, an infrastructure failure throws. */
  run: (ctx: CheckContext, spec: z.infer<S>) => Promise<CheckOutcome>;
}

/** Declares a kind, its spec type inferred from its schema. */
export function defineKind<K extends string, S extends z.ZodType<{ kind: K }>>(kind: CheckKindModule<K, S>): CheckKindModule<K, S> {
  return kind;
}
