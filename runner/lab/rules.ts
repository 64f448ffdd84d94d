/**
 * Stage 3: rules that relate one part of lab.yaml to another or to the compose file; pure, given
 * the names of the starter compose file's services (for a compose lab).
 */
import { posix } from 'node:path';
import type { Problem } from './types.js';
import type { LooseLab } from './loose.js';
import { meantSuffix } from './suggest.js';
import type { YamlSource } from './yaml.js';

export interface RuleContext {
  lab: LooseLab;
  source: YamlSource;
  /** The lab's folder name, which its id must equal. */
  folder: string;
  /** Services of the starter compose file; undefined for a lab without `compose:` or an unreadable file. */
  composeServices: string[] | undefined;
}

/** A workspace path: relative, inside the workspace, in the form it will be joined with. */
export function workspacePathError(path: string): string | undefined {
  if (posix.isAbsolute(path) || /^[a-zA-Z]:[\\/]/.test(path)) return `"${path}" must be relative to the workspace`;
  if (path.includes('\\')) return `"${path}": write / between folders`;
  if (path.split('/').includes('..')) return `"${path}" must stay inside the workspace (no "..")`;
  return undefined;
}

export function crossFieldProblems({ lab, source, folder, composeServices }: RuleContext): Problem[] {
  const problems: Problem[] = [];
  const error = (path: (string | number)[], message: string, target: 'key' | 'value' = 'value'): void => {
    problems.push(source.problem(path, message, { target }));
  };
  const labServices = Object.keys(lab.services);
  // In a compose lab the compose file defines the services; lab.yaml only overlays them.
  const services = lab.compose === undefined ? labServices : (composeServices ?? labServices);
  const serviceSource = lab.compose === undefined ? 'services' : lab.compose;

  if (lab.id !== undefined && lab.id !== folder) error(['id'], `the id "${lab.id}" must equal the folder name "${folder}"`);

  const knowsServices = lab.compose === undefined ? lab.servicesReadable : composeServices !== undefined;
  if (!services.includes(lab.redis) && knowsServices) {
    const where = lab.compose === undefined ? ['services'] : ['compose'];
    error(where, `no service "${lab.redis}" in ${serviceSource} for Redis${meantSuffix(lab.redis, services)}`, 'key');
  }

  if (lab.compose !== undefined) {
    const pathError = workspacePathError(lab.compose);
    if (pathError !== undefined) error(['compose'], pathError);
    if (!lab.files.some((file) => file.path === lab.compose)) {
      error(['compose'], `"${lab.compose}" must also be listed in files, so the student gets it`);
    }
    if (composeServices !== undefined) {
      for (const name of labServices.filter((n) => !composeServices.includes(n))) {
        error(
          ['services', name],
          `no service "${name}" in ${lab.compose}${meantSuffix(name, composeServices)}; services there: ${composeServices.join(', ')}`,
          'key',
        );
      }
    }
  }

  for (const script of knowsServices ? lab.scripts : []) {
    if (!services.includes(script.service)) {
      error(['scripts', script.role, 'service'], `no service "${script.service}" in ${serviceSource}${meantSuffix(script.service, services)}`);
    } else if (lab.services[script.service]?.student !== true) {
      problems.push(
        source.problem(['scripts', script.role, 'service'], `service "${script.service}" has no student files: set student: true on it`, {
          severity: 'warning',
        }),
      );
    }
  }

  if (lab.servicesReadable && !Object.values(lab.services).some((service) => service.student === true)) {
    error(['services'], "no service has student: true; set it on the service(s) where the student's files run", 'key');
  }

  const seenChecks = new Map<string, number>();
  for (const check of lab.checks) {
    if (check.id === undefined) continue;
    const first = seenChecks.get(check.id);
    if (first !== undefined) error(['checks', check.index, 'id'], `duplicate check id "${check.id}" (first at checks.${first})`);
    else seenChecks.set(check.id, check.index);
  }

  const seenFiles = new Set<string>();
  for (const file of lab.files) {
    const pathError = workspacePathError(file.path);
    if (pathError !== undefined) error(['files', file.index, 'path'], pathError);
    if (seenFiles.has(file.path)) error(['files', file.index, 'path'], `"${file.path}" is listed twice`);
    seenFiles.add(file.path);
  }
  const filePaths = lab.files.map((file) => file.path);
  for (const check of lab.checks) {
    if (check.file !== undefined && !filePaths.includes(check.file)) {
      error(['checks', check.index, 'file'], `"${check.file}" is not one of the lab's files${meantSuffix(check.file, filePaths)}`);
    }
  }
  return problems;
}
