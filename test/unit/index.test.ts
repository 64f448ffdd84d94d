import { describe, expect, it } from 'vitest';
import * as labs from '../../runner/index.js';

describe('the public API', () => {
  it('exports exactly these names (change this list only on purpose)', () => {
    expect(Object.keys(labs).sort()).toEqual([
      'DockerRuntime',
      'ExitCode',
      'LabsError',
      'describeEndpoint',
      'findLab',
      'findWorkspace',
      'formatProblem',
      'isLabsError',
      'labJsonSchema',
      'listLabs',
      'listSessions',
      'provision',
      'prune',
      'removeSession',
      'resolveDockerEndpoint',
      'resolveServices',
      'serviceContainer',
      'startWorkspace',
      'stopWorkspace',
      'validatePaths',
      'workspaceStatus',
    ]);
  });
});
