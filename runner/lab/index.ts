/** The lab layer's public surface: what runner/index.ts and the other layers import. */
export type * from './types.js';
export { labSchema, composeFileSchema, checkKinds } from './schema.js';
export { validateLab, type LabValidation, type ValidateOptions } from './validate.js';
export { formatProblem, errorCount, sortProblems } from './problem.js';
export { nearest, didYouMean, meantSuffix, editDistance } from './suggest.js';
export { normaliseLab, normaliseService, normaliseOverlay, completeReadiness } from './normalise.js';
export { loadComposeFile, resolveServices, type ComposeLoad } from './compose.js';
export { listLabs, labIds, findLab, loadLab, loadLabAt, validatePaths, type LabSummary, type RegistryOptions, type ValidationReport } from './registry.js';
export { labJsonSchema, labJsonSchemaText } from './json-schema.js';
export { parseYaml, type YamlSource, type Position } from './yaml.js';
export { shellWords } from './shell-words.js';
export { parseVolume } from './volumes.js';
export { parsePort } from './ports.js';
export { toEnvironment } from './environment.js';
