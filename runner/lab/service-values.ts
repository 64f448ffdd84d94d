/**
 * Values the schema accepts as strings but labs must read further (a command line, a volume, a
 * port, a package's version specifier): checked here with the same readers normalisation and
 * provisioning use, so what validates also loads.
 */
import type { Problem } from './types.js';
import type { DocPath } from './problem.js';
import { parseNpmSpec, parsePipRequirement } from './package-specs.js';
import { parsePort } from './ports.js';
import { asRecord } from './loose.js';
import { valueAt } from './schema-problems.js';
import { shellWords } from './shell-words.js';
import { parseVolume } from './volumes.js';
import type { YamlSource } from './yaml.js';

export function serviceValueProblems(service: unknown, path: DocPath, source: YamlSource): Problem[] {
  const entry = asRecord(service);
  if (entry === undefined) return [];
  const problems: Problem[] = [];
  for (const key of ['command', 'entrypoint'] as const) {
    const value = entry[key];
    if (typeof value !== 'string') continue;
    const words = shellWords(value);
    if (!words.ok) problems.push(source.problem([...path, key], words.error));
  }
  const each = (keys: string[], read: (item: unknown) => string | undefined): void => {
    const list = valueAt(entry, keys);
    if (!Array.isArray(list)) return;
    list.forEach((item: unknown, index) => {
      const error = read(item);
      if (error !== undefined) problems.push(source.problem([...path, ...keys, index], error));
    });
  };
  each(['volumes'], (item) => {
    if (typeof item !== 'string') return undefined;
    const mount = parseVolume(item);
    return mount.ok ? undefined : mount.error;
  });
  each(['ports'], (item) => {
    if (typeof item !== 'string' && typeof item !== 'number') return undefined;
    const port = parsePort(item);
    return port.ok ? undefined : port.error;
  });
  for (const [manager, parse] of [
    ['pip', parsePipRequirement],
    ['npm', parseNpmSpec],
  ] as const) {
    each(['packages', manager], (item) => {
      if (typeof item !== 'string' || item === '') return undefined;
      const parsed = parse(item);
      return parsed.ok ? undefined : parsed.error;
    });
  }
  const readiness = asRecord(entry.readiness);
  if (readiness?.kind === 'exec' && readiness.command === undefined) {
    problems.push(source.problem([...path, 'readiness'], 'readiness kind "exec" needs a command (argv) that exits 0 when ready'));
  }
  return problems;
}
