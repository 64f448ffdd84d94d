/**
 * Known-bad variants of a lab's reference solution, for `labs selftest`: each is a folder
 * templates/<lab>/variants/<name>/ with variant.yaml (what is wrong, which check kinds it must fail)
 * and the files that differ from the solution.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { LabsError } from '../errors.js';
import { formatProblem } from './problem.js';
import { checkKinds } from './schema.js';
import type { CheckKind, Lab, Problem } from './types.js';
import { diskFiles, type LabFiles } from './files.js';
import { checkSchema } from './schema-problems.js';
import { parseYaml } from './yaml.js';

const variantSchema = z.strictObject({
  description: z.string().min(1),
  must_fail: z.array(z.enum(checkKinds)).min(1),
});

export interface Variant {
  name: string;
  dir: string;
  description: string;
  mustFail: CheckKind[];
}

/** Every variant under templates/<lab>/variants/, and the problems of those whose variant.yaml is wrong. */
export async function readVariants(templatesDir: string, disk: LabFiles = diskFiles): Promise<{ variants: Variant[]; problems: Problem[]; files: string[] }> {
  const root = join(templatesDir, 'variants');
  let names: string[];
  try {
    names = (await disk.list(root))
      .filter((e) => e.kind === 'dir')
      .map((e) => e.name)
      .sort();
  } catch {
    return { variants: [], problems: [], files: [] };
  }
  const variants: Variant[] = [];
  const problems: Problem[] = [];
  const files: string[] = [];
  for (const name of names) {
    const dir = join(root, name);
    const file = join(dir, 'variant.yaml');
    files.push(file);
    let text: string;
    try {
      text = await disk.readText(file);
    } catch {
      problems.push({
        file,
        line: 1,
        col: 1,
        path: '',
        message: 'missing: write variant.yaml with description: and must_fail: [check kinds]',
        severity: 'error',
      });
      continue;
    }
    const source = parseYaml(text, file);
    if (source.syntaxProblems.length) {
      problems.push(...source.syntaxProblems);
      continue;
    }
    const checked = checkSchema(variantSchema, source.value, source);
    problems.push(...checked.problems);
    if (checked.data) variants.push({ name, dir, description: checked.data.description, mustFail: checked.data.must_fail });
  }
  return { variants, problems, files };
}

export async function listVariants(lab: Lab): Promise<Variant[]> {
  const { variants, problems } = await readVariants(lab.templatesDir);
  if (problems.length) {
    throw new LabsError('LAB_INVALID', `${lab.id} has ${problems.length} problem(s) in its variants`, {
      details: problems.map((p) => formatProblem(p)),
      hint: 'fix them (`labs validate` lists them too)',
    });
  }
  return variants;
}
