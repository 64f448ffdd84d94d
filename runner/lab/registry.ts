/**
 * The labs a package ships (labs/<id>/lab.yaml) or an author points at: finding by id, loading with
 * every problem reported, and `labs validate` over files and folders. Listing is catalog.ts's
 * (re-exported here), which does not load what validation needs.
 */
import { basename, join, resolve } from 'node:path';
import { LabsError } from '../errors.js';
import type { Lab, Problem } from './types.js';
import { isFile, labDirs, labFileName, labIds, labRoots } from './catalog.js';
import { loadComposeFile } from './compose.js';
import { diskFiles, type LabFiles } from './files.js';
import { normaliseLab } from './normalise.js';
import { errorCount, formatProblem, plural } from './problem.js';
import { didYouMean } from './suggest.js';
import { readVariants } from './variants.js';
import { validateLab } from './validate.js';

export { courseLabsRoot, labIds, labRoots, listLabs, type LabSummary } from './catalog.js';

export interface RegistryOptions {
  /** The one folder of lab folders to look in; by default a course's labs found from `cwd`, then the package's (catalog.ts, `labRoots`). */
  root?: string;
  /** Where a course's labs folder is looked for, upward; problems in error details are shown relative to this folder when inside it. */
  cwd?: string;
  /** What `validatePaths` reads every file through (lab/files.ts); the disk by default. */
  files?: LabFiles;
}

/** Loads a lab folder (or its lab.yaml); throws LAB_INVALID listing every problem. */
export async function loadLabAt(path: string, options: RegistryOptions = {}): Promise<Lab> {
  const validation = await validateLab(resolve(options.cwd ?? '.', path));
  const errors = errorCount(validation.problems);
  if (validation.input === undefined || errors > 0) {
    const id = basename(validation.dir);
    throw new LabsError('LAB_INVALID', `${labFileName} of ${id} has ${plural(errors, 'problem')}`, {
      details: validation.problems.map((p) => formatProblem(p, options.cwd)),
      hint: `fix the lines listed, then check again with \`labs validate ${validation.dir}\``,
    });
  }
  return normaliseLab(validation.input, { dir: validation.dir, file: validation.file, templatesDir: validation.templatesDir });
}

/**
 * A lab by id: the course's own (found from `options.cwd`) before a shipped one of the same id;
 * LAB_UNKNOWN (with the nearest id) when there is none.
 */
export async function findLab(id: string, options: RegistryOptions = {}): Promise<Lab> {
  const labs = await labDirs(options);
  const found = labs.find((lab) => lab.id === id);
  if (found === undefined) {
    const ids = labs.map((lab) => lab.id);
    throw new LabsError('LAB_UNKNOWN', `unknown lab "${id}"`, {
      hint: ids.length === 0 ? `no labs found in ${(await labRoots(options)).join(' or ')}` : `${didYouMean(id, ids)}Labs: ${ids.join(', ')}`,
    });
  }
  return loadLabAt(found.dir, options);
}

/** An id names a lab of the roots (a course's or a shipped one); anything with a slash, or a lab.yaml, is a path to a lab folder. */
function looksLikePath(idOrPath: string): boolean {
  return idOrPath.includes('/') || idOrPath.includes('\\') || idOrPath === '.' || idOrPath === '..' || idOrPath.endsWith('.yaml');
}

/** A lab by id (`findLab`: LAB_UNKNOWN) or by path (`loadLabAt`); LAB_INVALID listing every problem. */
export async function loadLab(idOrPath: string, options: RegistryOptions = {}): Promise<Lab> {
  return looksLikePath(idOrPath) ? loadLabAt(idOrPath, options) : findLab(idOrPath, options);
}

export interface ValidationReport {
  /** Every problem of every file, in reading order per file. */
  problems: Problem[];
  /** Absolute paths of the files validated (lab.yaml and compose files), in order. */
  checked: string[];
}

const usageHint = 'give a lab folder, a lab.yaml, a compose file or a folder of labs';

async function validateOne(path: string, report: ValidationReport, disk: LabFiles): Promise<void> {
  const lab = async (labPath: string): Promise<void> => {
    const validation = await validateLab(labPath, { files: disk });
    report.problems.push(...validation.problems);
    report.checked.push(validation.file);
    // The known-bad variants selftest runs are part of the lab too.
    const variants = await readVariants(validation.templatesDir, disk);
    report.problems.push(...variants.problems);
    report.checked.push(...variants.files);
  };
  const kind = await disk.kind(path);
  if (kind === undefined) throw new LabsError('USAGE', `no such file or folder: ${path}`, { hint: usageHint });
  if (kind === 'file') {
    if (basename(path) === labFileName) return lab(path);
    if (!/\.ya?ml$/.test(path)) throw new LabsError('USAGE', `${path} is neither a lab.yaml nor a compose file`, { hint: usageHint });
    // Read as grading reads it: what an instructor validates is what will be graded.
    report.problems.push(...(await loadComposeFile(path, { purpose: 'grade' }, disk)).problems);
    report.checked.push(path);
    return;
  }
  if (await isFile(join(path, labFileName), disk)) return lab(path);
  const ids = await labIds(path, disk);
  if (ids.length === 0) throw new LabsError('USAGE', `no ${labFileName} in ${path} or its folders`, { hint: usageHint });
  for (const id of ids) await lab(join(path, id));
}

/**
 * `labs validate [paths]`: each path is a lab folder, a lab.yaml, a compose file or a folder of lab
 * folders; no paths means every lab: the course's (found from the working directory) and the shipped ones. A path that is none of these is a usage error.
 * `options` may be just the directory relative paths start from.
 */
export async function validatePaths(paths: readonly string[], options: RegistryOptions | string = {}): Promise<ValidationReport> {
  const { root, cwd, files = diskFiles } = typeof options === 'string' ? { root: undefined, cwd: options } : options;
  const targets = paths.length === 0 ? await labRoots({ root, cwd, files }) : paths.map((p) => resolve(cwd ?? '.', p));
  const report: ValidationReport = { problems: [], checked: [] };
  for (const target of targets) await validateOne(target, report, files);
  return report;
}
