/**
 * The check entries of a lab.yaml: what every check has, and each kind's own options. The lab's
 * `checks:` is the discriminated union of the kinds' schemas, so a field meant for another kind is a
 * validation error at its file:line:col. The schemas live here, in the lab layer, because loading a
 * lab needs them and the lab layer may not import the checks layer (ARCHITECTURE.md, "Layers"); each
 * kind's module (runner/checks/kinds/<kind>.ts) takes its schema from here, holds everything else
 * about the kind, and is listed in runner/checks/kinds/index.ts. Only zod here.
 */
import { z } from 'zod';

/** A service, check or lab name. */
export const labName = z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'use lower-case letters, digits, "-", "_" or "."');

/** Options more than one kind takes, with one description each. */
const sharedCheckOptions = {
  messages: z.number().int().positive().optional().describe('How many messages the grader sends'),
  replicas: z.number().int().positive().optional().describe("Replicas of the consumer script run at once (jobs-api: the worker's)"),
  idle_ms: z.number().int().positive().optional().describe('How long the queue stays empty while the consumer is watched, ms'),
  jobs: z.number().int().positive().max(50).optional().describe('How many jobs the grader submits to the API'),
  work_seconds: z.number().positive().max(30).optional().describe("The worker's WORK_SECONDS: how long it works on each job, s (the grader sets it short)"),
};

/**
 * The fields every check has. One schema object per field, shared by every kind: a check whose
 * `kind:` is missing or unknown still has these judged (lab/schema-problems.ts finds them so).
 */
const everyCheck = {
  id: labName,
  points: z.number().min(0),
  title: z.string().optional(),
  hint: z.string().optional().describe('Shown to the student when the check fails'),
};

/** The schema of one kind's check entry: the fields every check has, `kind: <kind>`, and its options. */
function checkKindSchema<K extends string, O extends z.ZodRawShape>(kind: K, options: O) {
  const { id, ...rest } = everyCheck;
  return z.strictObject({ id, kind: z.literal(kind), ...rest, ...options });
}

// Each kind's options: exactly what its module in runner/checks/kinds reads.
export const deliverySchema = checkKindSchema('delivery', {
  messages: sharedCheckOptions.messages,
  replicas: sharedCheckOptions.replicas,
  queued_before_start: z.number().int().min(0).optional().describe('Messages queued before the consumer starts'),
});

export const sharingSchema = checkKindSchema('sharing', { messages: sharedCheckOptions.messages, replicas: sharedCheckOptions.replicas });

export const latencySchema = checkKindSchema('latency', {
  idle_ms: sharedCheckOptions.idle_ms,
  within_ms: z.number().int().positive().optional().describe('How soon a message put after the idle window must be printed, ms'),
});

export const blockingSchema = checkKindSchema('blocking', {
  idle_ms: sharedCheckOptions.idle_ms,
  max_commands_per_second: z.number().positive().optional().describe('Most commands a second an idle consumer may send'),
});

export const producerSchema = checkKindSchema('producer', {
  messages: sharedCheckOptions.messages,
  timeout_ms: z.number().int().positive().optional().describe('How long the producer may run, ms'),
});

export const staticSchema = checkKindSchema('static', {
  construct: z
    .enum(['worker-decorator'])
    .optional()
    .describe('The construct that must be used: worker-decorator, the only one the static check knows (also when left out)'),
  file: z.string().optional().describe('The student file to read (default: the worker or consumer)'),
});

export const modulesSchema = checkKindSchema('modules', {
  jobs_file: z.string().optional().describe('The module that holds the clients and the functions on jobs (default src/jobs.py); its name is the module name'),
  api_file: z.string().optional().describe('The API module, which imports from the jobs module (default src/api.py)'),
  worker_file: z.string().optional().describe('The worker module, which imports from the jobs module and uses @q.worker (default src/worker.py)'),
});

export const persistenceSchema = checkKindSchema('persistence', { messages: sharedCheckOptions.messages });

export const restartSchema = checkKindSchema('restart', { messages: sharedCheckOptions.messages });

export const addressSchema = checkKindSchema('address', { messages: sharedCheckOptions.messages });

// The jobs-api lab's kinds: the student's API asked over HTTP, its worker watched on the wire.
export const apiCreateSchema = checkKindSchema('api-create', { jobs: sharedCheckOptions.jobs });

export const apiReadSchema = checkKindSchema('api-read', { jobs: sharedCheckOptions.jobs });

export const jobLifecycleSchema = checkKindSchema('job-lifecycle', { jobs: sharedCheckOptions.jobs, work_seconds: sharedCheckOptions.work_seconds });

export const workersShareSchema = checkKindSchema('workers-share', {
  jobs: sharedCheckOptions.jobs,
  replicas: sharedCheckOptions.replicas,
  work_seconds: sharedCheckOptions.work_seconds,
});

export const queueHoldsSchema = checkKindSchema('queue-holds-without-worker', {
  jobs: sharedCheckOptions.jobs,
  work_seconds: sharedCheckOptions.work_seconds,
});

export const workerKeepsRunningSchema = checkKindSchema('worker-keeps-running', { work_seconds: sharedCheckOptions.work_seconds });

export const redisFromEnvSchema = checkKindSchema('redis-from-env', { work_seconds: sharedCheckOptions.work_seconds });

/** A check entry of lab.yaml, of whichever kind its `kind:` says. */
export const checkSpecSchema = z.discriminatedUnion('kind', [
  deliverySchema,
  sharingSchema,
  latencySchema,
  blockingSchema,
  producerSchema,
  staticSchema,
  modulesSchema,
  persistenceSchema,
  restartSchema,
  addressSchema,
  apiCreateSchema,
  apiReadSchema,
  jobLifecycleSchema,
  workersShareSchema,
  queueHoldsSchema,
  workerKeepsRunningSchema,
  redisFromEnvSchema,
]);
export type CheckSpec = z.infer<typeof checkSpecSchema>;
export type CheckKindName = CheckSpec['kind'];

/** Every kind's name, in the order lab authors read them. */
export const checkKindNames = checkSpecSchema.options.map((o) => o.shape.kind.value) as [CheckKindName, ...CheckKindName[]];
