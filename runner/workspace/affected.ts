/**
 * Which checks a changed file can change the result of, derived from the lab, never listed by hand:
 * the role of each student file (lab.yaml `files:`) says which script runs it, and each check kind
 * says which scripts it runs (its `hosts`, the same figure that sizes a session's containers). Pure.
 */
import { hostsOf } from '../checks/kinds/index.js';
import type { CheckSpec, Lab } from '../lab/types.js';
import { isIgnored } from '../intake/paths.js';

/** Files a script of the runtime can import: an undeclared one (a helper module) may change any check. */
const sourceExtensions: Record<Lab['runtime'], RegExp> = {
  python: /\.py$/,
  node: /\.(c|m)?js$|\.json$/,
};

export interface Affected {
  /** Check ids to run again, in lab order. */
  checks: string[];
  /** Changed paths that no check reads (README.md, an editor's swap file), for the screen. */
  unread: string[];
}

/**
 * Whether `spec`'s result can change with the file at `path` (relative, `/`-separated):
 * - the compose file (role `compose`): every check, since it makes the containers;
 * - a `producer` file: the checks whose kind runs the producer script (`hosts(spec).producer`:
 *   producer, address, and every jobs-api kind, whose producer is the API);
 * - a `consumer` or `worker` file: the checks whose kind runs the consumer script
 *   (`hosts(spec).consumer`: delivery, sharing, latency, blocking, restart, address, static, modules,
 *   and the jobs-api kinds that run a worker: all but api-create and api-read);
 * - an `other` file: a source file of the lab's runtime (jobs-api's `src/jobs.py`, imported by the API
 *   and the worker) every check, like an undeclared one; any other (README.md) none, unless a static
 *   check names it as its `file`;
 * - any source file of the runtime: the `modules` check too, which parses them all;
 * - an undeclared source file of the lab's runtime (`helpers.py`): every check, since any script may
 *   import it; any other undeclared file, or one intake leaves out (`data/`, `.labs/`, `__pycache__/`): none.
 */
function checkReads(lab: Lab, spec: CheckSpec, path: string): boolean {
  if (isIgnored(path, false)) return false;
  const file = lab.files.find((f) => f.path === path);
  if (file === undefined) return sourceExtensions[lab.runtime].test(path);
  if (file.role === 'compose' || (spec.kind === 'static' && spec.file === path)) return true;
  // The modules check reads every source file of the service's folders with Python's ast.
  if (spec.kind === 'modules' && sourceExtensions[lab.runtime].test(path)) return true;
  const hosts = hostsOf(spec);
  switch (file.role) {
    case 'producer':
      return (hosts.producer ?? 0) > 0;
    case 'consumer':
    case 'worker':
      return (hosts.consumer ?? 0) > 0;
    case 'other':
      return sourceExtensions[lab.runtime].test(path);
  }
}

/** The checks among `specs` that any of the changed `paths` can change, and the paths none reads. */
export function affectedChecks(lab: Lab, specs: readonly CheckSpec[], paths: readonly string[]): Affected {
  return {
    checks: specs.filter((spec) => paths.some((path) => checkReads(lab, spec, path))).map((spec) => spec.id),
    unread: paths.filter((path) => !specs.some((spec) => checkReads(lab, spec, path))),
  };
}
