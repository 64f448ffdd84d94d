/**
 * Known-bad variants of a lab's reference solution, for `labs selftest`: each is a folder
 * templates/<lab>/variants/<name>/ with variant.yaml (what is wrong, which check kinds it must fail)
 * and the files that differ from the solution.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { LabsError } from '../errors.js';
import { formatProblem } from './problem.js';
import { checkKinds } from './schema.js';
import type { CheckKind, Lab } from './types.js';
import { parseYaml } from './yaml.js';

export const variantSchema = z.strictObject({
  description: z.string().min(1),
  must_fail: z.array(z.enum(checkKinds)).min(1),
});

export interface Variant {
  name: string;
  dir: string;
  description: string;
  mustFail: CheckKind[];
}

export async function listVariants(lab: Lab): Promise<Variant[]> {
  const root = join(lab.templatesDir, 'variants');
  let names: string[];
  try {
    names = (await readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch {
    return [];
  }
  const variants: Variant[] = [];
  for (const name of names) {
    const dir = join(root, name);
    const file = join(dir, 'variant.yaml');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      throw new LabsError('LAB_INVALID', `variant ${lab.id}/${name} has no variant.yaml`, { hint: `write ${file} with description: and must_fail: [check kinds]` });
    }
    const source = parseYaml(text, file);
    const parsed = variantSchema.safeParse(source.value);
    if (source.syntaxProblems.length || !parsed.success) {
      const problems = source.syntaxProblems.length
        ? source.syntaxProblems
        : parsed.error!.issues.map((issue) => source.problem(issue.path as (string | number)[], issue.message));
      throw new LabsError('LAB_INVALID', `${file} is invalid`, { details: problems.map((p) => formatProblem(p)) });
    }
    variants.push({ name, dir, description: parsed.data.description, mustFail: parsed.data.must_fail });
  }
  return variants;
}
