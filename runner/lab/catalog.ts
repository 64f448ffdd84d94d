/**
 * Which labs there are (roots.ts: a course's own, then the shipped ones), and each one's title and
 * summary, without validating them: what `labs list` shows. Kept
 * apart from registry.ts so that listing does not load the validator: importing registry.ts (zod,
 * semver, the rest of the lab layer) takes about 0.12 s more than this module on the 2-core build
 * machine. Every read goes through a LabFiles (files.ts), so that a cached list knows what it read.
 */
import { join } from 'node:path';
import { parse } from 'yaml';
import { diskFiles, type LabFiles } from './files.js';
import { type CatalogOptions, labDirs, labFileName } from './roots.js';

export { type CatalogOptions, courseLabsRoot, isFile, labDirs, labFileName, labIds, labRoots } from './roots.js';

export interface LabSummary {
  id: string;
  title: string;
  summary: string;
  /** The lab's folder (holding lab.yaml). */
  dir: string;
  /** A course lab of the same id hides the shipped one: `labs list` says so. */
  hides?: string;
}

/**
 * Every lab's id, title and summary. Read loosely, so that one broken lab.yaml does not hide the
 * others from `labs list` (its title and summary are then empty); `labs validate` is where its
 * problems are reported. A string is the one root to list (as `options.root`).
 */
export async function listLabs(options: CatalogOptions | string = {}, files: LabFiles = diskFiles): Promise<LabSummary[]> {
  const catalog = typeof options === 'string' ? { root: options, files } : { files, ...options };
  const summaries: LabSummary[] = [];
  for (const { id, dir, hides } of await labDirs(catalog)) {
    let doc: unknown;
    try {
      doc = parse(await catalog.files.readText(join(dir, labFileName)));
    } catch {
      doc = undefined;
    }
    const text = (key: string): string => {
      const value = doc !== null && typeof doc === 'object' ? (doc as Record<string, unknown>)[key] : undefined;
      return typeof value === 'string' ? value : '';
    };
    summaries.push({ id, title: text('title'), summary: text('summary'), dir, ...(hides === undefined ? {} : { hides }) });
  }
  return summaries;
}
