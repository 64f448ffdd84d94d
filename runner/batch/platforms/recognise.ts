/**
 * Which platform made an export, from its top level alone (pure): Gradescope by its
 * `submission_metadata.yml`, Canvas by its flat `<name>_<user id>_<submission id>_<file>` names,
 * GitHub Classroom by git checkouts named `<assignment>-<username>`, and `folders` (a folder or archive per
 * student) otherwise. Two shapes at once is ambiguous: the caller asks for `--from`.
 */
import type { ExportShape } from '../../intake/export.js';
import { archiveKind } from '../../intake/read.js';
import { parseCanvasName } from './canvas.js';
import { classroomPrefix } from './classroom.js';
import { metadataFile } from './gradescope.js';

/** An export's top level: its files, and its folders each with the names inside (a folder's with a trailing `/`). */
export interface TopLevel {
  files: string[];
  folders: Map<string, string[]>;
  /** A zip's entries whose path is absolute or leads outside the export (`/etc/x`, `../x`): nobody's. */
  odd?: string[];
  /** Names that start with "." and are no OS litter (`.evil_1_2_x.py`, a folder as `.cache/`): nobody's, named. */
  hidden?: string[];
}

export interface Recognition {
  /** The one shape found, or undefined: none, or several (`ambiguous`). */
  shape: ExportShape | undefined;
  /** Every shape the top level fits, with what shows it (two or more: ambiguous). */
  ambiguous?: { shape: ExportShape; evidence: string }[];
}

const osLitter = new Set(['.DS_Store', '.Spotlight-V100', '.Trashes', '.fseventsd', '__MACOSX', 'Thumbs.db', 'desktop.ini']);

/** What OSes leave lying about at the top of an export (macOS's `._x` too): never a student, left out without a word. */
export const isLitter = (name: string): boolean => osLitter.has(name) || name.startsWith('._');

/** A hidden name that is no OS litter: never a student either, but named, since a platform's own names never start so. */
export const isHidden = (name: string): boolean => name.startsWith('.') && !isLitter(name);

const example = (names: string[]): string => `${names.length} (${names.slice(0, 2).join(', ')}${names.length > 2 ? ', …' : ''})`;

/** The shape `top` has, an ambiguity with the evidence for each, or none. `rootName`: the export's own folder name (`hw1-submissions`). */
export function recognise(top: TopLevel, rootName?: string): Recognition {
  if (top.files.includes(metadataFile)) return { shape: 'gradescope' };
  const canvas = top.files.filter((f) => parseCanvasName(f) !== undefined);
  const checkouts = [...top.folders].filter(([, children]) => children.includes('.git/')).map(([name]) => name);
  // Students' own git checkouts (`alice/.git`) are folders; Classroom's are named <assignment>-<username>.
  const prefix = classroomPrefix(rootName, checkouts);
  const repos = prefix === undefined ? [] : checkouts.filter((name) => name.startsWith(prefix));
  const plain = [...[...top.folders.keys()].filter((f) => !repos.includes(f)), ...top.files.filter((f) => archiveKind(f) && !parseCanvasName(f))];
  const candidates: [ExportShape, string[], string][] = [
    ['canvas', canvas, `files named like Canvas's "<name>_<user id>_<submission id>_<file>"`],
    ['classroom', repos, 'git repositories, as gh classroom clones them'],
    ['folders', plain, 'folders or archives, one per student'],
  ];
  const found = candidates.filter(([, names]) => names.length > 0).map(([shape, names, what]) => ({ shape, evidence: `${example(names)} ${what}` }));
  if (found.length === 1) return { shape: found[0]!.shape };
  if (found.length > 1) return { shape: undefined, ambiguous: found };
  return { shape: undefined };
}
