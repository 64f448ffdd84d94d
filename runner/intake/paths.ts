/**
 * Entry names as found in a folder, zip or tar, turned into safe relative paths, and the litter
 * every container is cleaned of. Pure: the same rules for every kind of submission, so the same
 * files give the same paths (and content hash) whatever they came in.
 */

/** Folders that are state, data or dependencies, never the student's work, at any depth. */
const ignoredFolders = new Set(['.git', '.labs', 'node_modules', '__pycache__', '__MACOSX', 'data', '.venv', 'venv']);
/** Files an OS leaves behind. */
const ignoredFiles = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini', '.git']);

const controlCharacters = /[\u0000-\u001f\u007f]/;

export type EntryPath = { ok: true; path: string } | { ok: false; problem: string };

/**
 * A relative path with `/` separators and no `.`/empty segments, or why the name is unsafe (a clause
 * that follows "… was not graded: ").
 * Backslashes count as separators: Windows tools write them, and a file named `a\b` is never meant.
 */
export function entryPath(name: string): EntryPath {
  if (controlCharacters.test(name)) return { ok: false, problem: 'its name holds control characters' };
  const slashed = name.replace(/\\/g, '/');
  if (/^[A-Za-z]:/.test(slashed)) return { ok: false, problem: 'its path is absolute (a drive letter)' };
  if (slashed.startsWith('/')) return { ok: false, problem: 'its path is absolute' };
  const segments = slashed.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) return { ok: false, problem: 'its path leads outside the submission (..)' };
  if (segments.some((s) => s.length > 255) || slashed.length > 1024) return { ok: false, problem: 'its name is too long' };
  return { ok: true, path: segments.join('/') };
}

/** Litter: dropped silently, without a warning, and before any limit counts it. */
export function isIgnored(path: string, isDirectory: boolean): boolean {
  const segments = path.split('/');
  const last = segments.at(-1) ?? '';
  const folders = isDirectory ? segments : segments.slice(0, -1);
  if (folders.some((s) => ignoredFolders.has(s))) return true;
  // `._name` are AppleDouble resource forks macOS writes next to every file it archives.
  return !isDirectory && (ignoredFiles.has(last) || last.startsWith('._'));
}

/** When every file sits under one common top folder (`alice-ex2/producer.py`), the paths without it. */
export function stripCommonTop<T extends { path: string }>(files: T[]): T[] {
  const tops = new Set(files.map((f) => (f.path.includes('/') ? f.path.slice(0, f.path.indexOf('/')) : undefined)));
  if (files.length === 0 || tops.size !== 1 || tops.has(undefined)) return files;
  return files.map((f) => ({ ...f, path: f.path.slice(f.path.indexOf('/') + 1) }));
}

/** Code-unit order: the same everywhere, unlike localeCompare. */
export const byPath = (a: { path: string }, b: { path: string }): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
