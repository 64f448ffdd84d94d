/**
 * The entries of a service's `packages:`: a pip requirement (`redis>=4.2,<8`, `hotqueue==0.2.8`,
 * a PEP 440 version specifier after the name) or an npm spec (`ioredis@^5`, a semver range after
 * the name). Read here once, for validation (a malformed entry is the lab author's error, at its
 * line and column) and for provisioning (the name to probe, the specifier to evaluate).
 */
import { validRange as validPep440Specifier } from '@renovatebot/pep440';
import semver from 'semver';
import { fail, ok, type Parsed } from './parsed.js';

export interface PipRequirement {
  /** The distribution's name as written, e.g. "redis". */
  name: string;
  /** The PEP 440 version specifier as written ("" when the entry has none), e.g. ">=4.2,<8". */
  specifier: string;
}

export interface NpmSpec {
  /** The package's name, scope included, e.g. "ioredis" or "@scope/pkg". */
  name: string;
  /** The semver range as written ("" when the entry has none), e.g. "^5". */
  range: string;
}

/** PEP 508's distribution name: letters, digits, ".", "-", "_", starting and ending alphanumeric. */
const pipNamePattern = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/;
/** npm's rules for a package name that can be installed by name (lower case, URL-safe, optional scope). */
const npmNamePattern = /^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;

/**
 * `name` followed by a PEP 440 version specifier, the subset of PEP 508 that the probe can check in
 * an image: extras, environment markers and URLs are refused with the reason, since a package the
 * probe finds present would otherwise count as satisfying them without a look at what they add.
 */
export function parsePipRequirement(entry: string): Parsed<PipRequirement> {
  const text = entry.trim();
  const name = pipNamePattern.exec(text)?.[0];
  if (name === undefined) return fail(`${JSON.stringify(entry)}: a pip requirement starts with the distribution's name, e.g. redis>=4.2,<8`);
  const specifier = text.slice(name.length).trim();
  if (specifier.startsWith('[')) return fail(`${JSON.stringify(entry)}: extras ([…]) are not supported; list the packages the extra would add`);
  if (specifier.includes(';')) return fail(`${JSON.stringify(entry)}: environment markers (; …) are not supported; the lab's image decides the Python`);
  if (specifier.startsWith('@')) return fail(`${JSON.stringify(entry)}: URLs are not supported; give a version specifier such as ==0.2.8`);
  if (specifier !== '' && !validPep440Specifier(specifier)) {
    return fail(`${JSON.stringify(entry)}: ${JSON.stringify(specifier)} is not a PEP 440 version specifier (e.g. >=4.2,<8, ==0.2.8, ~=4.2)`);
  }
  return ok({ name, specifier });
}

/** `name` or `name@range`, `@scope/name@range`; tags, URLs, paths and aliases are refused. */
export function parseNpmSpec(entry: string): Parsed<NpmSpec> {
  const at = entry.lastIndexOf('@');
  const [name, range] = at > 0 ? [entry.slice(0, at), entry.slice(at + 1)] : [entry, undefined];
  if (!npmNamePattern.test(name) || name.length > 214) {
    return fail(`${JSON.stringify(entry)}: ${JSON.stringify(name)} is not an npm package name (lower case, e.g. ioredis or @scope/name)`);
  }
  if (range === undefined) return ok({ name, range: '' });
  if (range.trim() === '' || semver.validRange(range) === null) {
    return fail(`${JSON.stringify(entry)}: ${JSON.stringify(range)} is not a semver range (e.g. ^5, 5.x, >=5.3 <6); tags, URLs and paths are not supported`);
  }
  return ok({ name, range });
}

/** Whether an installed npm package satisfies a range ("" accepts any version): npm's own semver. */
export function npmSatisfies(installed: string, range: string): boolean {
  return range === '' || semver.satisfies(installed, range);
}
