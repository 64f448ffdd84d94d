import { isAbsolute, relative } from 'node:path';
import { select } from '@inquirer/prompts';
import { LabsError } from '../../errors.js';
import { listLabs } from '../../lab/catalog.js';
import { startWorkspace } from '../../workspace/workspace.js';
import { type Context, writeLine } from '../context.js';
import { provisionReporter } from '../progress.js';
import { serviceRows } from './status.js';

async function chooseLab(ctx: Context): Promise<string> {
  const labs = await listLabs({ cwd: ctx.cwd });
  if (!ctx.stdin.isTTY || !ctx.stdout.isTTY) {
    throw new LabsError('NO_TERMINAL', 'which lab? No lab was given and there is no terminal to ask on', {
      hint: `run \`labs start <lab>\` with one of: ${labs.map((l) => l.id).join(', ')}`,
    });
  }
  return select(
    { message: 'Which lab do you want to start?', choices: labs.map((l) => ({ name: `${l.id}  ${l.title}`, value: l.id, description: l.summary })) },
    { input: ctx.stdin, output: ctx.stdout, signal: ctx.signal },
  );
}

export async function startCommand(ctx: Context, labArg: string | undefined, opts: { dir?: string }): Promise<number> {
  const lab = labArg ?? (await chooseLab(ctx));
  const runtime = await ctx.runtime();
  writeLine(ctx.stderr, `Starting ${ctx.style.bold(lab)} …`);
  const result = await startWorkspace({
    runtime,
    lab,
    dir: opts.dir,
    cwd: ctx.cwd,
    signal: ctx.signal,
    onEvent: provisionReporter(ctx),
  });
  const where = shownDir(ctx.cwd, result.dir);
  writeLine(ctx.stdout);
  writeLine(
    ctx.stdout,
    `${ctx.style.ok('✓')} ${ctx.style.bold(result.lab.id)} (${result.lab.title}) ${result.reused ? 'was already running' : 'is running'} in ${where}`,
  );
  writeLine(ctx.stdout);
  for (const line of serviceRows(ctx, Object.keys(result.services), await runtime.listContainers([`labs.session=${result.environment.identity.session}`]))) {
    writeLine(ctx.stdout, `  ${line}`);
  }
  // A service that ended at once (a script that crashes on import) is the first thing to fix.
  for (const ended of result.exited) {
    writeLine(ctx.stdout);
    writeLine(ctx.stdout, ctx.style.warn(`! ${ended.service} has already exited (code ${ended.exitCode}); the last lines it printed:`));
    for (const line of ended.lastLines) writeLine(ctx.stdout, `    ${line}`);
    writeLine(ctx.stdout, `  → fix it, then labs stop and labs start ${result.lab.id} --dir ${where} (labs logs ${ended.service} shows all it printed)`);
  }
  writeLine(ctx.stdout);
  const files = [...result.files.created, ...result.files.kept, ...result.files.unchanged].sort();
  writeLine(
    ctx.stdout,
    `Your files: ${files.join(', ')}${result.files.created.length && !result.files.kept.length && !result.files.unchanged.length ? ' (new, from the starter)' : ''}`,
  );
  if (result.files.kept.length) writeLine(ctx.stdout, `  kept as you left them: ${result.files.kept.join(', ')}`);
  if (result.files.created.length && (result.files.kept.length || result.files.unchanged.length)) {
    writeLine(ctx.stdout, `  restored from the starter: ${result.files.created.join(', ')}`);
  }
  writeLine(ctx.stdout);
  writeLine(ctx.stdout, ctx.style.bold('Next steps'));
  if (where !== '.') writeLine(ctx.stdout, `  cd ${where}`);
  for (const step of result.lab.nextSteps) writeLine(ctx.stdout, `  ${step}`);
  return 0;
}

/**
 * The workspace folder as the user should type it from `cwd`: `.` for the folder they are in (not
 * `./.`), `./name` below it, the absolute path when it is elsewhere.
 */
export function shownDir(cwd: string, dir: string): string {
  const shown = relative(cwd, dir);
  if (shown === '') return '.';
  return shown.startsWith('..') || isAbsolute(shown) ? dir : `./${shown}`;
}
