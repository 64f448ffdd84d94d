/**
 * `labs selftest`: a lab's reference solution must score full marks, and every known-bad variant
 * must fail exactly the check kinds it declares. A check that cannot fail shows up here.
 */
import { join } from 'node:path';
import type { CheckReport } from '../rubric/score.js';
import { byPath } from '../intake/paths.js';
import { type SubmissionFiles, readSubmission } from '../intake/read.js';
import type { CheckKind, Lab } from '../lab/types.js';
import { listVariants } from '../lab/variants.js';
import type { ContainerRuntime } from '../provision/runtime.js';
import { runCheckSession } from './check.js';

export interface SelftestCase {
  lab: string;
  /** "solution" or the variant's name. */
  name: string;
  description: string;
  mustFail: CheckKind[];
  report: CheckReport;
  /** Checks that passed although their kind must fail, and that failed although it must not. */
  passedWrongly: string[];
  failedWrongly: string[];
  ok: boolean;
}

export interface SelftestOptions {
  runtime: ContainerRuntime;
  labs: Lab[];
  /** Only these variants (and the solution), by name. */
  only?: string[];
  signal?: AbortSignal;
  onCase?: (c: SelftestCase) => void;
  onStart?: (lab: string, name: string) => void;
}

/** Pure: how a report compares with what a case declares. */
export function judgeCase(report: CheckReport, mustFail: CheckKind[]): Pick<SelftestCase, 'passedWrongly' | 'failedWrongly' | 'ok'> {
  const passedWrongly = report.checks.filter((c) => c.passed && mustFail.includes(c.kind)).map((c) => c.id);
  const failedWrongly = report.checks.filter((c) => !c.passed && !mustFail.includes(c.kind)).map((c) => c.id);
  const declaredButAbsent = mustFail.filter((k) => !report.checks.some((c) => c.kind === k));
  return { passedWrongly: [...passedWrongly, ...declaredButAbsent.map((k) => `(no ${k} check)`)], failedWrongly, ok: !passedWrongly.length && !failedWrongly.length && !declaredButAbsent.length };
}

/** The solution's files with the variant's over them, path by path, read by intake like any submission. */
async function assemble(lab: Lab, variantDir: string | undefined): Promise<Pick<SubmissionFiles, 'files' | 'warnings'>> {
  const solution = await readSubmission(join(lab.templatesDir, 'solution'), 'folder');
  if (!variantDir) return solution;
  const variant = await readSubmission(variantDir, 'folder');
  const files = new Map(solution.files.map((f) => [f.path, f]));
  for (const file of variant.files) if (file.path !== 'variant.yaml') files.set(file.path, file);
  return { files: [...files.values()].sort(byPath), warnings: [...solution.warnings, ...variant.warnings] };
}

/**
 * `labs selftest`: the lab's reference solution must score full marks and each known-bad variant
 * (templates/<lab>/variants/<name>/) fail exactly the check kinds its variant.yaml declares; one case
 * each, in order. An infrastructure error in a case is thrown, not counted as a mismatch.
 */
export async function runSelftest(options: SelftestOptions): Promise<SelftestCase[]> {
  const cases: SelftestCase[] = [];
  for (const lab of options.labs) {
    const variants = (await listVariants(lab)).filter((v) => !options.only || options.only.includes(v.name));
    const todo = [{ name: 'solution', description: 'the reference solution', mustFail: [] as CheckKind[], dir: undefined as string | undefined }, ...variants];
    for (const item of todo) {
      options.signal?.throwIfAborted();
      options.onStart?.(lab.id, item.name);
      const submission = await assemble(lab, item.dir);
      const report = await runCheckSession({ runtime: options.runtime, lab, submission, signal: options.signal, mode: 'check' });
      const result: SelftestCase = { lab: lab.id, name: item.name, description: item.description, mustFail: item.mustFail, report, ...judgeCase(report, item.mustFail) };
      cases.push(result);
      options.onCase?.(result);
    }
  }
  return cases;
}
