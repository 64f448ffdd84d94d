/**
 * `labs new`: a new lab folder in a course's folder (labs/<id>/lab.yaml and templates/<id>/ with
 * starter/, solution/ and variants/), made from the package's minimal lab (scaffold/) or copied from
 * an existing lab with its id renamed. The result validates at once; selftest passes on it as it
 * passed on what it was made from.
 */
import { cp, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { isScalar, parseDocument, stringify } from 'yaml';
import { LabsError } from '../errors.js';
import { scaffoldRoot } from '../paths.js';
import { courseLabsRoot, labDirs, labFileName } from './catalog.js';
import { labName } from './check-kinds.js';
import { errorCount, formatProblem } from './problem.js';
import type { Lab, Problem } from './types.js';
import { validateLab } from './validate.js';

export interface NewLabOptions {
  /** The new lab's id: lower-case letters, digits, "-", "_" or "." (the lab format's rule), starting with a letter or digit. */
  id: string;
  /** The course's folder: the lab is made in its labs/ and templates/ (`courseDirFor` finds the default). */
  courseDir: string;
  /** A lab to copy, loaded; the package's minimal lab (scaffold/) when absent. */
  from?: Lab;
  /** The lab's title; the source's when absent. */
  title?: string;
}

export interface NewLabResult {
  id: string;
  /** labs/<id>/, holding lab.yaml. */
  labDir: string;
  /** templates/<id>/, holding starter/, solution/ and variants/. */
  templatesDir: string;
  /** Files written, relative to the course's folder, sorted. */
  files: string[];
  /** What validation of the new lab said (warnings only; an error is thrown as LAB_INVALID). */
  problems: Problem[];
}

/**
 * The course's folder for `labs new`: `dir` when given (relative to `cwd`); else the folder whose
 * labs/ the catalog reads from `cwd` (the nearest with a lab, upward); else `cwd` itself.
 */
export async function courseDirFor(cwd: string, dir?: string): Promise<string> {
  if (dir !== undefined) return resolve(cwd, dir);
  const labs = await courseLabsRoot(cwd);
  return labs === undefined ? resolve(cwd) : dirname(labs);
}

/**
 * Why `id` cannot be a lab's id, with the lab format's rule (an id is also a folder name and a label
 * value), for newLab's USAGE error and `labs new`'s prompt; undefined when it can be one.
 */
export function labIdProblem(id: string): string | undefined {
  const parsed = labName.safeParse(id);
  return parsed.success ? undefined : `"${id}" cannot be a lab id: ${parsed.error.issues[0]?.message ?? 'invalid'}`;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Every file under `dir`, relative to it, sorted. (readdir's `recursive` names the parent `parentPath` only from Node 20.12.) */
async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const path = join(prefix, entry.name);
    if (entry.isDirectory()) files.push(...(await filesUnder(dir, path)));
    else if (entry.isFile()) files.push(path);
  }
  return files.sort();
}

/** `text` with every whole occurrence of the id `from` (not part of a longer id such as exercise-1-node) replaced by `to`. */
export function renameId(text: string, from: string, to: string): string {
  const escaped = from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.replace(new RegExp(`(?<![\\w-])${escaped}(?![\\w-])`, 'g'), to);
}

/**
 * `text` (a YAML mapping) with the top-level `key`'s scalar value replaced by `value` (quoted only
 * when YAML needs it); every other byte as it was, comments and folded lines included, which
 * re-serialising the document would reflow. A key that is missing or not a scalar is added at the top.
 */
export function setTopScalar(text: string, key: string, value: string): string {
  const node = parseDocument(text).get(key, true);
  const range = isScalar(node) ? node.range : undefined;
  const scalar = stringify(value, { lineWidth: 0 }).trimEnd();
  if (range === undefined || range === null) return `${key}: ${scalar}\n${text}`;
  return text.slice(0, range[0]) + scalar + text.slice(range[1]);
}

/**
 * Makes the lab. Throws USAGE (an id that cannot be one), LAB_EXISTS (the id is a lab the catalog
 * already finds from the course's folder, shipped or the course's own, or its folders exist), and
 * LAB_INVALID when the result does not validate (a copied lab that did not validate either); what
 * was written is removed again on any error.
 */
export async function newLab(options: NewLabOptions): Promise<NewLabResult> {
  const { id, courseDir } = options;
  const idProblem = labIdProblem(id);
  if (idProblem !== undefined) throw new LabsError('USAGE', idProblem, { hint: 'use lower-case letters, digits and "-", e.g. exercise-4' });
  const existing = (await labDirs({ cwd: courseDir })).find((lab) => lab.id === id);
  if (existing !== undefined) {
    throw new LabsError('LAB_EXISTS', `a lab "${id}" exists already: ${existing.dir}`, {
      hint: `choose another id, or copy it: \`labs new <new-id> --from ${id}\``,
    });
  }
  const labDir = join(courseDir, 'labs', id);
  const templatesDir = join(courseDir, 'templates', id);
  for (const dir of [labDir, templatesDir]) {
    if (await exists(dir)) throw new LabsError('LAB_EXISTS', `${dir} exists already`, { hint: 'choose another id, or move that folder away' });
  }

  const source = options.from ? { labFile: join(options.from.dir, labFileName), templatesDir: options.from.templatesDir } : undefined;
  const fromId = options.from?.id ?? 'new-lab';
  const written: string[] = [];
  try {
    await mkdir(labDir, { recursive: true });
    written.push(labDir, templatesDir);
    if (source) await cp(source.templatesDir, templatesDir, { recursive: true, errorOnExist: true, force: false });
    else for (const part of ['starter', 'solution', 'variants']) await cp(join(scaffoldRoot, part), join(templatesDir, part), { recursive: true });
    await mkdir(join(templatesDir, 'variants'), { recursive: true });
    // The id also appears in the templates' words ("labs start exercise-1" in a README): renamed there too.
    for (const file of await filesUnder(templatesDir)) {
      const path = join(templatesDir, file);
      const bytes = await readFile(path);
      if (bytes.includes(0)) continue;
      const text = bytes.toString('utf8');
      const renamed = renameId(text, fromId, id);
      if (renamed !== text) await writeFile(path, renamed);
    }
    let text = renameId(await readFile(source?.labFile ?? join(scaffoldRoot, labFileName), 'utf8'), fromId, id);
    text = setTopScalar(text, 'id', id);
    if (options.title !== undefined) text = setTopScalar(text, 'title', options.title);
    await writeFile(join(labDir, labFileName), text);

    const validation = await validateLab(labDir);
    if (errorCount(validation.problems) > 0) {
      throw new LabsError('LAB_INVALID', `the new lab ${id} does not validate${options.from ? ` (nor, probably, ${fromId})` : ''}`, {
        details: validation.problems.map((p) => formatProblem(p, courseDir)),
        hint: options.from ? `run \`labs validate ${options.from.dir}\` and fix ${fromId} first` : 'this is a bug in labs; please report it',
      });
    }
    const files = [
      ...(await filesUnder(labDir)).map((f) => join('labs', id, f)),
      ...(await filesUnder(templatesDir)).map((f) => join('templates', id, f)),
    ].sort();
    return { id, labDir, templatesDir, files, problems: validation.problems };
  } catch (error) {
    for (const dir of written) await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
