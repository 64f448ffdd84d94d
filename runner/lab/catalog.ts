/**
 * Which labs a folder of lab folders holds (labs/<id>/lab.yaml), and each one's title and summary,
 * without validating them: what `labs list` shows. Kept apart from registry.ts so that listing does
 * not load the validator: importing registry.ts (zod, semver, the rest of the lab layer) takes about
 * 0.12 s more than this module on the 2-core build machine.
 */
import { join } from 'node:path';
import { parse } from 'yaml';
import { labsRoot } from '../paths.js';
import { diskFiles, type LabFiles } from './files.js';

export interface LabSummary {
  id: string;
  title: string;
  summary: string;
}

export const labFileName = 'lab.yaml';

export async function isFile(path: string, files: LabFiles = diskFiles): Promise<boolean> {
  return (await files.kind(path)) === 'file';
}

/** Ids of the lab folders under `root` (those with a lab.yaml), sorted; none when `root` cannot be read. */
export async function labIds(root: string = labsRoot, files: LabFiles = diskFiles): Promise<string[]> {
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
 * Every lab's id, title and summary. Read loosely, so that one broken lab.yaml does not hide the
 * others from `labs list` (its title and summary are then empty); `labs validate` is where its
 * problems are reported.
 */
export async function listLabs(root: string = labsRoot, files: LabFiles = diskFiles): Promise<LabSummary[]> {
  const summaries: LabSummary[] = [];
  for (const id of await labIds(root, files)) {
    let doc: unknown;
    try {
      doc = parse(await files.readText(join(root, id, labFileName)));
    } catch {
      doc = undefined;
    }
    const text = (key: string): string => {
      const value = doc !== null && typeof doc === 'object' ? (doc as Record<string, unknown>)[key] : undefined;
      return typeof value === 'string' ? value : '';
    };
    summaries.push({ id, title: text('title'), summary: text('summary') });
  }
  return summaries;
}
