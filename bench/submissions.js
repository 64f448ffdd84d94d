// Generated exercise-2 submissions for the grading benchmarks: copies of the reference solution,
// every third one buggy, cycling through the lab's known-bad variants (templates/<lab>/variants/).
import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { listVariants } from '../dist/runner/lab/variants.js';

/**
 * Writes `count` submissions as folders student-000… under `root` and returns what each should
 * get: student → { name: "solution" or the variant's, mustFail: the check kinds its variant.yaml
 * declares (none for the solution) }. Throws LAB_INVALID when a variant.yaml is wrong.
 */
export async function generateSubmissions(lab, root, count) {
  const variants = await listVariants(lab);
  const expected = new Map();
  for (let i = 0; i < count; i += 1) {
    const student = `student-${String(i).padStart(3, '0')}`;
    const dir = join(root, student);
    mkdirSync(dir, { recursive: true });
    cpSync(join(lab.templatesDir, 'solution'), dir, { recursive: true });
    const variant = i % 3 === 2 && variants.length ? variants[i % variants.length] : undefined;
    if (variant) for (const f of readdirSync(variant.dir)) if (f !== 'variant.yaml') cpSync(join(variant.dir, f), join(dir, f), { recursive: true });
    expected.set(student, variant ? { name: variant.name, mustFail: variant.mustFail } : { name: 'solution', mustFail: [] });
  }
  return expected;
}
