import { resolve } from 'node:path';
import { type GradeEvent, type GradeSummary, gradeSubmissions } from '../../batch/grade.js';
import { platformName } from '../../batch/platforms/discover.js';
import { parseQueueUrl } from '../../batch/queue.js';
import { jobsFlag } from '../../batch/concurrency.js';
import { leftBehindLine } from '../../batch/left-behind.js';
import { findLab } from '../../lab/registry.js';
import { rosterLabel } from '../../report/intake.js';
import { hostAccessCheck } from '../../provision/firewall.js';
import type { ExportShape } from '../../intake/export.js';
import { type Context, writeLine } from '../context.js';

export interface GradeFlags {
  out?: string;
  jobs?: number;
  force?: boolean;
  timeout?: number;
  queue?: string;
  connectSeconds?: number;
  from?: ExportShape;
  canvasGradebook?: string;
  canvasColumn?: string;
  gradescopeCsv?: string;
  roster?: string;
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

/** Limits how many names one list prints; intake.md has them all. */
const shownNames = 20;

function list(ctx: Context, title: string, items: string[]): void {
  if (items.length === 0) return;
  writeLine(ctx.stdout, `  ${ctx.style.warn('!')} ${title} (${items.length}):`);
  for (const item of items.slice(0, shownNames)) writeLine(ctx.stdout, `      ${item}`);
  if (items.length > shownNames) writeLine(ctx.stdout, `      … and ${items.length - shownNames} more in intake.md`);
}

/** What the platform's export held beyond the grades: entries nobody could be given, missing students, the CSVs written. */
function reportIntake(ctx: Context, intake: GradeSummary['intake']): void {
  if (intake.shape !== 'folders')
    writeLine(ctx.stdout, `  read as a ${platformName[intake.shape]} export; ${intake.intakeReport ?? 'intake.md'} lists every student and file`);
  list(
    ctx,
    'not attributed to any student, not graded',
    intake.unattributed.map((u) => `${u.entry}: ${u.why}`),
  );
  if (intake.canvas) {
    const c = intake.canvas;
    writeLine(ctx.stdout, `  Canvas: ${c.file}, column "${c.column}" ${c.added ? 'added' : 'filled'} for ${c.filled} student(s): import it in Grades → Import`);
    list(
      ctx,
      'missing: in the gradebook, no submission (cell left as it was)',
      c.missing.map((m) => `${m.name} (ID ${m.canvasUserId})`),
    );
    list(
      ctx,
      'graded but not in the gradebook',
      c.notInGradebook.map((s) => s.student),
    );
  }
  if (intake.roster) list(ctx, `missing: in the roster, no submission`, intake.roster.missing.map(rosterLabel));
  if (intake.gradescope)
    writeLine(ctx.stdout, `  Gradescope: ${intake.gradescope.file}, ${intake.gradescope.rows} row(s): upload it as the assignment's scores`);
}

export async function gradeCommand(ctx: Context, labId: string, submissions: string, flags: GradeFlags): Promise<number> {
  const lab = await findLab(labId, { cwd: ctx.cwd });
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
    from: flags.from,
    canvasGradebook: flags.canvasGradebook
      ? { input: resolve(ctx.cwd, flags.canvasGradebook), output: resolve(outDir, 'canvas-import.csv'), column: flags.canvasColumn }
      : undefined,
    gradescopeCsv: flags.gradescopeCsv ? resolve(ctx.cwd, flags.gradescopeCsv) : undefined,
    roster: flags.roster ? resolve(ctx.cwd, flags.roster) : undefined,
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
  reportIntake(ctx, summary.intake);
  // The grader's cleanup trouble: said, with what to do, but the grades stand and so does the exit code.
  const leftBehind = leftBehindLine(summary.leftBehind);
  if (leftBehind) writeLine(ctx.stdout, `  ${ctx.style.warn('!')} ${leftBehind}`);
  if (summary.interrupted) return 130;
  return summary.infraErrors || summary.timeouts ? 3 : 0;
}
