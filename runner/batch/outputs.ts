/** Writing a batch's outputs in --out: gradebook.csv, feedback/<student>.md and .json, report.html. */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Lab } from '../lab/types.js';
import { packageVersion } from '../paths.js';
import { gradebookCsv } from '../report/csv.js';
import { feedbackJson, feedbackMarkdown } from '../report/feedback.js';
import { reportHtml } from '../report/html.js';
import type { SubmissionResult } from '../rubric/submission.js';

/** Writes through a temporary file and a rename, so a reader never sees half a gradebook. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = `${file}.tmp-${process.pid}`;
  await writeFile(temporary, text);
  await rename(temporary, file);
}

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
