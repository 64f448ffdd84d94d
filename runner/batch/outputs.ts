/**
 * Writing a batch's outputs in --out: gradebook.csv, feedback/<student>.md and .json, report.html;
 * for a platform's export intake.md, and the Canvas and Gradescope CSVs asked for.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ExportShape } from '../intake/export.js';
import type { Lab } from '../lab/types.js';
import { type CanvasFill, type CanvasGradebook, type GradedStudent, fillCanvasGradebook } from '../report/canvas-gradebook.js';
import { gradescopeScoresCsv } from '../report/gradescope-scores.js';
import { intakeMarkdown } from '../report/intake.js';
import { type RosterStudent, missingFromRoster } from '../report/roster.js';
import { packageVersion } from '../paths.js';
import { gradebookCsv } from '../report/csv.js';
import { feedbackJson, feedbackMarkdown } from '../report/feedback.js';
import { reportHtml } from '../report/html.js';
import type { SubmissionResult } from '../rubric/submission.js';
import type { Submission } from './discover.js';

/** Writes through a temporary file and a rename, so a reader never sees half a gradebook. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = `${file}.tmp-${process.pid}`;
  await writeFile(temporary, text);
  await rename(temporary, file);
}

/**
 * Writes `feedback/<student>.md` and `.json` for each result, then `gradebook.csv` and `report.html`,
 * in `outDir` (made if missing), each through a temporary file and a rename. File-system errors are
 * thrown as they come.
 */
export async function writeOutputs(lab: Lab, outDir: string, results: SubmissionResult[]): Promise<void> {
  const feedback = join(outDir, 'feedback');
  await mkdir(feedback, { recursive: true });
  for (const result of results) {
    // Intake admits only ids that are safe file names; this keeps it so whatever the caller.
    const name = basename(result.student);
    await writeAtomically(join(feedback, `${name}.md`), feedbackMarkdown(lab, result));
    await writeAtomically(join(feedback, `${name}.json`), feedbackJson(result, lab));
  }
  await writeAtomically(join(outDir, 'gradebook.csv'), gradebookCsv(lab, results));
  await writeAtomically(join(outDir, 'report.html'), reportHtml(lab, results, { generatedAt: new Date().toISOString(), toolVersion: packageVersion() }));
}

/** What `writePlatformOutputs` wrote and found, for the CLI's summary. */
export interface PlatformOutputs {
  /** `DIR/intake.md`, for a platform's export. */
  intakeReport?: string;
  canvas?: CanvasFill & { file: string };
  gradescope?: { file: string; rows: number; notGraded: { student: string; status: string }[] };
  /** `--roster`: its students with no submission. */
  roster?: { file: string; missing: RosterStudent[] };
}

/**
 * For a platform's export: `DIR/intake.md`, and the Canvas gradebook copy and Gradescope scores when
 * asked for. `results` by student id (every submitter of a group has one). A `folders` batch gets
 * only the files asked for, so its outputs stay as they were.
 */
export async function writePlatformOutputs(
  lab: Lab,
  outDir: string,
  discovered: { shape: ExportShape; submissions: Submission[]; unattributed: { entry: string; why: string }[] },
  results: ReadonlyMap<string, SubmissionResult>,
  asked: {
    source: string;
    canvas?: { book: CanvasGradebook; output: string; column?: string };
    gradescopeCsv?: string;
    roster?: { file: string; students: RosterStudent[] };
  },
): Promise<PlatformOutputs> {
  const graded: GradedStudent[] = discovered.submissions.flatMap((sub) =>
    (sub.submitters ?? [{ student: sub.student }]).flatMap((submitter) => {
      const result = results.get(submitter.student);
      return result ? [{ submitter, result }] : [];
    }),
  );
  const written: PlatformOutputs = {};
  if (asked.canvas) {
    const fill = fillCanvasGradebook(asked.canvas.book, lab, graded, asked.canvas.column);
    await writeAtomically(asked.canvas.output, fill.text);
    written.canvas = { ...fill, file: asked.canvas.output };
  }
  if (asked.gradescopeCsv) {
    const scores = gradescopeScoresCsv(graded);
    await writeAtomically(asked.gradescopeCsv, scores.text);
    written.gradescope = { file: asked.gradescopeCsv, rows: graded.length - scores.notGraded.length, notGraded: scores.notGraded };
  }
  if (asked.roster) {
    const everyone = discovered.submissions.flatMap((sub) => sub.submitters ?? [{ student: sub.student }]);
    written.roster = { file: asked.roster.file, missing: missingFromRoster(asked.roster.students, everyone) };
  }
  if (discovered.shape !== 'folders' || written.canvas || written.gradescope || written.roster) {
    written.intakeReport = join(outDir, 'intake.md');
    const submissions = discovered.submissions.map((sub) => ({
      submitters: sub.submitters ?? [{ student: sub.student }],
      facts: sub.facts,
      result: results.get(sub.student),
    }));
    const text = intakeMarkdown({ shape: discovered.shape, source: asked.source, submissions, unattributed: discovered.unattributed, ...written });
    await writeAtomically(written.intakeReport, text);
  }
  return written;
}
