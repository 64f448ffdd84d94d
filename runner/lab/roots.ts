/**
 * Where labs are: the folders of lab folders (a course's own labs/, found upward from a folder, then
 * the package's), and the lab folders in them. No YAML is read here, so that `labs list` and `labs
 * validate` can compute their cache's key (which folders they would read) before loading anything
 * heavier (lab/cache.ts). Every read goes through a LabFiles (files.ts).
 */
import { dirname, join, resolve } from 'node:path';
import { shippedLabsRoot } from '../paths.js';
import { diskFiles, type LabFiles } from './files.js';

export interface CatalogOptions {
  /** One folder of lab folders, and no other; by default a course's labs (from `cwd`) then the package's. */
  root?: string;
  /** Where to look for a course's labs folder, upward (the current directory, a workspace). */
  cwd?: string;
  /** What every folder is listed and every file read through; the disk by default. */
  files?: LabFiles;
}

export const labFileName = 'lab.yaml';

export async function isFile(path: string, files: LabFiles = diskFiles): Promise<boolean> {
  return (await files.kind(path)) === 'file';
}

/** Ids of the lab folders under `root` (those with a lab.yaml), sorted; none when `root` cannot be read. */
export async function labIds(root: string = shippedLabsRoot, files: LabFiles = diskFiles): Promise<string[]> {
  let entries;
  try {
    entries = await files.list(root);
  } catch {
    return [];
  }
  const ids: string[] = [];
  for (const entry of entries) {
    if (entry.kind === 'dir' && (await isFile(join(root, entry.name, labFileName), files))) ids.push(entry.name);
  }
  return ids.sort();
}

/**
 * A course's own labs folder: `labs/` of `from` or of the nearest folder above it whose `labs/`
 * holds at least one `<id>/lab.yaml` (as git finds its repository, so a workspace inside the
 * course's folder finds it too); undefined when there is none. A `labs/` folder without a lab, such
 * as a student's folder of workspaces, is not one.
 */
export async function courseLabsRoot(from: string, files: LabFiles = diskFiles): Promise<string | undefined> {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if ((await labIds(join(dir, 'labs'), files)).length > 0) return join(dir, 'labs');
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The folders of lab folders, first wins on an id: `options.root` alone when given; otherwise the
 * course's labs found from `options.cwd` (when there is one and it is not the package's own), then
 * the package's.
 */
export async function labRoots(options: CatalogOptions = {}): Promise<string[]> {
  if (options.root !== undefined) return [options.root];
  const course = options.cwd === undefined ? undefined : await courseLabsRoot(options.cwd, options.files);
  return course === undefined || resolve(course) === resolve(shippedLabsRoot) ? [shippedLabsRoot] : [course, shippedLabsRoot];
}

/** Whether the lab in folder `labDir` is one of the package's own (not a course's). */
export function isShippedLab(labDir: string): boolean {
  return resolve(dirname(labDir)) === resolve(shippedLabsRoot);
}

/** Every lab's id and folder in the roots, sorted by id; the first root's lab wins on an id, naming what it hides. */
export async function labDirs(options: CatalogOptions = {}): Promise<{ id: string; dir: string; hides?: string }[]> {
  const found = new Map<string, { id: string; dir: string; hides?: string }>();
  for (const root of await labRoots(options)) {
    for (const id of await labIds(root, options.files)) {
      const first = found.get(id);
      if (first === undefined) found.set(id, { id, dir: join(root, id) });
      else first.hides ??= join(root, id);
    }
  }
  return [...found.values()].sort((a, b) => a.id.localeCompare(b.id));
}
