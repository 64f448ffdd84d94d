/**
 * Stage 2 for a student's compose file: the Compose Specification's own JSON Schema
 * (`schema/compose-spec/`, vendored with its licence; its README names the upstream commit), so a
 * key Compose accepts is never an error here and a key it rejects always is. ajv's errors are
 * rewritten into labs's located problems: an unknown key at the key with the nearest known one, a
 * wrong type at the value with the types Compose takes.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Ajv as AjvClass, ErrorObject, ValidateFunction } from 'ajv';
import { composeSpecPath, generatedValidatorPath } from '../paths.js';
import type { DocPath } from './problem.js';
import { describe, expectedName, orList, valueAt } from './schema-problems.js';
import { meantSuffix } from './suggest.js';
import type { Problem } from './types.js';
import type { YamlSource } from './yaml.js';

export { composeSpecPath, generatedValidatorPath };

let compiled: ValidateFunction | undefined;
let keys: { topLevel: string[]; service: string[] } | undefined;

/** The keys the specification defines at the top of a file and in a service (read once). */
export function composeSpecKeys(): { topLevel: string[]; service: string[] } {
  if (keys !== undefined) return keys;
  const schema = composeSpecSchema().schema as { properties: Record<string, unknown>; definitions: { service: { properties: Record<string, unknown> } } };
  keys = { topLevel: Object.keys(schema.properties), service: Object.keys(schema.definitions.service.properties) };
  return keys;
}

/** ajv's options for the specification: the validator generated at build time uses the same. */
export const composeSpecAjvOptions = {
  // strict: false because the schema uses draft-07 with annotations ajv's strict mode does not
  // know (`deprecated`); allErrors so every problem in the file is reported at once; verbose gives
  // each error the schema it came from, whose `properties` are the keys to suggest.
  strict: false,
  allErrors: true,
  verbose: true,
} as const;

/**
 * The schema as ajv compiles it, and the sha256 of the file's text (what a generated validator
 * must have been made from). The file names draft-07 as https://json-schema.org/draft-07/schema,
 * which ajv registers only as http://json-schema.org/draft-07/schema#: the same draft, ajv's
 * default, so the name is dropped.
 */
export function composeSpecSchema(): { schema: Record<string, unknown>; sha256: string } {
  const text = readFileSync(composeSpecPath, 'utf8');
  const { $schema, ...schema } = JSON.parse(text) as Record<string, unknown>;
  void $schema;
  return { schema, sha256: createHash('sha256').update(text).digest('hex') };
}

/**
 * The validator, made once per process on first use. Compiling the 75 kB schema takes about
 * 190 ms, so the build generates its code once (loading that takes about 15 ms); it is used when it
 * was made from this very schema, and otherwise (a build by tsc alone, tests run from the sources)
 * the schema is compiled here, with the same options. Throws when the vendored schema is missing or
 * unreadable: the package is broken, not the student's file.
 */
function validator(): ValidateFunction {
  if (compiled !== undefined) return compiled;
  const { schema, sha256 } = composeSpecSchema();
  const require = createRequire(import.meta.url);
  try {
    const generated = require(generatedValidatorPath) as ValidateFunction & { schemaSha256?: string };
    if (generated.schemaSha256 === sha256) return (compiled = generated);
  } catch {
    // Not generated: compiled below.
  }
  // Loaded only here: ajv itself takes about 30 ms to load, which the generated code does not need.
  const { Ajv } = require('ajv') as { Ajv: typeof AjvClass };
  compiled = new Ajv(composeSpecAjvOptions).compile(schema);
  return compiled;
}

/** Problems of `value` (the parsed file) against the Compose Specification, each located in `source`. */
export function composeSpecProblems(value: unknown, source: YamlSource): Problem[] {
  const validate = validator();
  if (validate(value)) return [];
  return relevantErrors(validate.errors ?? []).flatMap((group) => groupProblems(group, value, source));
}

function pathOf(instancePath: string): DocPath {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
}

/**
 * ajv reports every branch of a `oneOf` that failed, and the `oneOf` itself. What a person needs is
 * the branch that came closest: errors deeper in the document, or about keys and values (not the
 * value's type), explain more than "expected a string" from a branch the value was never meant for.
 * Errors are grouped by where they are; a group of only type errors says which types would do.
 */
function relevantErrors(errors: readonly ErrorObject[]): ErrorObject[][] {
  const structural = new Set(['oneOf', 'anyOf', 'if', 'then', 'else', 'not']);
  const isType = (e: ErrorObject): boolean => e.keyword === 'type';
  const deeper = (e: ErrorObject): boolean => errors.some((o) => o.instancePath.startsWith(`${e.instancePath}/`));
  const byPath = new Map<string, ErrorObject[]>();
  for (const error of errors) {
    if (structural.has(error.keyword) && errors.some((o) => o !== error && !structural.has(o.keyword))) continue;
    (byPath.get(error.instancePath) ?? byPath.set(error.instancePath, []).get(error.instancePath)!).push(error);
  }
  const groups: ErrorObject[][] = [];
  for (const group of byPath.values()) {
    const specific = group.filter((e) => !isType(e));
    // A type error from a branch this value did not take, when another branch got further.
    const kept = specific.length > 0 ? specific : group.every(isType) && group.some(deeper) ? [] : group;
    if (kept.length > 0) groups.push(kept);
  }
  return groups;
}

function groupProblems(group: readonly ErrorObject[], value: unknown, source: YamlSource): Problem[] {
  const path = pathOf(group[0]?.instancePath ?? '');
  const actual = valueAt(value, path);
  const types = group.filter((e) => e.keyword === 'type');
  const problems: Problem[] = [];
  if (types.length > 0) {
    const expected = [...new Set(types.flatMap((e) => [e.params.type as string | string[]].flat()))].map(expectedName);
    problems.push(source.problem(path, `expected ${orList(expected)}, got ${describe(actual)}`));
  }
  const seen = new Set<string>();
  for (const error of group) {
    if (error.keyword === 'type') continue;
    const problem = errorProblem(error, path, actual, source);
    const key = `${problem.line}:${problem.col}:${problem.message}`;
    if (!seen.has(key)) problems.push(problem);
    seen.add(key);
  }
  return problems;
}

function errorProblem(error: ErrorObject, path: DocPath, actual: unknown, source: YamlSource): Problem {
  const parent = (error.parentSchema ?? {}) as { properties?: Record<string, unknown>; patternProperties?: Record<string, unknown> };
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params.additionalProperty);
      const known = Object.keys(parent.properties ?? {});
      if (known.length === 0 && parent.patternProperties !== undefined) {
        return source.problem([...path, key], `"${key}" is not a valid name: use letters, digits, ".", "_" or "-"`, { target: 'key' });
      }
      const suggestion = meantSuffix(key, known);
      const message = suggestion === '' ? `unknown key "${key}": Compose does not know it here` : `unknown key "${key}"${suggestion}`;
      return source.problem([...path, key], message, { target: 'key' });
    }
    case 'required':
      return source.problem(path, `missing required key "${String(error.params.missingProperty)}"`, { target: 'key' });
    case 'enum': {
      const values = (error.params.allowedValues as unknown[]).map(String);
      return source.problem(path, `${describe(actual)} is not one of ${values.join(', ')}${meantSuffix(String(actual), values)}`);
    }
    case 'uniqueItems':
      return source.problem(path, `lists the same item twice (items ${String(error.params.j)} and ${String(error.params.i)})`);
    case 'oneOf':
      return source.problem(path, `${describe(actual)} is not in a form Compose accepts here`);
    case 'minItems':
    case 'minProperties':
      return source.problem(path, 'must not be empty');
    default:
      return source.problem(path, `${describe(actual)}: ${error.message ?? 'not what Compose accepts here'}`);
  }
}
