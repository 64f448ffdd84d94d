/**
 * Rules about templates/<id>/: the student must get a starter for every file, and selftest needs
 * the reference solution of every file.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Problem } from './types.js';
import type { LooseLab } from './loose.js';
import { workspacePathError } from './rules.js';
import type { YamlSource } from './yaml.js';

/** templates/<id>/ beside labs/<id>/: the shipped layout, and the layout a lab author's repo copies. */
export function templatesDirFor(labDir: string): string {
  return resolve(dirname(dirname(labDir)), 'templates', basename(labDir));
}

async function kind(path: string): Promise<'file' | 'dir' | undefined> {
  try {
    const info = await stat(path);
    return info.isDirectory() ? 'dir' : 'file';
  } catch {
    return undefined;
  }
}

export async function templateProblems(lab: LooseLab, source: YamlSource, templatesDir: string): Promise<Problem[]> {
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
