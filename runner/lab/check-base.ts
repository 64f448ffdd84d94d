/**
 * What every check entry of a lab.yaml has, whatever its kind, and the options several kinds share.
 * Each kind's own schema (runner/checks/kinds/<kind>.ts) is built from these with `checkKindSchema`;
 * the lab's `checks:` is the discriminated union of them (runner/checks/kinds/index.ts), so a field
 * meant for another kind is a validation error at its file:line:col. Only zod here: both the lab
 * layer and the kinds import it, and nothing it imports may import them back.
 */
import { z } from 'zod';

/** A service, check or lab name. */
export const labName = z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'use lower-case letters, digits, "-", "_" or "."');

/** Options more than one kind takes, with one description each. */
export const sharedCheckOptions = {
  messages: z.number().int().positive().optional().describe('How many messages the grader sends'),
  replicas: z.number().int().positive().optional().describe('Consumer replicas'),
  idle_ms: z.number().int().positive().optional().describe('How long the queue stays empty while the consumer is watched, ms'),
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
export function checkKindSchema<K extends string, O extends z.ZodRawShape>(kind: K, options: O) {
  const { id, ...rest } = everyCheck;
  return z.strictObject({ id, kind: z.literal(kind), ...rest, ...options });
}
