/**
 * Validation of a lab folder in stages, reporting every problem at once: 1 YAML syntax, 2 the
 * schema (schema.ts), 3 cross-field rules, the starter compose file and the templates. Stages 2
 * and 3 both run on a syntactically valid file, so a typo does not hide a missing template.
 */
import { basename, dirname, join } from 'node:path';
import { composeServiceSchema, labSchema, serviceOverlaySchema, serviceSchema, type LabInput } from './schema.js';
import type { Problem } from './types.js';
import { loadComposeFile } from './compose.js';
import { diskFiles, type LabFiles } from './files.js';
import { looseLab, asRecord } from './loose.js';
import { errorCount, sortProblems } from './problem.js';
import { crossFieldProblems, workspacePathError } from './rules.js';
import { checkSchema, type Issue } from './schema-problems.js';
import { serviceValueProblems } from './service-values.js';
import { templateProblems, templatesDirFor } from './templates.js';
import { parseYaml, type YamlSource } from './yaml.js';

export interface LabValidation {
  /** The schema's output, when there is no error at all. */
  input: LabInput | undefined;
  problems: Problem[];
  dir: string;
  file: string;
  templatesDir: string;
}

export interface ValidateOptions {
  /** Defaults to templates/<folder> beside the labs folder. */
  templatesDir?: string;
  /** What every file is read through (lab/files.ts); the disk by default. */
  files?: LabFiles;
}

/** Keys that describe a container rather than add to one: a compose lab takes them from its file. */
const topologyKeys = Object.keys(composeServiceSchema.shape).filter((key) => !(key in serviceOverlaySchema.shape));

/**
 * A service entry is a full service or an overlay depending on `compose:`, which a plain union
 * cannot know; checking each entry against the right schema gives messages about that schema.
 */
function serviceEntryProblems(source: YamlSource, isCompose: boolean, composeFile: string): Problem[] {
  const services = asRecord(asRecord(source.value)?.services);
  if (services === undefined) return [];
  const problems: Problem[] = [];
  for (const [name, entry] of Object.entries(services)) {
    const path = ['services', name];
    let value = entry;
    const record = asRecord(entry);
    if (isCompose && record !== undefined) {
      const topology = Object.keys(record).filter((key) => topologyKeys.includes(key));
      for (const key of topology) {
        problems.push(
          source.problem([...path, key], `"${key}" cannot be set here: with compose: the topology comes from ${composeFile}; set it there`, { target: 'key' }),
        );
      }
      value = Object.fromEntries(Object.entries(record).filter(([key]) => !topology.includes(key)));
    }
    const schema = isCompose ? serviceOverlaySchema : serviceSchema;
    problems.push(...checkSchema(schema, value, source, { basePath: path }).problems);
    problems.push(...serviceValueProblems(entry, path, source));
  }
  return problems;
}

const isServiceEntryIssue = (issue: Issue): boolean => issue.path[0] === 'services' && issue.path.length >= 2 && issue.code !== 'invalid_key';

/** Validates `labs/<id>/lab.yaml` (given the folder or the file) without throwing. */
export async function validateLab(labDirOrFile: string, options: ValidateOptions = {}): Promise<LabValidation> {
  const file = basename(labDirOrFile) === 'lab.yaml' ? labDirOrFile : join(labDirOrFile, 'lab.yaml');
  const dir = dirname(file);
  const templatesDir = options.templatesDir ?? templatesDirFor(dir);
  const disk = options.files ?? diskFiles;
  const result = (input: LabInput | undefined, problems: Problem[]): LabValidation => ({
    input: errorCount(problems) === 0 ? input : undefined,
    problems: sortProblems(problems),
    dir,
    file,
    templatesDir,
  });

  let text: string;
  try {
    text = await disk.readText(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return result(undefined, [{ file, line: 1, col: 1, path: '', message: `cannot read lab.yaml (${code})`, severity: 'error' }]);
  }
  const source = parseYaml(text, file);
  if (source.value === undefined) return result(undefined, source.syntaxProblems);

  const lab = looseLab(source.value);
  const composeFile = lab.compose ?? 'the compose file';
  const schema = checkSchema(labSchema, source.value, source, { skip: isServiceEntryIssue });
  const problems = [...source.syntaxProblems, ...schema.problems, ...serviceEntryProblems(source, lab.compose !== undefined, composeFile)];

  // Rules about parts of a document that is not even a mapping would only repeat the schema's error.
  if (asRecord(source.value) === undefined) return result(undefined, problems);

  let composeServices: string[] | undefined;
  if (lab.compose !== undefined && workspacePathError(lab.compose) === undefined) {
    const starter = await loadComposeFile(join(templatesDir, 'starter', lab.compose), { redisService: lab.redis, purpose: 'grade' }, disk);
    // A missing starter is reported once, by the templates rule, at the file's entry in lab.yaml.
    // Its notes (a key labs ignores, like the course's `version:`) are for the student who runs it.
    if (starter.source !== undefined) problems.push(...starter.problems.filter((p) => p.severity === 'error'));
    const services = asRecord(asRecord(starter.source?.value)?.services);
    composeServices = services === undefined ? undefined : Object.keys(services);
  }
  problems.push(...crossFieldProblems({ lab, source, folder: basename(dir), composeServices }));
  problems.push(...(await templateProblems(lab, source, templatesDir, disk)));
  return result(schema.data, problems);
}
