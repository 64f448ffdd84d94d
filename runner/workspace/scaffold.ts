/**
 * Copies a lab's starter files into a workspace. A file that exists is never overwritten: the
 * student's edits always win, and a deleted file comes back from the starter.
 */
import { constants } from 'node:fs';
import { copyFile, mkdir, readFile, readdir } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { Lab } from '../lab/types.js';

/** The starter's files by what became of each, as paths relative to the workspace, sorted. */
export interface ScaffoldResult {
  /** Missing, so copied from the starter. */
  created: string[];
  /** Present and different from the starter: the student's edits, left alone. */
  kept: string[];
  /** Present and still equal to the starter. */
  unchanged: string[];
}

async function listFiles(root: string, dir = root): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(root, full)));
    else if (entry.isFile()) files.push(relative(root, full));
  }
  return files.sort();
}

/**
 * Copies each file of `lab`'s starter (`templates/<id>/starter/`) that `dir` lacks into it, making
 * `dir` and its sub-folders as needed. File-system errors other than an existing file are thrown as
 * they come.
 */
export async function scaffold(lab: Lab, dir: string): Promise<ScaffoldResult> {
  const starter = join(lab.templatesDir, 'starter');
  const result: ScaffoldResult = { created: [], kept: [], unchanged: [] };
  await mkdir(dir, { recursive: true });
  for (const file of await listFiles(starter)) {
    const target = join(dir, file);
    await mkdir(dirname(target), { recursive: true });
    try {
      // COPYFILE_EXCL makes "never overwrite" atomic rather than a check-then-copy race.
      await copyFile(join(starter, file), target, constants.COPYFILE_EXCL);
      result.created.push(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const same = (await readFile(join(starter, file))).equals(await readFile(target));
      (same ? result.unchanged : result.kept).push(file);
    }
  }
  return result;
}
