import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findLab } from '../../../runner/lab/registry.js';
import { repoRoot } from '../../helpers/labs.js';
import type { ContainerRuntime } from '../../../runner/provision/runtime.js';
import { runCheckSession, serviceEnvironments, submissionServices, unusableComposeOutcome } from '../../../runner/session/check.js';

const solution = join(repoRoot, 'templates', 'exercise-2', 'solution');

async function submission(compose: string | undefined): Promise<{ path: string; data: Buffer }[]> {
  const files = [{ path: 'consumer.py', data: await readFile(join(solution, 'consumer.py')) }];
  if (compose !== undefined) files.push({ path: 'docker-compose.yml', data: Buffer.from(compose, 'utf8') });
  return files;
}

describe("a submission's compose file: the services, or the words every check fails with", () => {
  it('the course file, saved with a byte order mark and CRLF, gives the three services', async () => {
    const lab = await findLab('exercise-2');
    const text = (await readFile(join(solution, 'docker-compose.yml'), 'utf8')).replace(/\n/g, '\r\n');
    const resolved = submissionServices(lab, await submission(`\ufeff${text}`));
    expect(resolved.unusable).toBeUndefined();
    expect(Object.keys(resolved.services ?? {})).toEqual(['redis-db', 'python1', 'python2']);
  });

  it('a tab: the first problem at its line:col in the summary, all of them in the details, named as in the submission', async () => {
    const lab = await findLab('exercise-2');
    const text = (await readFile(join(solution, 'docker-compose.yml'), 'utf8')).replace('\n  redis-db:\n', '\n\tredis-db:\n');
    const resolved = submissionServices(lab, await submission(text));
    const failed = unusableComposeOutcome(lab.id, resolved.unusable!);
    expect(failed.passed).toBe(false);
    expect(failed.summary).toBe('not run: docker-compose.yml:5:1: Tabs are not allowed as indentation (and 2 more problems in docker-compose.yml)');
    expect(failed.details).toEqual([
      'docker-compose.yml:5:1: Tabs are not allowed as indentation',
      'docker-compose.yml:13:1: All mapping items must start at the same column',
      'docker-compose.yml:16:1: All mapping items must start at the same column',
    ]);
    expect(failed.diagnosis).toEqual([
      "fix docker-compose.yml at the line:col given: every check runs the containers it defines, so none can run until it is valid. To start again instead, rename yours: `labs start exercise-2 --dir .` in your folder copies the course's file (only files that are missing)",
    ]);
  });

  it('a service the lab needs renamed: one problem, no details beyond the summary', async () => {
    const lab = await findLab('exercise-2');
    const text = (await readFile(join(solution, 'docker-compose.yml'), 'utf8')).replace('  python2:', '  worker:');
    const failed = unusableComposeOutcome(lab.id, submissionServices(lab, await submission(text)).unusable!);
    expect(failed.summary).toBe('not run: docker-compose.yml:4:1 services: no service "python2", which lab exercise-2 needs (did you mean "python1"?)');
    expect(failed.details).toEqual([]);
  });

  it('no compose file: says so, and how to get the course’s', async () => {
    const lab = await findLab('exercise-2');
    const failed = unusableComposeOutcome(lab.id, submissionServices(lab, await submission(undefined)).unusable!);
    expect(failed.summary).toBe('not run: there is no docker-compose.yml, and lab exercise-2 runs its containers from it');
    expect(failed.diagnosis[0]).toMatch(/^add docker-compose\.yml next to your scripts: .*`labs start exercise-2 --dir \.` in your folder/);
  });

  it('a lab without compose: has its own services, whatever files the submission holds', async () => {
    const lab = await findLab('exercise-1');
    expect(Object.keys(submissionServices(lab, await submission('not: [yaml')).services ?? {})).toEqual(['redis-db', 'python']);
  });
});

describe("a submission's requirements.txt", () => {
  it('one that lets pip install redis-py 8 is a note on the report, not lost points, even when nothing can run', async () => {
    const exercise2 = await findLab('exercise-2');
    const lab = { ...exercise2, files: [...exercise2.files, { path: 'requirements.txt', role: 'other' as const, description: undefined }] };
    const files = [...(await submission(undefined)), { path: 'requirements.txt', data: Buffer.from('hotqueue\nredis\n') }];
    // Nothing reaches the engine: the compose file is missing, so the report is made before it.
    const report = await runCheckSession({ runtime: {} as ContainerRuntime, lab, submission: { files, warnings: [] } });
    expect(report.warnings).toEqual([
      `requirements.txt:2: "redis" leaves redis unpinned, so pip installs today's redis-py 8; with redis-py 8 an idle @q.worker dies after about a minute (TimeoutError: Timeout reading from socket): pin it below 8: redis>=4.2,<8 (or redis==7.4.*)`,
    ]);
  });
});

describe("jobs-api: the student services' environment as the compose file sets it", () => {
  it('a worker without REDIS_IP in the file is seen without it, though labs gives its container one, with the line of the service', async () => {
    const lab = await findLab('jobs-api');
    const compose = await readFile(join(repoRoot, 'templates', 'jobs-api', 'variants', 'redis-ip-unset-on-worker', 'docker-compose.yml'));
    const files = [{ path: 'docker-compose.yml', data: compose }];
    const { services } = submissionServices(lab, files);
    // The container's environment has the contract's REDIS_IP: the merged services cannot tell.
    expect(services!.worker!.environment.REDIS_IP).toBe('redis-db');
    expect(serviceEnvironments(lab, files, services!)).toEqual({
      api: { environment: { REDIS_IP: 'redis-db' }, at: 'docker-compose.yml:16' },
      worker: { environment: {}, at: 'docker-compose.yml:21' },
    });
  });
});
