import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTag, contextFiles } from '../../../runner/provision/build.js';
import { replicasOf } from '../../../runner/provision/environment.js';
import type { ServiceSpec } from '../../../runner/lab/types.js';

const service = (extra: Partial<ServiceSpec>): ServiceSpec => ({ name: 'python2', image: 'python:3.10', ...extra }) as ServiceSpec;

describe('labs start: build and replicas', () => {
  it('a build context is every file of the folder but labs’s state and .git', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'labs-unit-build-'));
    for (const path of ['Dockerfile', 'api/app.py', '.labs/session.json', '.git/HEAD', '.dockerignore']) {
      await mkdir(join(dir, path, '..'), { recursive: true });
      await writeFile(join(dir, path), 'x');
    }
    expect(await contextFiles(dir)).toEqual(['.dockerignore', 'Dockerfile', 'api/app.py']);
  });

  it('a build is tagged with the service’s image:, or one name per lab and service', () => {
    expect(buildTag({ lab: 'jobs' }, service({ name: 'api', image: 'username/jobs-api:1.0' }))).toBe('username/jobs-api:1.0');
    expect(buildTag({ lab: 'jobs' }, service({ name: 'api', image: 'labs-build/api' }))).toBe('labs-build/jobs-api');
  });

  it('replicas are python2, python2-2, …; none when 0; one when unset', () => {
    expect(replicasOf(service({ replicas: 3 })).map((r) => r.key)).toEqual(['python2', 'python2-2', 'python2-3']);
    expect(replicasOf(service({ replicas: 0 }))).toEqual([]);
    expect(replicasOf(service({})).map((r) => r.key)).toEqual(['python2']);
  });
});
