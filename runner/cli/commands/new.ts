import { relative } from 'node:path';
import { input, select } from '@inquirer/prompts';
import { LabsError } from '../../errors.js';
import { listLabs } from '../../lab/catalog.js';
import { courseDirFor, labIdProblem, newLab } from '../../lab/new-lab.js';
import { findLab } from '../../lab/registry.js';
import { type Context, writeLine } from '../context.js';

export interface NewFlags {
  from?: string;
  title?: string;
  dir?: string;
}

const usage = '`labs new <id> [--from <lab>] [--title <text>] [--dir <course folder>]`';

/**
 * What `labs new` alone asks on a terminal: the id, what to start from, the title. With an id given
 * nothing is asked (flags or their defaults); without a terminal a missing id is NO_TERMINAL.
 */
async function ask(ctx: Context, flags: NewFlags): Promise<{ id: string; from?: string; title?: string }> {
  if (!ctx.stdin.isTTY || !ctx.stdout.isTTY) {
    throw new LabsError('NO_TERMINAL', "labs new needs the new lab's id: none was given and there is no terminal to ask on", { hint: `run ${usage}` });
  }
  const io = { input: ctx.stdin, output: ctx.stdout, signal: ctx.signal };
  const id = await input({ message: 'Id of the new lab (a folder name, e.g. exercise-4):', validate: (v) => labIdProblem(v.trim()) ?? true }, io);
  const labs = await listLabs({ cwd: ctx.cwd });
  const from =
    flags.from ??
    (await select<string | undefined>(
      {
        message: 'Start from:',
        choices: [
          { name: 'a minimal lab (a Python producer and consumer, two checks)', value: undefined },
          ...labs.map((l) => ({ name: `a copy of ${l.id}  ${l.title}`, value: l.id, description: l.summary })),
        ],
      },
      io,
    ));
  const title = flags.title ?? ((await input({ message: 'Title (Enter keeps the one it starts from):' }, io)).trim() || undefined);
  return { id: id.trim(), from, title };
}

export async function newCommand(ctx: Context, idArg: string | undefined, flags: NewFlags): Promise<number> {
  const answers = idArg === undefined ? await ask(ctx, flags) : { id: idArg, from: flags.from, title: flags.title };
  const courseDir = await courseDirFor(ctx.cwd, flags.dir);
  const from = answers.from === undefined ? undefined : await findLab(answers.from, { cwd: courseDir });
  const result = await newLab({ id: answers.id, courseDir, from, title: answers.title });
  const shown = (path: string): string => relative(ctx.cwd, path) || '.';
  writeLine(ctx.stdout, `${ctx.style.ok('✓')} ${ctx.style.bold(result.id)}${from ? ` (a copy of ${from.id})` : ''} in ${shown(courseDir)}:`);
  for (const file of result.files) writeLine(ctx.stdout, `  ${file}`);
  writeLine(ctx.stdout);
  // Two labs of one title read as one: in `labs list`, and to --canvas-gradebook, which finds the lab's column by its title.
  if (from && answers.title === undefined) {
    writeLine(
      ctx.stdout,
      `${ctx.style.warn('note:')} ${result.id} has the title of ${from.id}, ${JSON.stringify(from.title)}: \`labs list\` shows the two alike, ` +
        `and \`labs grade ${result.id} --canvas-gradebook\` fills the gradebook's column named after it; ` +
        `give it its own with --title, or title: in ${shown(result.labDir)}/lab.yaml`,
    );
    writeLine(ctx.stdout);
  }
  writeLine(ctx.stdout, ctx.style.bold('Next steps'));
  writeLine(ctx.stdout, `  edit ${shown(result.labDir)}/lab.yaml and the files in ${shown(result.templatesDir)}/`);
  writeLine(ctx.stdout, `  labs validate ${shown(result.labDir)}`);
  writeLine(ctx.stdout, `  labs selftest ${result.id}        (the solution scores full marks, each variant fails what it declares)`);
  writeLine(ctx.stdout, `  labs start ${result.id}`);
  return 0;
}
