/**
 * A forgiving view of a lab document for the cross-field rules: they run even when the schema
 * stage failed, so one `labs validate` reports every problem, and so they must not trust types.
 */
import { valueAt } from './schema-problems.js';

export interface LooseLab {
  id: string | undefined;
  redis: string;
  compose: string | undefined;
  services: Record<string, Record<string, unknown>>;
  /** False when `services` is there but not a mapping: the schema reports it, rules about services keep quiet. */
  servicesReadable: boolean;
  files: { index: number; path: string }[];
  scripts: { role: string; service: string }[];
  checks: { index: number; id: string | undefined; file: string | undefined }[];
}

/** A YAML mapping as a record; undefined for a list, a scalar or nothing. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

export function looseLab(doc: unknown): LooseLab {
  const services: LooseLab['services'] = {};
  const rawServices = valueAt(doc, ['services']);
  for (const [name, entry] of Object.entries(asRecord(rawServices) ?? {})) services[name] = asRecord(entry) ?? {};
  const scripts = Object.entries(asRecord(valueAt(doc, ['scripts'])) ?? {}).flatMap(([role, script]) => {
    const service = str(asRecord(script)?.service);
    return service === undefined ? [] : [{ role, service }];
  });
  return {
    id: str(valueAt(doc, ['id'])),
    redis: str(valueAt(doc, ['redis'])) ?? 'redis-db',
    compose: str(valueAt(doc, ['compose'])),
    services,
    servicesReadable: rawServices === undefined || asRecord(rawServices) !== undefined,
    files: list(valueAt(doc, ['files'])).flatMap((file, index) => {
      const path = str(asRecord(file)?.path);
      return path === undefined ? [] : [{ index, path }];
    }),
    scripts,
    checks: list(valueAt(doc, ['checks'])).map((check, index) => ({
      index,
      id: str(asRecord(check)?.id),
      file: str(asRecord(check)?.file),
    })),
  };
}
