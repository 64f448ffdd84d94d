/**
 * Rules about templates/<id>/: the student must get a starter for every file, and selftest needs
 * the reference solution of every file.
 */
import { basename, dirname, join, resolve } from 'node:path';
import { diskFiles, type LabFiles } from './files.js';
import type { Problem } from './types.js';
import type { LooseLab } from './loose.js';
import { workspacePathError } from './rules.js';
import type { YamlSource } from './yaml.js';

/** templates/<id>/ beside labs/<id>/: the shipped layout, and the layout a lab author's repo copies. */
export function templatesDirFor(labDir: string): string {
  return resolve(dirname(dirname(labDir)), 'templates', basename(labDir));
}

export async function templateProblems(lab: LooseLab, source: YamlSource, templatesDir: string, disk: LabFiles = diskFiles): Promise<Problem[]> {
  // Anything there that is not a folder counts as a file, as it always has here.
  const kind = async (path: string): Promise<'file' | 'dir' | undefined> => {
    const found = await disk.kind(path);
    return found === undefined ? undefined : found === 'dir' ? 'dir' : 'file';
  };
  const problems: Problem[] = [];
  const shown = (...parts: string[]): string => join('templates', basename(templatesDir), ...parts);
  const files = lab.files.filter((file) => workspacePathError(file.path) === undefined);
  for (const file of files) {
    if ((await kind(join(templatesDir, 'starter', file.path))) !== 'file') {
      problems.push(source.problem(['files', file.index, 'path'], `no starter file: ${shown('starter', file.path)} is missing`));
    }
  }
  if ((await kind(join(templatesDir, 'solution'))) !== 'dir') {
    problems.push(source.problem(['files'], `no reference solution: ${shown('solution')}/ is missing (selftest needs it)`, { target: 'key' }));
    return problems;
  }
  for (const file of files) {
    if ((await kind(join(templatesDir, 'solution', file.path))) !== 'file') {
      problems.push(source.problem(['files', file.index, 'path'], `no reference solution: ${shown('solution', file.path)} is missing`));
    }
  }
  return problems;
}
