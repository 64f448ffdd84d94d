import { basename, dirname, relative, resolve } from 'node:path';
import { cacheDir, cachedByInputs } from '../../lab/cache.js';
import { labRoots } from '../../lab/roots.js';
import { formatProblem } from '../../lab/problem.js';
import { type Context, writeLine } from '../context.js';

export async function validateCommand(ctx: Context, paths: string[]): Promise<number> {
  // The validator (zod, the YAML parser, the Compose validator) is loaded only when the cache has
  // no report made from these very files by this very code (lab/cache.ts). Its files are absolute
  // paths, shown relative to the folder the command runs in only here.
  // With no paths, every lab: the folders of labs (a course's, found upward from here, and the shipped ones).
  const targets = paths.map((p) => resolve(ctx.cwd, p));
  const roots = targets.length === 0 ? await labRoots({ cwd: ctx.cwd }) : targets;
  const report = await cachedByInputs(
    'validate',
    { targets: roots },
    async (files) => (await import('../../lab/registry.js')).validatePaths(roots, { files }),
    { dir: cacheDir(ctx.env) },
  );
  const errors = report.problems.filter((p) => p.severity === 'error');
  for (const problem of report.problems) {
    const line = formatProblem(problem, ctx.cwd);
    writeLine(ctx.stderr, problem.severity === 'error' ? line : `${line} ${ctx.style.warn('(warning)')}`);
  }
  if (errors.length) {
    writeLine(ctx.stderr, `${ctx.style.bad('✗')} ${errors.length} error(s) in ${report.checked.length} file(s)`);
    return 2;
  }
  const variants = report.checked.filter((f) => basename(f) === 'variant.yaml').length;
  const others = report.checked
    .filter((f) => basename(f) !== 'variant.yaml')
    .map((f) => (basename(f) === 'lab.yaml' ? basename(dirname(f)) : relative(ctx.cwd, f) || f));
  writeLine(ctx.stdout, `${ctx.style.ok('✓')} valid: ${others.join(', ')}${variants ? ` (and ${variants} known-bad variant(s))` : ''}`);
  return 0;
}
