import { basename, dirname, relative } from 'node:path';
import { formatProblem } from '../../lab/problem.js';
import { validatePaths } from '../../lab/registry.js';
import { type Context, writeLine } from '../context.js';

export async function validateCommand(ctx: Context, paths: string[]): Promise<number> {
  const report = await validatePaths(paths, ctx.cwd);
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
