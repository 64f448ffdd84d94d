/**
 * Where the package's own files are (the shipped labs/, scaffold/, the vendored Compose schema, the
 * generated validator), whether run from runner/ or dist/runner/. A lab's templates/ are found beside
 * its labs/ folder (`templatesDirFor`, lab/templates.ts), so that a course's labs have theirs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(start: string): string {
  let dir = start;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string };
      if (name === 'labs') return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`labs: package.json of labs not found above ${start}`);
    dir = parent;
  }
}

export const packageRoot = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
/** The package's own folder of lab folders (the shipped labs); a course's labs are found by lab/roots.ts. */
export const shippedLabsRoot = join(packageRoot, 'labs');
/** The Compose Specification's JSON Schema, vendored (shipped: package.json `files` has schema/). */
export const composeSpecPath = join(packageRoot, 'schema', 'compose-spec', 'compose-spec.json');
/** Where `npm run build` writes the validator generated from it (scripts/gen-compose-validator.mjs). */
export const generatedValidatorPath = join(packageRoot, 'dist', 'compose-spec-validate.cjs');
/** What `labs new` starts a lab from without --from: lab.yaml, starter/, solution/, variants/. */
export const scaffoldRoot = join(packageRoot, 'scaffold');

/** This package's version, from its package.json (what `labs --version` prints; a batch's resume and a workspace record it). */
export function packageVersion(): string {
  const { version } = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string };
  return version;
}
