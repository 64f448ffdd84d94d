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
      'findLab',
      'findWorkspace',
      'formatProblem',
      'gradescopeReport',
      'isLabsError',
      'jsonReport',
      'junitReport',
      'labJsonSchema',
      'listLabs',
      'listSessions',
      'provision',
      'prune',
      'readSubmission',
      'removeSession',
      'resolveDockerEndpoint',
      'resolveServices',
      'runCheckSession',
      'runSelftest',
      'serviceContainer',
      'startWorkspace',
      'stopWorkspace',
      'validatePaths',
      'workspaceStatus',
    ]);
  });
});
