/**
 * GitHub Classroom's autograding: the workflow `labs ci github LAB` writes into a student repository,
 * and the result of one check in the shape Classroom's reporter reads.
 *
 * The reporter (classroom-resources/autograding-grading-reporter@v1, src/main.js) takes `runners`, a
 * comma-separated list of names, and for each reads the environment variable `<NAME upper-cased>_RESULTS`:
 * base64 of a JSON result `{version: 1, status, max_score, tests: [{name, status, score, message,
 * test_code, filename, line_no, duration}]}`, the shape its own command grader writes
 * (classroom-resources/autograding-command-grader, src/main.js `generateResult`: `score` is `max_score`
 * on a pass, 0 otherwise). Classroom's grade is what its notify-classroom.js reports: the sum of every
 * test's `score` over the sum of the runners' `max_score` ("Points 8/10"); its console table shows each
 * runner's passed tests × `max_score`. One runner per check, with one test, makes both say the check's
 * points. `status` "fail" in any runner fails the reporter's step, as a failed test does in Classroom.
 */
import { stringify } from 'yaml';
import type { Lab } from '../lab/types.js';

/** The result of one check for the reporter, before base64. */
export interface ClassroomRunnerResult {
  version: 1;
  status: 'pass' | 'fail';
  max_score: number;
  tests: {
    name: string;
    status: 'pass' | 'fail';
    score: number;
    message: string;
    test_code: string;
    filename: string;
    /** 0: the reporter prints "- line N" after a name for any other value. */
    line_no: 0;
    duration: number;
  }[];
}

/** What the workflow reads of `labs check --json` (report/json.ts). */
export interface CheckJson {
  lab: string;
  checks: { id: string; title: string; passed: boolean; score: number; maxScore: number; summary: string; hint: string | null }[];
}

/** A step id GitHub accepts (`^[A-Za-z_][A-Za-z0-9_-]*$`) for a check id (`[a-z0-9][a-z0-9_.-]*`). */
export function runnerName(checkId: string): string {
  const safe = checkId.replace(/\./g, '_');
  return /^[a-z_]/.test(safe) ? safe : `check-${safe}`;
}

/** The reporter's result for one check of a `labs check --json` report; undefined when the report has no such check. */
export function classroomRunnerResult(report: CheckJson, checkId: string): ClassroomRunnerResult | undefined {
  const check = report.checks.find((c) => c.id === checkId);
  if (check === undefined) return undefined;
  const status = check.passed ? 'pass' : 'fail';
  return {
    version: 1,
    status,
    max_score: check.maxScore,
    tests: [
      {
        name: check.title,
        status,
        score: check.score,
        message: check.hint ? `${check.summary}\nhint: ${check.hint}` : check.summary,
        test_code: `labs check --only ${check.id}`,
        filename: '',
        line_no: 0,
        duration: 0,
      },
    ],
  };
}

/** `result=<base64 of the JSON>`: the line a step appends to $GITHUB_OUTPUT for the reporter to read. */
export function classroomOutputLine(result: ClassroomRunnerResult): string {
  return `result=${Buffer.from(JSON.stringify(result), 'utf8').toString('base64')}\n`;
}

export interface WorkflowOptions {
  /** What `npm install --global` installs: `labs@<version>` by default, or a tarball, a folder, a git URL. */
  install: string;
  /** The version of labs that writes it, named in its header. */
  version: string;
  /** Minutes before GitHub stops the job (default 30). */
  timeoutMinutes?: number;
}

/** Where the check step leaves the report for the runner steps. */
const reportFile = '"$RUNNER_TEMP/labs-check.json"';

/**
 * `.github/workflows/classroom.yml` for a student repository of `lab`: on each push, labs installed on
 * GitHub's runner (which has Docker), `labs check LAB . --json` once, one runner step per check
 * handing its result to Classroom's reporter. `labs check` exiting 2 or 3 (a broken lab, Docker
 * unusable) fails the job before the reporter: no points are reported for a run that could not grade.
 */
export function classroomWorkflow(lab: Lab, options: WorkflowOptions): string {
  const runners = lab.checks.map((check) => ({ check, name: runnerName(check.id) }));
  const workflow = {
    name: 'Autograding Tests',
    // As a mapping: GitHub's own workflow parser (@actions/workflow-parser 0.3.61) takes the string
    // `repository_dispatch` in a list for an unknown event, though GitHub runs it.
    on: { push: null, repository_dispatch: null, workflow_dispatch: null },
    permissions: { checks: 'write', actions: 'read', contents: 'read' },
    defaults: { run: { shell: 'bash' } },
    jobs: {
      'run-autograding-tests': {
        'runs-on': 'ubuntu-latest',
        // Classroom's bot pushes the starter; its own run would only grade the starter files.
        if: "github.actor != 'github-classroom[bot]'",
        'timeout-minutes': options.timeoutMinutes ?? 30,
        steps: [
          { name: 'Check out the submission', uses: 'actions/checkout@v4' },
          { name: 'Set up Node.js', uses: 'actions/setup-node@v4', with: { 'node-version': '20' } },
          { name: 'Install labs', run: `npm install --global ${shellWord(options.install)}` },
          {
            name: `labs check ${lab.id}`,
            // 1 is a failed check, graded below; 2 or 3 means labs could not grade, and the job fails here.
            run: `set +e\nlabs check ${lab.id} . --json > ${reportFile}\ncode=$?\nif [ "$code" -gt 1 ]; then exit "$code"; fi\n`,
          },
          ...runners.map(({ check, name }) => ({
            name: `${check.id} (${check.points} points)`,
            id: name,
            run: `labs ci classroom-result ${reportFile} ${check.id} >> "$GITHUB_OUTPUT"`,
          })),
          {
            name: 'Autograding Reporter',
            uses: 'classroom-resources/autograding-grading-reporter@v1',
            env: Object.fromEntries(runners.map(({ name }) => [`${name.toUpperCase()}_RESULTS`, `\${{ steps.${name}.outputs.result }}`])),
            with: { runners: runners.map((r) => r.name).join(',') },
          },
        ],
      },
    },
  };
  const header = [
    `# GitHub Classroom autograding for the lab ${lab.id}, written by \`labs ci github ${lab.id}\` (labs ${options.version}).`,
    '# Each push runs `labs check` on GitHub’s runner (which has Docker) and reports every check’s points',
    '# to Classroom; write it again with the same command when the lab changes.',
  ];
  return `${header.join('\n')}\n${stringify(workflow, { lineWidth: 0, nullStr: '' })}`;
}

/** A word for bash: as it is when it holds only safe characters, else single-quoted. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
