/**
 * Stage 2: a zod schema's issues as located problems a person can act on. zod's own messages
 * ("Invalid input: expected string, received undefined") are rewritten into the words of the
 * file: a missing key is reported at its parent, an unknown key at the key with a suggestion.
 */
import { z } from 'zod';
import type { Problem } from './types.js';
import type { DocPath } from './problem.js';
import { meantSuffix } from './suggest.js';
import type { YamlSource } from './yaml.js';

export type Issue = z.core.$ZodIssue;

export interface SchemaCheckOptions {
  /** Where `value` sits in the document. */
  basePath?: DocPath;
  /** The message for a key the schema does not know; `known` are the keys allowed there. */
  unknownKey?: (key: string, known: readonly string[]) => string;
  /** Issues checked elsewhere with more context (a union whose branch depends on the document). */
  skip?: (issue: Issue) => boolean;
}

export interface SchemaCheck<T> {
  data: T | undefined;
  problems: Problem[];
}

function unknownKeyMessage(key: string, known: readonly string[]): string {
  const suggestion = meantSuffix(key, known);
  return suggestion === '' ? `unknown key "${key}"; allowed: ${known.join(', ')}` : `unknown key "${key}"${suggestion}`;
}

export function checkSchema<T>(schema: z.ZodType<T>, value: unknown, source: YamlSource, options: SchemaCheckOptions = {}): SchemaCheck<T> {
  const result = schema.safeParse(value);
  if (result.success) return { data: result.data, problems: [] };
  const context: Context = {
    schema,
    value,
    source,
    basePath: options.basePath ?? [],
    unknownKey: options.unknownKey ?? unknownKeyMessage,
  };
  const issues = result.error.issues.filter((issue) => !(options.skip?.(issue) ?? false));
  return { data: undefined, problems: issues.flatMap((issue) => issueProblems(issue, [], context)) };
}

interface Context {
  schema: z.ZodType;
  value: unknown;
  source: YamlSource;
  basePath: DocPath;
  unknownKey: (key: string, known: readonly string[]) => string;
}

function toDocPath(path: readonly PropertyKey[]): (string | number)[] {
  return path.map((segment) => (typeof segment === 'number' ? segment : String(segment)));
}

/** `prefix` is the path of the union whose branch reported `issue` (branch paths are relative). */
function issueProblems(issue: Issue, prefix: DocPath, context: Context): Problem[] {
  const path = [...prefix, ...toDocPath(issue.path)];
  const at = (p: DocPath, message: string, target: 'key' | 'value' = 'value'): Problem =>
    context.source.problem([...context.basePath, ...p], message, { target });
  const actual = valueAt(context.value, path);
  const missingKey = (p: DocPath, value: unknown): Problem[] | undefined => {
    const key = p[p.length - 1];
    return value === undefined && typeof key === 'string' ? [at(p.slice(0, -1), `missing required key "${key}"`, 'key')] : undefined;
  };

  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = objectKeysAt(context.schema, path, context.value);
      return issue.keys.map((key) => at([...path, key], context.unknownKey(key, known), 'key'));
    }
    case 'invalid_type':
      return missingKey(path, actual) ?? [at(path, `expected ${expectedName(issue.expected)}, got ${describe(actual)}`)];
    case 'invalid_value': {
      const missing = missingKey(path, actual);
      if (missing !== undefined) return missing;
      const values = issue.values.map(String);
      return [at(path, `${describe(actual)} is not one of ${values.join(', ')}${meantSuffix(String(actual), values)}`)];
    }
    case 'invalid_union':
      return unionProblems(issue, path, context, actual);
    case 'invalid_key': {
      const reason = issue.issues[0]?.message ?? issue.message;
      return [at(path, `"${String(path[path.length - 1])}" is not a valid name: ${reason}`, 'key')];
    }
    case 'too_small':
      return [at(path, tooSmall(issue))];
    case 'too_big':
      return [at(path, `must be at most ${String(issue.maximum)}${issue.origin === 'array' ? ' items' : ''}`)];
    case 'invalid_format':
      return [at(path, `${describe(actual)} is not valid: ${issue.message}`)];
    default:
      return [at(path, issue.message)];
  }
}

/**
 * A union reports one issue list per branch. When no branch accepts the value's type, say which
 * types would do; otherwise the branch that accepted the type explains what is wrong inside it.
 */
function unionProblems(issue: Extract<Issue, { code: 'invalid_union' }>, path: DocPath, context: Context, actual: unknown): Problem[] {
  if (issue.errors.length === 0 && issue.discriminator !== undefined) return discriminatorProblems(issue, path, context, actual);
  const typeMismatch = (issues: readonly Issue[]): boolean => issues.length > 0 && issues.every((i) => i.code === 'invalid_type' && i.path.length === 0);
  const candidates = issue.errors.filter((issues) => !typeMismatch(issues));
  if (candidates.length === 0) {
    const expected = [...new Set(issue.errors.flatMap((issues) => issues.map((i) => (i.code === 'invalid_type' ? expectedName(i.expected) : ''))))].filter(
      (name) => name !== '',
    );
    return [context.source.problem([...context.basePath, ...path], `expected ${orList(expected)}, got ${describe(actual)}`)];
  }
  const best = candidates.reduce((a, b) => (b.length < a.length ? b : a));
  return best.flatMap((inner) => issueProblems(inner, path, context));
}

/**
 * A discriminated union (a check's `kind:`) whose discriminator is missing or matches no branch: say
 * so, with the names it may take, and judge the keys every branch shares (the same schema object in
 * each), so that the other problems of the entry are reported at once rather than after a fix.
 */
function discriminatorProblems(issue: Extract<Issue, { code: 'invalid_union' }>, path: DocPath, context: Context, actual: unknown): Problem[] {
  const parent = path.slice(0, -1);
  const at = (p: DocPath, message: string, target: 'key' | 'value' = 'value'): Problem =>
    context.source.problem([...context.basePath, ...p], message, { target });
  const key = issue.discriminator ?? String(path[path.length - 1]);
  const branches = schemasAt(context.schema, parent).flatMap((node) =>
    node instanceof z.ZodDiscriminatedUnion ? (node.options as readonly z.ZodType[]).filter((o) => o instanceof z.ZodObject) : [],
  ) as z.ZodObject[];
  const names = branches.flatMap((b) => {
    const literal = b.shape[key];
    return literal instanceof z.ZodLiteral ? [...literal.values].map(String) : [];
  });
  const own =
    actual === undefined
      ? at(parent, `missing required key "${key}"`, 'key')
      : at(path, `${describe(actual)} is not one of ${names.join(', ')}${meantSuffix(String(actual), names)}`);
  const [first, ...rest] = branches;
  if (!first) return [own];
  const shared = Object.fromEntries(Object.entries(first.shape).filter(([name, schema]) => name !== key && rest.every((b) => b.shape[name] === schema)));
  const common = z.looseObject(shared).safeParse(valueAt(context.value, parent));
  const more = common.success ? [] : common.error.issues.flatMap((inner) => issueProblems(inner, parent, context));
  return [own, ...more];
}

function tooSmall(issue: Extract<Issue, { code: 'too_small' }>): string {
  const minimum = Number(issue.minimum);
  if ((issue.origin === 'array' || issue.origin === 'string') && minimum === 1) return 'must not be empty';
  if (issue.origin === 'array') return `needs at least ${minimum} items`;
  return issue.inclusive === false ? `must be greater than ${minimum}` : `must be at least ${minimum}`;
}

const expectedNames: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  integer: 'a whole number',
  boolean: 'true/false',
  object: 'a mapping (key: value)',
  record: 'a mapping (key: value)',
  array: 'a list',
  null: 'nothing',
};

/** zod's and JSON Schema's type names in the words of the file ("a mapping (key: value)"). */
export function expectedName(expected: string): string {
  return expectedNames[expected] ?? expected;
}

export function orList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? 'something else';
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1] ?? ''}`;
}

export function describe(value: unknown): string {
  if (value === undefined || value === null) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

export function valueAt(value: unknown, path: DocPath): unknown {
  let node = value;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

/** The keys an object schema at `path` allows (of every object branch, under a union). */
function objectKeysAt(schema: z.ZodType, path: DocPath, value: unknown): string[] {
  const found = new Set<string>();
  for (const node of schemasAt(schema, path, value)) if (node instanceof z.ZodObject) Object.keys(node.shape).forEach((key) => found.add(key));
  return [...found];
}

/**
 * The schemas that may apply at `path`: every branch of a plain union, but only the branch of a
 * discriminated union that `value` (the whole document, when given) names, so that a producer
 * check's allowed keys are the producer's and not every kind's.
 */
function schemasAt(schema: z.ZodType, path: DocPath, value?: unknown): z.ZodType[] {
  const found: z.ZodType[] = [];
  const visit = (node: z.ZodType, rest: DocPath, at: DocPath): void => {
    if (node instanceof z.ZodOptional || node instanceof z.ZodNullable || node instanceof z.ZodDefault) {
      visit(node.unwrap() as z.ZodType, rest, at);
    } else if (rest.length === 0) {
      found.push(node);
      if (node instanceof z.ZodUnion && !(node instanceof z.ZodDiscriminatedUnion)) {
        for (const option of node.options as readonly z.ZodType[]) visit(option, rest, at);
      } else if (node instanceof z.ZodDiscriminatedUnion && value !== undefined) {
        for (const option of branchesFor(node, valueAt(value, at))) visit(option, rest, at);
      }
    } else if (node instanceof z.ZodDiscriminatedUnion) {
      for (const option of value === undefined ? (node.options as readonly z.ZodType[]) : branchesFor(node, valueAt(value, at))) visit(option, rest, at);
    } else if (node instanceof z.ZodUnion) {
      for (const option of node.options as readonly z.ZodType[]) visit(option, rest, at);
    } else if (node instanceof z.ZodObject) {
      const [head, ...tail] = rest;
      if (typeof head === 'string' && head in node.shape) visit(node.shape[head] as z.ZodType, tail, [...at, head]);
    } else if (node instanceof z.ZodRecord) {
      visit(node.valueType as z.ZodType, rest.slice(1), [...at, rest[0]!]);
    } else if (node instanceof z.ZodArray) {
      visit(node.element as z.ZodType, rest.slice(1), [...at, rest[0]!]);
    }
  };
  visit(schema, path, []);
  return found;
}

/** The branches of a discriminated union whose discriminator literal is what `entry` says. */
function branchesFor(union: z.ZodDiscriminatedUnion, entry: unknown): z.ZodType[] {
  const key = union.def.discriminator;
  const named = entry !== null && typeof entry === 'object' ? (entry as Record<string, unknown>)[key] : undefined;
  return (union.options as readonly z.ZodType[]).filter((option) => {
    const literal = option instanceof z.ZodObject ? option.shape[key] : undefined;
    return literal instanceof z.ZodLiteral && literal.values.has(named as never);
  });
}
