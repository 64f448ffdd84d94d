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
import { inOrderPool } from './in-order-pool.js';
import { SlotPool } from './slot.js';

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
  /** How many cases run at once, each in its own check session (default 1). */
  concurrency?: number;
  signal?: AbortSignal;
  /** Called once per case in the order of the cases (labs as given, the solution first, then the
   *  variants by name), whichever finishes first: a case waits for those before it. */
  onCase?: (c: SelftestCase) => void;
  /** Called as a case starts, in the same order. */
  onStart?: (lab: string, name: string) => void;
}

/** Pure: how a report compares with what a case declares. */
export function judgeCase(report: CheckReport, mustFail: CheckKind[]): Pick<SelftestCase, 'passedWrongly' | 'failedWrongly' | 'ok'> {
  const passedWrongly = report.checks.filter((c) => c.passed && mustFail.includes(c.kind)).map((c) => c.id);
  const failedWrongly = report.checks.filter((c) => !c.passed && !mustFail.includes(c.kind)).map((c) => c.id);
  const declaredButAbsent = mustFail.filter((k) => !report.checks.some((c) => c.kind === k));
  return {
    passedWrongly: [...passedWrongly, ...declaredButAbsent.map((k) => `(no ${k} check)`)],
    failedWrongly,
    ok: !passedWrongly.length && !failedWrongly.length && !declaredButAbsent.length,
  };
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

interface Todo {
  lab: Lab;
  name: string;
  description: string;
  mustFail: CheckKind[];
  /** The variant's folder; undefined for the solution. */
  dir: string | undefined;
}

async function runCase(options: SelftestOptions, slots: SlotPool, item: Todo, signal: AbortSignal): Promise<SelftestCase> {
  const { lab } = item;
  const submission = await assemble(lab, item.dir);
  const slot = slots.take(lab);
  let reusable = false;
  let report: CheckReport;
  try {
    report = await runCheckSession({ runtime: options.runtime, lab, submission, signal, mode: 'check', slot });
    reusable = true;
  } finally {
    slots.give(slot, reusable);
  }
  return { lab: lab.id, name: item.name, description: item.description, mustFail: item.mustFail, report, ...judgeCase(report, item.mustFail) };
}

/**
 * `labs selftest`: the lab's reference solution must score full marks and each known-bad variant
 * (templates/<lab>/variants/<name>/) fail exactly the check kinds its variant.yaml declares; one case
 * each, each lab's solution then its variants by name, `concurrency` check sessions at once (a
 * session mostly waits: for Redis, for the scripts, through the checks' deliberate idle times).
 * The cases run in batch slots, as `labs grade` runs submissions (session/slot.ts): a variant is
 * judged the way a student's submission is graded, after whatever the case before it in the slot
 * left behind, and the lab network, recorder and script containers are made once per slot.
 * Resolves with the cases in that order, and reports them in it. An infrastructure error in a case
 * is thrown (a LabsError), not counted as a mismatch, once the sessions under way have ended.
 */
export async function runSelftest(options: SelftestOptions): Promise<SelftestCase[]> {
  const todo: Todo[] = [];
  for (const lab of options.labs) {
    const variants = (await listVariants(lab)).filter((v) => !options.only || options.only.includes(v.name));
    todo.push({ lab, name: 'solution', description: 'the reference solution', mustFail: [], dir: undefined }, ...variants.map((v) => ({ lab, ...v })));
  }
  // A slot the engine would not remove is the grader's trouble, thrown as a case's failed removal was.
  let leftBehind: { error: unknown } | undefined;
  const slots = new SlotPool(options.runtime, undefined, (error) => (leftBehind ??= { error }));
  let cases: SelftestCase[];
  try {
    cases = await inOrderPool(todo, options.concurrency ?? 1, (item, signal) => runCase(options, slots, item, signal), {
      signal: options.signal,
      onStart: (item) => options.onStart?.(item.lab.id, item.name),
      onResult: options.onCase,
    });
  } finally {
    await slots.close();
  }
  if (leftBehind) throw leftBehind.error;
  return cases;
}
