/**
 * `labs ci github LAB` as a course would use it: the workflow it writes is valid for GitHub (GitHub's
 * own workflow parser, @actions/workflow-parser), and its `run:` steps, run in order in a student
 * repository as GitHub's runner runs them (bash -eo pipefail, $GITHUB_OUTPUT and $RUNNER_TEMP, labs
 * installed by the workflow's own step, from this folder rather than the registry), hand Classroom's
 * reporter the points of each check: decoded as the reporter decodes them (its src/main.js reads
 * `<RUNNER>_RESULTS`, base64 JSON; notify-classroom.js sums `tests[].score` over `max_score`).
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NoOperationTraceWriter, convertWorkflowTemplate, parseWorkflow } from '@actions/workflow-parser';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { labs, repoRoot, tempDir } from '../helpers/labs.js';

/** Every problem GitHub's parser finds in a workflow, as `file (Line: n, Col: m): message`. */
async function workflowErrors(content: string): Promise<string[]> {
  const parsed = parseWorkflow({ name: 'classroom.yml', content }, new NoOperationTraceWriter());
  const template = await convertWorkflowTemplate(parsed.context, parsed.value!);
  return [...new Set([...parsed.context.errors.getErrors().map((e) => e.message), ...(template.errors ?? []).map((e) => String(e.Message))])];
}

interface Step {
  name: string;
  id?: string;
  run?: string;
  uses?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}

describe('labs ci github', () => {
  it('writes a valid workflow whose steps, run in a student repository, report every check’s points to Classroom', async () => {
    const repo = await tempDir();
    const templates = join(repoRoot, 'templates', 'exercise-1');
    for (const file of ['consumer.py', 'README.md']) await copyFile(join(templates, 'solution', file), join(repo, file));
    await copyFile(join(templates, 'variants', 'producer-reverses-order', 'producer.py'), join(repo, 'producer.py'));

    const written = await labs(['ci', 'github', 'exercise-1', '--install', repoRoot], { cwd: repo });
    expect(written.exitCode, written.stderr).toBe(0);
    expect(written.stdout).toMatch(/^✓ wrote \.github\/workflows\/classroom\.yml: 4 checks, 10 points$/m);
    const text = await readFile(join(repo, '.github', 'workflows', 'classroom.yml'), 'utf8');
    expect(await workflowErrors(text)).toEqual([]);
    // The validator can fail: the same file with a job's runs-on misspelt.
    expect(await workflowErrors(text.replace('runs-on:', 'runs_on:'))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^classroom\.yml \(Line: \d+, Col: 5\): Required property is missing: runs-on$/)]),
    );

    const steps = (parse(text) as { jobs: Record<string, { steps: Step[] }> }).jobs['run-autograding-tests']!.steps;
    const reporter = steps.at(-1)!;
    expect(reporter.uses).toBe('classroom-resources/autograding-grading-reporter@v1');
    const runners = reporter.with!.runners!.split(',');
    expect(runners).toEqual(['producer-puts-arguments', 'delivery-one-consumer', 'latency-new-message', 'blocking-when-idle']);

    // GitHub's runner: a fresh $GITHUB_OUTPUT per step, $RUNNER_TEMP, a global npm prefix on PATH.
    const runnerTemp = await tempDir('labs-runner-');
    const prefix = join(runnerTemp, 'npm-global');
    await mkdir(prefix);
    const outputs: Record<string, Record<string, string>> = {};
    for (const [index, step] of steps.entries()) {
      if (step.run === undefined) continue;
      const script = join(runnerTemp, `step-${index}.sh`);
      const outputFile = join(runnerTemp, `output-${index}`);
      await writeFile(script, step.run);
      await writeFile(outputFile, '');
      const result = await execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
        cwd: repo,
        reject: false,
        timeout: 300_000,
        env: {
          GITHUB_OUTPUT: outputFile,
          RUNNER_TEMP: runnerTemp,
          npm_config_prefix: prefix,
          PATH: `${join(prefix, 'bin')}:${process.env.PATH}`,
          NO_COLOR: '1',
        },
      });
      expect(result.exitCode, `${step.name}\n${String(result.stderr)}`).toBe(0);
      if (step.id) {
        outputs[step.id] = Object.fromEntries(
          (await readFile(outputFile, 'utf8'))
            .split('\n')
            .filter(Boolean)
            .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
        );
      }
    }

    // The reporter's environment, its expressions evaluated, and its decoding (src/main.js).
    const env = Object.fromEntries(
      Object.entries(reporter.env!).map(([key, expression]) => {
        const [, id, output] = /^\$\{\{ steps\.([\w-]+)\.outputs\.(\w+) \}\}$/.exec(expression)!;
        return [key, outputs[id!]![output!]!];
      }),
    );
    const decoded = runners.map((runner) => ({
      runner,
      results: JSON.parse(Buffer.from(env[`${runner.toUpperCase()}_RESULTS`]!, 'base64').toString('utf8')) as {
        status: string;
        max_score: number;
        tests: { name: string; status: string; score: number; message: string; line_no: number }[];
      },
    }));
    const points = Object.fromEntries(decoded.map(({ runner, results }) => [runner, `${results.tests.reduce((s, t) => s + t.score, 0)}/${results.max_score}`]));
    expect(points).toEqual({ 'producer-puts-arguments': '0/2', 'delivery-one-consumer': '4/4', 'latency-new-message': '2/2', 'blocking-when-idle': '2/2' });
    const total = decoded.reduce((s, { results }) => s + results.tests.reduce((t, x) => t + x.score, 0), 0);
    expect(`Points ${total}/${decoded.reduce((s, { results }) => s + results.max_score, 0)}`).toBe('Points 8/10');
    const producer = decoded[0]!.results;
    expect(producer.status).toBe('fail');
    expect(producer.tests[0]).toMatchObject({
      status: 'fail',
      line_no: 0,
      name: 'The producer puts each command-line argument on the queue, as a string, in order',
    });
    expect(producer.tests[0]!.message).toMatch(/\nhint: /);
    expect(decoded[1]!.results.status).toBe('pass');
    // The reporter's table of labs check's own report: the same points.
    const report = JSON.parse(await readFile(join(runnerTemp, 'labs-check.json'), 'utf8')) as { score: number; maxScore: number };
    expect(`${report.score}/${report.maxScore}`).toBe('8/10');
  }, 600_000);

  it('a report without the check, or no report at all, is an error (exit 2), never 0 points', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'r.json'), JSON.stringify({ lab: 'exercise-1', checks: [] }));
    const missing = await labs(['ci', 'classroom-result', 'r.json', 'delivery-one-consumer'], { cwd: dir });
    expect(missing.exitCode).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/^labs: the report of exercise-1 has no check "delivery-one-consumer"$/m);
    const none = await labs(['ci', 'classroom-result', 'absent.json', 'x'], { cwd: dir });
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toMatch(/^labs: absent\.json is not the report of `labs check --json`: ENOENT/m);
  });
});
