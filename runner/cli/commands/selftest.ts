import { defaultSelftestJobs, jobsFlag } from '../../batch/concurrency.js';
import { findLab, listLabs, loadLabAt } from '../../lab/registry.js';
import { runSelftest } from '../../session/selftest.js';
import { type Context, writeLine } from '../context.js';

export async function selftestCommand(ctx: Context, labId: string | undefined, opts: { only?: string; jobs?: number }): Promise<number> {
  const labs = labId
    ? [await findLab(labId, { cwd: ctx.cwd })]
    : await Promise.all((await listLabs({ cwd: ctx.cwd })).map((l) => loadLabAt(l.dir, { cwd: ctx.cwd })));
  const cases = await runSelftest({
    runtime: await ctx.runtime(),
    labs,
    only: opts.only
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    concurrency: jobsFlag(opts.jobs, defaultSelftestJobs()),
    signal: ctx.signal,
    onStart: (lab, name) => ctx.stderr.write(ctx.style.dim(`  … ${lab} ${name}\n`)),
    onCase: (c) => {
      const failed = c.report.checks.filter((x) => !x.passed).map((x) => x.id);
      const head = `${c.ok ? ctx.style.ok('✓') : ctx.style.bad('✗')} ${c.lab} ${ctx.style.bold(c.name)}: ${c.description}`;
      writeLine(ctx.stdout, head);
      if (c.name === 'solution')
        writeLine(ctx.stdout, `    ${c.report.score}/${c.report.maxScore} points${failed.length ? `; failed ${failed.join(', ')}` : ''}`);
      else writeLine(ctx.stdout, `    must fail ${c.mustFail.join(', ')}; failed ${failed.join(', ') || 'nothing'}`);
      if (c.passedWrongly.length) writeLine(ctx.stdout, ctx.style.bad(`    passed although it must fail: ${c.passedWrongly.join(', ')}`));
      if (c.failedWrongly.length) writeLine(ctx.stdout, ctx.style.bad(`    failed although it must pass: ${c.failedWrongly.join(', ')}`));
      if (!c.ok) for (const x of c.report.checks.filter((y) => !y.passed)) writeLine(ctx.stdout, ctx.style.dim(`      ${x.id}: ${x.summary}`));
    },
  });
  const bad = cases.filter((c) => !c.ok);
  writeLine(ctx.stdout);
  writeLine(ctx.stdout, bad.length ? ctx.style.bad(`${bad.length} of ${cases.length} cases are wrong`) : ctx.style.ok(`all ${cases.length} cases as declared`));
  return bad.length ? 1 : 0;
}
