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
  writeLine(ctx.stdout, `${ctx.style.ok('✓')} ${report.checked.length} file(s) valid: ${report.checked.join(', ')}`);
  return 0;
}
