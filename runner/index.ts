/**
 * The public library API of labs, for outside users; a test pins the export list so that it changes
 * only on purpose. Importing it loads every layer (dockerode, ioredis, BullMQ, zod, the reports:
 * about half a second of start-up), so the CLI does not: each command imports the modules it needs
 * when it runs (runner/cli/main.ts).
 */
export { LabsError, ExitCode, isLabsError, type ErrorCode } from './errors.js';
export type { Lab, ServiceSpec, Problem, CheckSpec, CheckKind } from './lab/types.js';
export { findLab, listLabs, validatePaths } from './lab/registry.js';
export { newLab, type NewLabOptions, type NewLabResult } from './lab/new-lab.js';
export { resolveServices } from './lab/compose.js';
export { formatProblem } from './lab/problem.js';
export { labJsonSchema } from './lab/json-schema.js';
export { DockerRuntime } from './provision/docker.js';
export type { ContainerRuntime } from './provision/runtime.js';
export { resolveDockerEndpoint, describeEndpoint, type DockerEndpoint } from './provision/connect.js';
export { provision, type Environment, type ProvisionEvent } from './provision/environment.js';
export { prune, removeSession, listSessions } from './provision/teardown.js';
export { startWorkspace, stopWorkspace, workspaceStatus, serviceContainer } from './workspace/workspace.js';
export { findWorkspace } from './workspace/state.js';
export { runCheckSession } from './session/check.js';
export { readSubmission, readArchive, type Limits, type SubmissionFiles, type SubmissionFile, type SubmissionKind } from './intake/read.js';
export { runSelftest } from './session/selftest.js';
export type { CheckReport, CheckResult } from './rubric/score.js';
export { deliveryVerdict, type DeliveryEvent, type DeliveryLog, type DeliveryVerdict } from './checks/delivery-verdict.js';
export { jsonReport } from './report/json.js';
export { junitReport } from './report/junit.js';
export { gradescopeReport } from './report/gradescope.js';
export { gradeSubmissions, type GradeOptions, type GradeSummary } from './batch/grade.js';
export { runWorker } from './batch/worker.js';
export { discoverSubmissions } from './batch/discover.js';
export type { SubmissionResult } from './rubric/submission.js';
export { gradebookCsv } from './report/csv.js';
export { feedbackMarkdown, feedbackJson } from './report/feedback.js';
export { reportHtml } from './report/html.js';
