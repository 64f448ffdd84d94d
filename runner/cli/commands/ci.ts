import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { LabsError } from '../../errors.js';
import { findLab } from '../../lab/registry.js';
import { type CheckJson, classroomOutputLine, classroomRunnerResult, classroomWorkflow } from '../../report/github-classroom.js';
import { isShippedLab } from '../../lab/roots.js';
import { packageVersion } from '../../paths.js';
import { type Context, writeLine } from '../context.js';

export interface CiGithubFlags {
  dir?: string;
  install?: string;
  force?: boolean;
}

/** `labs ci github LAB`: writes .github/workflows/classroom.yml in the repository (the current folder or --dir). */
export async function ciGithubCommand(ctx: Context, labId: string, flags: CiGithubFlags): Promise<number> {
  const lab = await findLab(labId, { cwd: ctx.cwd });
  const repo = resolve(ctx.cwd, flags.dir ?? '.');
  const file = join(repo, '.github', 'workflows', 'classroom.yml');
  const text = classroomWorkflow(lab, { install: flags.install ?? `labs@${packageVersion()}`, version: packageVersion() });
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  if (existing !== undefined && existing !== text && !flags.force) {
    throw new LabsError('USAGE', `${relative(ctx.cwd, file) || file} exists already, with other contents`, {
      hint: 'run again with --force to replace it (GitHub Classroom’s own autograding tests are in that file too)',
    });
  }
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
  writeLine(
    ctx.stdout,
    `${ctx.style.ok('✓')} wrote ${relative(ctx.cwd, file) || file}: ${lab.checks.length} checks, ${lab.checks.reduce((s, c) => s + c.points, 0)} points`,
  );
  writeLine(
    ctx.stdout,
    `  commit it to the assignment's template repository; each push then runs \`labs check ${lab.id}\` on GitHub and reports the points to Classroom.`,
  );
  if (!isShippedLab(lab.dir)) {
    writeLine(
      ctx.stderr,
      ctx.style.warn(`note: ${lab.id} is your course's own lab (${lab.dir}): labs installed on GitHub's runner knows only the labs it ships.`),
    );
  }
  return 0;
}

/**
 * `labs ci classroom-result FILE CHECK`: one check of a `labs check --json` report as the line a step
 * appends to $GITHUB_OUTPUT for GitHub Classroom's reporter. Exit 2 when the report cannot be read
 * or has no such check: the run could not be graded, and the reporter must not see 0 points.
 */
export async function ciClassroomResultCommand(ctx: Context, reportPath: string, checkId: string): Promise<number> {
  const path = resolve(ctx.cwd, reportPath);
  let report: CheckJson;
  try {
    report = JSON.parse(await readFile(path, 'utf8')) as CheckJson;
    if (!Array.isArray(report.checks)) throw new Error('no "checks" list');
  } catch (error) {
    throw new LabsError('USAGE', `${reportPath} is not the report of \`labs check --json\`: ${(error as Error).message}`, {
      hint: 'look at the output of the step that ran labs check',
    });
  }
  const result = classroomRunnerResult(report, checkId);
  if (result === undefined) {
    throw new LabsError('USAGE', `the report of ${report.lab} has no check "${checkId}"`, { hint: `its checks: ${report.checks.map((c) => c.id).join(', ')}` });
  }
  ctx.stdout.write(classroomOutputLine(result));
  return 0;
}
