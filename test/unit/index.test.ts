import { describe, expect, it } from 'vitest';
import * as labs from '../../runner/index.js';

describe('the public API', () => {
  it('exports exactly these names (change this list only on purpose)', () => {
    expect(Object.keys(labs).sort()).toEqual([
      'DockerRuntime',
      'ExitCode',
      'LabsError',
      'deliveryVerdict',
      'describeEndpoint',
      'discoverSubmissions',
      'feedbackJson',
      'feedbackMarkdown',
      'findLab',
      'findWorkspace',
      'formatProblem',
      'gradeSubmissions',
      'gradebookCsv',
      'gradescopeReport',
      'isLabsError',
      'jsonReport',
      'junitReport',
      'labJsonSchema',
      'listLabs',
      'listSessions',
      'newLab',
      'provision',
      'prune',
      'readArchive',
      'readSubmission',
      'removeSession',
      'reportHtml',
      'resolveDockerEndpoint',
      'resolveServices',
      'runCheckSession',
      'runSelftest',
      'runWorker',
      'serviceContainer',
      'startWorkspace',
      'stopWorkspace',
      'validatePaths',
      'workspaceStatus',
    ]);
  });
});
