/**
 * The JSON Schema of lab.yaml for editors (yaml-language-server, VS Code), derived from schema.ts
 * so the two never drift; `schema/lab.schema.json` is written from here by scripts/gen-schema.mjs.
 */
import { z } from 'zod';
import { labSchema } from './schema.js';

const labSchemaId = 'https://labs.invalid/schema/lab.schema.json';

/** `io: 'input'`: what an author may write, so keys with defaults are optional. */
export function labJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(labSchema, { io: 'input' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema: $schema ?? 'https://json-schema.org/draft/2020-12/schema',
    $id: labSchemaId,
    title: 'labs lab.yaml',
    ...rest,
  };
}

/** The file's exact text, so the committed copy can be compared byte for byte. */
export function labJsonSchemaText(): string {
  return `${JSON.stringify(labJsonSchema(), null, 2)}\n`;
}
