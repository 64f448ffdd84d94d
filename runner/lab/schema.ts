/**
 * The lab format: the one definition of what `labs/<id>/lab.yaml` may contain. Validation and the
 * JSON Schema for editors (`schema/lab.schema.json`) are both derived from it, never written twice.
 */
import { z } from 'zod';
import { checkKindNames, checkSpecSchema, labName } from './check-kinds.js';

const name = labName;
const argv = z.union([z.string().min(1), z.array(z.string()).min(1)]);
const scalar = z.union([z.string(), z.number(), z.boolean()]);

const environmentSchema = z.union([z.record(z.string(), scalar.nullable()), z.array(z.string().regex(/^[^=]+(=.*)?$/, 'write KEY=VALUE'))]);

const packagesSchema = z
  .strictObject({
    pip: z
      .array(z.string().min(1))
      .optional()
      .describe('Python distributions installed with pip, each a name with an optional PEP 440 version specifier: redis>=4.2,<8, hotqueue==0.2.8'),
    npm: z.array(z.string().min(1)).optional().describe('npm packages installed globally (NODE_PATH), each a name with an optional semver range: ioredis@^5'),
  })
  .describe("Packages the service needs; baked once into a prepared image, only what is missing or outside the entry's version specifier");

const readinessSchema = z
  .strictObject({
    kind: z.enum(['redis', 'running', 'exec']).describe('redis: answers PING; running: container runs; exec: command exits 0'),
    port: z.number().int().min(1).max(65535).optional(),
    command: z.array(z.string()).min(1).optional(),
    timeout_ms: z.number().int().positive().optional(),
  })
  .describe('When the service counts as ready');

/** Keys a service shares with the compose subset labs understand. */
const composeServiceShape = {
  image: z.string().min(1).describe('Image name, e.g. redis:7'),
  command: argv.optional(),
  entrypoint: argv.optional(),
  environment: environmentSchema.optional(),
  volumes: z.array(z.string().min(1)).optional().describe('HOST:CONTAINER[:ro]; a relative HOST is in the workspace'),
  ports: z
    .array(z.union([z.string(), z.number().int()]))
    .optional()
    .describe('HOST:CONTAINER, bound to 127.0.0.1'),
  user: z.union([z.string(), z.number().int()]).optional(),
  working_dir: z.string().optional(),
  depends_on: z.union([z.array(z.string()), z.record(z.string(), z.unknown())]).optional(),
};

/**
 * The topology keys a lab.yaml service may set (the compose subset labs provisions). A student's
 * compose file is read against the Compose Specification instead (compose-spec.ts).
 */
export const composeServiceSchema = z.strictObject(composeServiceShape);

const labServiceExtras = {
  packages: packagesSchema.optional(),
  readiness: readinessSchema.optional(),
  student: z
    .boolean()
    .optional()
    .describe("The student's files are at the lab's workdir in this service (bind-mounted in a workspace, copied in when grading)"),
};

export const serviceSchema = z.strictObject({ ...composeServiceShape, ...labServiceExtras });

/** With `compose:`, lab services add to the compose file's services and may not replace their topology. */
export const serviceOverlaySchema = z.strictObject({
  environment: environmentSchema.optional(),
  ...labServiceExtras,
});

const fileSchema = z.strictObject({
  path: z.string().min(1).describe('Path in the workspace'),
  role: z.enum(['producer', 'consumer', 'worker', 'compose', 'other']).optional(),
  description: z.string().optional(),
});

const scriptSchema = z.strictObject({
  service: name.describe('Service whose container runs the script'),
  command: z.array(z.string()).min(1).describe('argv, run in the lab workdir; the grader appends messages for a producer'),
});

/** The check kinds by name; each kind's options are its own module's schema (checks/kinds/). */
export const checkKinds = checkKindNames;
export type { CheckKindName as CheckKind } from './check-kinds.js';

export const labSchema = z
  .strictObject({
    id: name.describe('Same as the folder name'),
    title: z.string().min(1),
    summary: z.string().min(1),
    runtime: z.enum(['python', 'node']).default('python'),
    workdir: z.string().regex(/^\//, 'an absolute path in the container').default('/lab'),
    redis: name.default('redis-db').describe('The service that is Redis; reachable by this name on port 6379'),
    compose: z.string().optional().describe("A student's compose file in the workspace; the services come from it"),
    services: z.record(name, z.union([serviceSchema, serviceOverlaySchema])).default({}),
    files: z.array(fileSchema).min(1),
    scripts: z.strictObject({ producer: scriptSchema.optional(), consumer: scriptSchema.optional() }).default({}),
    next_steps: z.array(z.string()).default([]).describe('Printed after `labs start`'),
    checks: z.array(checkSpecSchema).default([]),
  })
  .describe('A labs exercise: services, student files and checks');

export type ComposeService = z.infer<typeof composeServiceSchema>;
export type LabServiceInput = z.infer<typeof serviceSchema>;
export type ServiceOverlay = z.infer<typeof serviceOverlaySchema>;
export type LabInput = z.infer<typeof labSchema>;
export type { CheckSpec } from './check-kinds.js';
export type Readiness = z.infer<typeof readinessSchema>;
export type Script = z.infer<typeof scriptSchema>;
