/**
 * The command line: parse, make one library call, render, return the exit code. This is the one
 * error boundary: a LabsError prints as its message, details and next step; anything else is a bug.
 *
 * The command table (names, arguments, flags, help) is built here without importing any command:
 * each action imports its command's module when it runs, so that `labs --version`, `--help` and the
 * light commands never load dockerode, ioredis, BullMQ, zod or the reports (about 0.6 s of a 2-core
 * machine's start-up, all told). `list` and `validate` then ask the lab layer's cache
 * (lab/cache.ts) before they load the YAML parser, zod or the Compose validator. Only light modules
 * may be imported statically here and in context.ts; test/e2e/startup.test.ts fails when a heavy
 * one comes back.
 */
import { Command, CommanderError, Option } from 'commander';
import { ExitCode, isLabsError } from '../errors.js';
import { defaultJobs, defaultSelftestJobs } from '../batch/concurrency.js';
import { packageVersion } from '../paths.js';
import { type Context, type Io, makeContext, writeLine } from './context.js';
import type { CheckFlags } from './commands/check.js';
import type { GradeFlags } from './commands/grade.js';
import type { NewFlags } from './commands/new.js';
import type { CiGithubFlags } from './commands/ci.js';

const processIo = (): Io => ({
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  exit: (code: number) => process.exit(code),
});

function buildProgram(ctx: Context, setResult: (code: number) => void): Command {
  const program = new Command('labs')
    .description('Start, check and grade the Redis task-queue labs (hotqueue, Docker)')
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError('(run `labs --help` for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    });
  const dirOption = (): Option => new Option('--dir <dir>', 'the workspace (default: the one containing the current directory)');

  program
    .command('list')
    .description('list the labs')
    .action(async () => {
      const { listCommand } = await import('./commands/list.js');
      setResult(await listCommand(ctx));
    });

  program
    .command('start')
    .argument('[lab]', 'lab id, e.g. exercise-2 (asked for when omitted on a terminal)')
    .addOption(new Option('--dir <dir>', 'the workspace folder (default: ./<lab>)'))
    .description("copy the lab's starter files into a workspace and start its containers")
    .action(async (lab: string | undefined, opts: { dir?: string }) => {
      const { startCommand } = await import('./commands/start.js');
      setResult(await startCommand(ctx, lab, opts));
    });

  program
    .command('status')
    .addOption(dirOption())
    .description("show the workspace's services and containers")
    .action(async (opts: { dir?: string }) => {
      const { statusCommand } = await import('./commands/status.js');
      setResult(await statusCommand(ctx, opts));
    });

  program
    .command('shell')
    .argument('<service>', 'service name, e.g. python1')
    .addOption(dirOption())
    .description('open an interactive shell in a service container (exit code passed through)')
    .action(async (service: string, opts: { dir?: string }) => {
      const { shellCommand } = await import('./commands/exec.js');
      setResult(await shellCommand(ctx, service, opts));
    });

  program
    .command('exec')
    .argument('<service>', 'service name')
    .argument('<command...>', 'the command, after --')
    .addOption(dirOption())
    .description('run a command in a service container: labs exec python1 -- python producer.py hi')
    .action(async (service: string, command: string[], opts: { dir?: string }) => {
      const { execCommand } = await import('./commands/exec.js');
      setResult(await execCommand(ctx, service, command, opts));
    });

  program
    .command('logs')
    .argument('[service]', 'one service (default: all)')
    .addOption(dirOption())
    .option('-f, --follow', 'keep printing new output')
    .option('--tail <n>', 'only the last n lines of each service', (v) => Number.parseInt(v, 10))
    .description("print the services' output")
    .action(async (service: string | undefined, opts: { dir?: string; follow?: boolean; tail?: number }) => {
      const { logsCommand } = await import('./commands/logs.js');
      setResult(await logsCommand(ctx, service, opts));
    });

  program
    .command('check')
    .argument('[lab]', 'the lab, with a folder; omit both inside a workspace')
    .argument('[folder]', "the student's folder, .zip or .tar.gz")
    .addOption(dirOption())
    .option('--seed <n>', 'replay a run: the seed a previous run printed', (v) => Number(v))
    .option('--only <ids>', 'only these checks (comma-separated ids)')
    .option('--json', 'print only the JSON report on stdout')
    .option('--junit <file>', 'also write a JUnit XML report')
    .option('--gradescope <file>', "also write Gradescope's results.json")
    .option('--watch', 'check again whenever a file is saved, only the checks it can change (Ctrl-C to quit)')
    .description("grade the student's scripts against a fresh Redis: every check with points and a hint")
    .action(async (lab: string | undefined, folder: string | undefined, opts: CheckFlags) => {
      const { checkCommand } = await import('./commands/check.js');
      setResult(await checkCommand(ctx, lab, folder, opts));
    });

  program
    .command('grade')
    .argument('<lab>', 'the lab, e.g. exercise-2')
    .argument(
      '<submissions>',
      'a folder with one sub-folder, .zip or .tar.gz per student, or a Canvas, Gradescope or GitHub Classroom export (its .zip or folder)',
    )
    .option('--out <dir>', 'where the gradebook, feedback and report go', 'results')
    .addOption(
      new Option('--from <shape>', 'read the submissions as this shape instead of recognising it').choices(['canvas', 'gradescope', 'classroom', 'folders']),
    )
    .option('--canvas-gradebook <file>', "the gradebook CSV Canvas exported: a copy with the lab's column filled goes to OUT/canvas-import.csv")
    .option('--canvas-column <name>', "the gradebook's column to fill (default: the lab's id or title, else a new column named after the lab's id)")
    .option('--gradescope-csv <file>', 'also write the scores to upload to Gradescope (Name, SID, Email, Total Score)')
    .option('--roster <file>', "the class list (Gradescope's roster, Classroom's classroom_roster.csv): its students with no submission are listed as missing")
    .option('-j, --jobs <n>', `submissions graded at once (default: 10 per core, at most 24; here ${defaultJobs()})`, (v) => Number(v))
    .option('--force', 'regrade every submission, even unchanged graded ones')
    .option('--timeout <seconds>', 'per submission', (v) => Number(v))
    .option('--queue <url>', 'spread the grading over `labs worker`s through BullMQ on this Redis (redis://host:6379)')
    .option('--connect-seconds <n>', "how long to wait for the queue's Redis to answer (default: 10)", (v) => Number(v))
    .description('grade every submission in isolation, in parallel, resumable: gradebook.csv, feedback, report.html')
    .action(async (lab: string, submissions: string, opts: GradeFlags) => {
      const { gradeCommand } = await import('./commands/grade.js');
      setResult(await gradeCommand(ctx, lab, submissions, opts));
    });

  program
    .command('worker')
    .requiredOption('--queue <url>', 'the Redis of the grading queue (redis://host:6379)')
    .option('-j, --jobs <n>', `submissions graded at once (default: 10 per core, at most 24; here ${defaultJobs()})`, (v) => Number(v))
    .option('--timeout <seconds>', 'per submission', (v) => Number(v))
    .option('--lock-seconds <n>', 'how long a job stays with a worker that went silent before another takes it', (v) => Number(v), 30)
    .option('--connect-seconds <n>', "how long to wait for the queue's Redis to answer (default: 10)", (v) => Number(v))
    .description('grade submissions from a `labs grade --queue` coordinator with this machine’s Docker')
    .action(async (opts: { queue: string; jobs?: number; timeout?: number; lockSeconds?: number; connectSeconds?: number }) => {
      const { workerCommand } = await import('./commands/worker.js');
      setResult(await workerCommand(ctx, opts));
    });

  program
    .command('selftest')
    .argument('[lab]', 'one lab (default: every lab)')
    .option('--only <variants>', 'only these variants (comma-separated), besides the solution')
    .option('-j, --jobs <n>', `cases checked at once (default: 2 per core, at most 8; here ${defaultSelftestJobs()})`, (v) => Number(v))
    .description('the reference solution must score full marks; every known-bad variant must fail exactly what it declares')
    .action(async (lab: string | undefined, opts: { only?: string; jobs?: number }) => {
      const { selftestCommand } = await import('./commands/selftest.js');
      setResult(await selftestCommand(ctx, lab, opts));
    });

  program
    .command('stop')
    .addOption(dirOption())
    .description("remove everything the workspace's session started (your files and ./data stay)")
    .action(async (opts: { dir?: string }) => {
      const { stopCommand } = await import('./commands/stop.js');
      setResult(await stopCommand(ctx, opts));
    });

  program
    .command('prune')
    .option('--all', 'remove every labs container, network and volume, live or not')
    .description('remove what labs left behind from sessions whose owner is gone')
    .action(async (opts: { all?: boolean }) => {
      const { pruneCommand } = await import('./commands/prune.js');
      setResult(await pruneCommand(ctx, opts));
    });

  program
    .command('doctor')
    .argument('[labs...]', 'lab ids or lab folders (default: every shipped lab)')
    .description('check Docker, the engine, the images the labs use, the queue clients in them and disk space')
    .action(async (labs: string[]) => {
      const { doctorCommand } = await import('./commands/doctor.js');
      setResult(await doctorCommand(ctx, labs));
    });

  program
    .command('new')
    .argument('[id]', "the new lab's id, e.g. exercise-4 (asked for when omitted on a terminal)")
    .option('--from <lab>', 'copy this lab (its files, checks and variants) instead of the minimal one')
    .option('--title <text>', "the lab's title")
    .option('--dir <dir>', "the course's folder: the lab goes in its labs/ and templates/ (default: the one with labs/ here or above, else here)")
    .description('make a new lab that validates at once: labs/<id>/lab.yaml and templates/<id>/ (starter, solution, variants)')
    .action(async (id: string | undefined, opts: NewFlags) => {
      const { newCommand } = await import('./commands/new.js');
      setResult(await newCommand(ctx, id, opts));
    });

  const ci = program.command('ci').description('continuous integration: autograding workflows for student repositories');
  ci.command('github')
    .argument('<lab>', 'the lab the repository is for, e.g. exercise-1')
    .option('--dir <dir>', 'the repository (default: the current folder)')
    .option('--install <spec>', 'what the workflow installs with npm install --global (default: this version of labs)')
    .option('--force', 'replace a classroom.yml with other contents')
    .description('write .github/workflows/classroom.yml: GitHub Classroom autograding with labs check, points per check')
    .action(async (lab: string, opts: CiGithubFlags) => {
      const { ciGithubCommand } = await import('./commands/ci.js');
      setResult(await ciGithubCommand(ctx, lab, opts));
    });
  ci.command('classroom-result')
    .argument('<report>', 'the JSON of labs check --json')
    .argument('<check>', 'a check id')
    .description("print one check's result for GitHub Classroom's reporter (result=<base64 JSON>), as classroom.yml's steps do")
    .action(async (report: string, check: string) => {
      const { ciClassroomResultCommand } = await import('./commands/ci.js');
      setResult(await ciClassroomResultCommand(ctx, report, check));
    });

  program
    .command('validate')
    .argument('[paths...]', "lab folders, lab.yaml or compose files (default: every lab, the course's and the shipped ones)")
    .description('validate lab definitions; every problem as file:line:col path: message')
    .action(async (paths: string[]) => {
      const { validateCommand } = await import('./commands/validate.js');
      setResult(await validateCommand(ctx, paths));
    });

  return program;
}

/** Runs the CLI and resolves with the exit code; only the bin calls process.exit. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts += 1;
    if (interrupts === 1) {
      io.stderr.write('\nlabs: stopping (removing what was created); press Ctrl-C again to quit at once\n');
      controller.abort();
    } else {
      io.exit(ExitCode.interrupted);
    }
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  const ctx = makeContext(io, controller.signal);
  let result: number | undefined;
  try {
    const program = buildProgram(ctx, (code) => (result = code));
    await program.parseAsync(argv, { from: 'user' });
    if (result === undefined) {
      program.outputHelp();
      return ExitCode.ok;
    }
    return result;
  } catch (error) {
    return reportError(ctx, error);
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}

function reportError(ctx: Context, error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander has printed its message already; --help and --version are not errors.
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (isLabsError(error)) {
    writeLine(ctx.stderr, `${ctx.style.bad('labs:')} ${error.message}`);
    for (const line of error.details) writeLine(ctx.stderr, `  ${line}`);
    if (error.hint) writeLine(ctx.stderr, `  ${ctx.style.dim('→')} ${error.hint}`);
    return error.exitCode;
  }
  writeLine(ctx.stderr, `${ctx.style.bad('labs: internal error')} (this is a bug in labs; please report it with the lines below)`);
  writeLine(ctx.stderr, error instanceof Error ? (error.stack ?? error.message) : String(error));
  return ExitCode.infrastructure;
}
