import { describe, it, expect } from 'vitest';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { labJsonSchema, labJsonSchemaText } from '../../../runner/lab/json-schema.js';

const committed = fileURLToPath(new URL('../../../schema/lab.schema.json', import.meta.url));

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a generated JSON Schema, walked by property names
type Json = Record<string, any>;

describe('schema/lab.schema.json', () => {
  it('is exactly what schema.ts generates (regenerate with scripts/gen-schema.mjs, never edit it)', async () => {
    expect(await readFile(committed, 'utf8')).toBe(labJsonSchemaText());
  });

  it('names itself and closes every object to unknown keys', () => {
    const schema = labJsonSchema() as Json;
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toMatch(/lab\.schema\.json$/);
    expect(schema.additionalProperties).toBe(false);
    const [service, overlay] = schema.properties.services.additionalProperties.anyOf as Json[];
    expect(service?.additionalProperties).toBe(false);
    expect(Object.keys(service?.properties ?? {})).toEqual(
      expect.arrayContaining(['image', 'command', 'environment', 'volumes', 'ports', 'packages', 'readiness', 'student']),
    );
    expect(service?.properties).not.toHaveProperty('imag');
    expect(service?.required).toEqual(['image']);
    expect(overlay?.additionalProperties).toBe(false);
    expect(overlay?.properties).not.toHaveProperty('image');
  });

  it('describes what an author writes: keys with defaults are optional, enums listed', () => {
    const schema = labJsonSchema() as Json;
    expect(schema.required).toEqual(['id', 'title', 'summary', 'files']);
    // One branch per kind, each closed: an editor offers a latency check's keys on a latency check only.
    const branches = schema.properties.checks.items.oneOf as Json[];
    const latency = branches.find((b) => b.properties.kind.const === 'latency');
    expect(branches.map((b) => b.properties.kind.const)).toContain('delivery');
    expect(branches.every((b) => b.additionalProperties === false)).toBe(true);
    expect(Object.keys(latency?.properties ?? {})).toContain('within_ms');
    const producer = branches.find((b) => b.properties.kind.const === 'producer');
    expect(Object.keys(producer?.properties ?? {})).toContain('messages');
    expect(Object.keys(producer?.properties ?? {})).not.toContain('within_ms');
  });
});
