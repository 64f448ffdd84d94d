/**
 * `labs check --watch` on the terminal: the screen is cleared and drawn again whenever the view
 * changes, as vitest's watch mode does; one line per check, then the first failing check's summary,
 * details and hint, so that what to fix next stays on screen however many checks there are.
 */
import type { WatchView } from '../../workspace/watch.js';
import { watchChecks } from '../../workspace/watch.js';
import type { Lab } from '../../lab/types.js';
import { checkBody, submissionNotes } from '../../report/terminal.js';
import { type Context, type Style, table, writeLine } from '../context.js';

/** Erase the screen and its scroll-back, cursor home (what vitest writes before a rerun). */
const clearScreen = '\u001b[2J\u001b[3J\u001b[H';

/** The lines of one screen of the watch. */
export function watchScreen(view: WatchView, dir: string, style: Style): string[] {
  const lines: string[] = [];
  const cancelled = view.lastCancelled !== undefined && view.lastCancelled === view.runs - 1 ? `, run ${view.lastCancelled} cancelled` : '';
  const cause = `${view.changed.length ? `${view.changed.join(', ')} changed` : 'first run'}${cancelled}`;
  lines.push(`${style.bold(`labs check --watch ${view.lab.id}`)}  ${style.dim(`${dir} · run ${view.runs} (${cause}) · seed ${view.seed}`)}`);
  lines.push('');
  const rows = view.checks.map(({ spec, state, result }) => {
    // A check queued to run again shows no verdict of its own: the last one, named as such, is stale.
    const queued = state === 'waiting' && view.running;
    const shown = state === 'running' || queued ? undefined : result;
    const mark = state === 'running' ? style.warn('…') : !shown ? style.dim('·') : shown.passed ? style.ok('✓') : style.bad('✗');
    const points = shown ? `${shown.score}/${shown.maxScore}` : `-/${spec.points}`;
    const was = result ? ` (last run: ${result.passed ? '✓' : '✗'} ${result.score}/${result.maxScore})` : '';
    const status = state === 'running' ? style.warn('running') : queued ? style.dim(`waiting${was}`) : (result?.summary ?? '');
    return [` ${mark}`, points, spec.id, status];
  });
  lines.push(...table(rows));
  lines.push('');
  const failing = view.checks.find((c) => c.result && !c.result.passed)?.result;
  if (view.error) {
    lines.push(style.bad(`The last run could not grade: ${view.error.message}`));
    if (view.error.hint) lines.push(`  → ${view.error.hint}`);
    lines.push('');
  }
  if (failing) {
    lines.push(`${style.bad('✗')} ${style.bold(failing.title)}  ${style.dim(`[${failing.id}]`)}`);
    lines.push(...checkBody(failing, style, '  '));
    lines.push('');
  }
  const notes = submissionNotes(view.warnings, style.bold);
  if (notes.length) lines.push(...notes, '');
  const results = view.checks.map((c) => c.result);
  const score = results.reduce((sum, r) => sum + (r?.score ?? 0), 0);
  const max = view.checks.reduce((sum, c) => sum + c.spec.points, 0);
  const verdict = view.running
    ? style.warn('running…')
    : results.every((r) => r?.passed)
      ? style.ok('All checks passed')
      : style.bad(`${results.filter((r) => !r?.passed).length} of ${results.length} checks not passed`);
  lines.push(`${verdict}: ${style.bold(`${score}/${max}`)} points`);
  if (view.unread.length) lines.push(style.dim(`${view.unread.join(', ')} changed: no check reads it`));
  lines.push(style.dim('Watching for saves; only the checks a saved file can change run again. Ctrl-C to quit.'));
  return lines;
}

/**
 * Runs the watch until Ctrl-C; exit code 0 when every watched check passed at the end, 1 otherwise.
 * Off a terminal each screen is printed after a separator line instead of clearing.
 */
export async function checkWatch(ctx: Context, lab: Lab, dir: string, only: string[] | undefined, seed: number | undefined): Promise<number> {
  const draw = (view: WatchView): void => {
    ctx.stdout.write(ctx.stdout.isTTY ? clearScreen : `${'─'.repeat(40)}\n`);
    for (const line of watchScreen(view, dir, ctx.style)) writeLine(ctx.stdout, line);
  };
  const view = await watchChecks({ runtime: await ctx.runtime(), lab, dir, only, seed, signal: ctx.signal, onUpdate: draw });
  return view.checks.every((c) => c.result?.passed) ? 0 : 1;
}
