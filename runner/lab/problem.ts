/** Problems as data (validation never throws), and the one way they are printed. */
import { isAbsolute, relative } from 'node:path';
import type { Problem } from './types.js';

/** A document path, e.g. ['services', 'redis-db', 'image'] or ['checks', 0, 'kind']. */
export type DocPath = readonly (string | number)[];

export function dottedPath(path: DocPath): string {
  return path.map(String).join('.');
}

/**
 * `file:line:col path: message` (path left out when empty). With `relativeTo`, a file inside that
 * folder is shown relative to it, so `labs validate` prints paths the user can paste.
 */
export function formatProblem(p: Problem, relativeTo?: string): string {
  let file = p.file;
  if (relativeTo !== undefined && isAbsolute(file)) {
    const rel = relative(relativeTo, file);
    if (rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)) file = rel;
  }
  const where = p.path === '' ? '' : ` ${p.path}`;
  const severity = p.severity === 'warning' ? 'warning: ' : '';
  return `${file}:${p.line}:${p.col}${where}: ${severity}${p.message}`;
}

export function errorCount(problems: readonly Problem[]): number {
  return problems.filter((p) => p.severity === 'error').length;
}

/** Problems in reading order: by file, then line, then column. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
