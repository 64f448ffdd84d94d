import { resolve } from 'node:path';
import { type GradeEvent, gradeSubmissions } from '../../batch/grade.js';
import { parseQueueUrl } from '../../batch/queue.js';
import { jobsFlag } from '../../batch/jobs.js';
import { findLab } from '../../lab/registry.js';
import { hostAccessCheck } from '../../provision/firewall.js';
import { type Context, writeLine } from '../context.js';

export interface GradeFlags {
  out?: string;
  jobs?: number;
  force?: boolean;
  timeout?: number;
  queue?: string;
  connectSeconds?: number;
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** A live status line on a terminal; a plain line per finished submission otherwise. */
function progress(ctx: Context, jobs: number): (event: GradeEvent) => void {
  const live = Boolean(ctx.stderr.isTTY);
  const running = new Set<string>();
  let started = Date.now();
  let total = 0;
  let done = 0;
  let fresh = 0;
  let passing = 0;
  const line = (): string => {
    const eta = fresh ? duration(((Date.now() - started) / fresh) * (total - done)) : '…';
    return `[${done}/${total}] passing ${passing} · ETA ${eta} · grading ${[...running].slice(0, jobs).join(', ') || '–'}`;
  };
  const redraw = (): void => void (live && ctx.stderr.write(`\r\u001b[K${line().slice(0, 200)}`));
  return (event) => {
    switch (event.type) {
      case 'plan':
        total = event.total;
        done = event.reused;
        started = Date.now();
        writeLine(
          ctx.stderr,
          `${event.total} submission(s): ${event.toGrade} to grade, ${event.reused} already graded (unchanged)${event.skipped.length ? `; ignored: ${event.skipped.join(', ')}` : ''}`,
        );
        break;
      case 'start':
        running.add(event.student);
        redraw();
        break;
      case 'retry':
        if (live) ctx.stderr.write('\r\u001b[K');
        writeLine(ctx.stderr, `  ${ctx.style.warn('!')} ${event.student}: ${event.error}; retrying (attempt ${event.attempt + 1})`);
        redraw();
        break;
      case 'done': {
        running.delete(event.result.student);
        done = event.done;
        fresh += 1;
        const r = event.result;
        if (r.report && r.report.score === r.report.maxScore) passing += 1;
        const what = r.status === 'graded' ? `${r.report!.score}/${r.report!.maxScore}` : ctx.style.warn(r.status);
        if (live) ctx.stderr.write('\r\u001b[K');
        writeLine(ctx.stderr, `  [${done}/${total}] ${r.student} ${what} (${(r.durationMs / 1000).toFixed(1)} s)`);
        redraw();
        break;
      }
    }
  };
}

export async function gradeCommand(ctx: Context, labId: string, submissions: string, flags: GradeFlags): Promise<number> {
  const lab = await findLab(labId);
  const jobs = jobsFlag(flags.jobs);
  const outDir = resolve(ctx.cwd, flags.out ?? 'results');
  if (!flags.queue) {
    const access = await hostAccessCheck((await ctx.runtime()).endpoint);
    if (access !== 'closed')
      writeLine(
        ctx.stderr,
        `${ctx.style.warn('!')} student code can reach services listening on this host's bridge addresses (${access}); on Linux, grade as root to close that`,
      );
  }
  const summary = await gradeSubmissions({
    runtime: await ctx.runtime(),
    lab,
    submissionsDir: resolve(ctx.cwd, submissions),
    outDir,
    concurrency: jobs,
    force: flags.force,
    timeoutMs: flags.timeout ? flags.timeout * 1000 : undefined,
    queue: flags.queue ? parseQueueUrl(flags.queue) : undefined,
    queueConnectTimeoutMs: flags.connectSeconds ? flags.connectSeconds * 1000 : undefined,
    signal: ctx.signal,
    onEvent: progress(ctx, jobs),
  });
  if (ctx.stderr.isTTY) ctx.stderr.write('\r\u001b[K');
  writeLine(
    ctx.stdout,
    `${summary.interrupted ? ctx.style.warn('interrupted:') : ctx.style.ok('✓')} ${summary.results.length} result(s) in ${outDir}: gradebook.csv, results.jsonl, feedback/, report.html`,
  );
  writeLine(
    ctx.stdout,
    `  graded ${summary.graded} (${summary.reused} unchanged since the last run), infra-error ${summary.infraErrors}, timeout ${summary.timeouts}`,
  );
  if (summary.infraErrors || summary.timeouts)
    writeLine(ctx.stdout, ctx.style.dim('  run the same command again to retry the infra-error and timeout ones (graded ones are kept)'));
  if (summary.interrupted) return 130;
  return summary.infraErrors || summary.timeouts ? 3 : 0;
}
