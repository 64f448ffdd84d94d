import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isReusable, readResults } from '../../../runner/batch/grade.js';
import { jobId, parseQueueUrl } from '../../../runner/batch/queue.js';
import type { SubmissionResult } from '../../../runner/rubric/submission.js';

const result = (over: Partial<SubmissionResult>): SubmissionResult => ({
  student: 'alice',
  status: 'graded',
  durationMs: 1,
  contentHash: 'c1',
  labHash: 'l1',
  toolVersion: '0.1.0',
  finishedAt: '2026-11-28T00:00:00Z',
  warnings: [],
  attempts: 1,
  ...over,
});

describe('resuming a batch', () => {
  it('reuses a graded result only for the same files, lab and tool version', () => {
    expect(isReusable(result({}), 'c1', 'l1', '0.1.0')).toBe(true);
    expect(isReusable(result({}), 'c2', 'l1', '0.1.0')).toBe(false);
    expect(isReusable(result({}), 'c1', 'l2', '0.1.0')).toBe(false);
    expect(isReusable(result({}), 'c1', 'l1', '0.2.0')).toBe(false);
    expect(isReusable(result({ status: 'infra-error' }), 'c1', 'l1', '0.1.0')).toBe(false);
    expect(isReusable(result({ status: 'timeout' }), 'c1', 'l1', '0.1.0')).toBe(false);
    expect(isReusable(undefined, 'c1', 'l1', '0.1.0')).toBe(false);
  });

  it('reads results.jsonl keeping the last line per student, and survives a line cut short by a crash', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'labs-unit-'));
    const file = join(dir, 'results.jsonl');
    await writeFile(
      file,
      [JSON.stringify(result({ status: 'timeout' })), JSON.stringify(result({})), JSON.stringify(result({ student: 'bob' })), '{"student":"carol","sta'].join(
        '\n',
      ),
    );
    const latest = await readResults(file);
    expect([...latest.keys()]).toEqual(['alice', 'bob']);
    expect(latest.get('alice')!.status).toBe('graded');
    expect((await readResults(join(dir, 'missing.jsonl'))).size).toBe(0);
  });
});

describe('the queue', () => {
  it('parses redis:// URLs and refuses others with a usage error', () => {
    expect(parseQueueUrl('redis://grader:6380/2')).toEqual({ host: 'grader', port: 6380, username: undefined, password: undefined, db: 2 });
    expect(parseQueueUrl('redis://:s%40cret@10.1.2.3')).toMatchObject({ host: '10.1.2.3', port: 6379, password: 's@cret' });
    expect(() => parseQueueUrl('http://x')).toThrow(/redis:\/\/ URL/);
    expect(() => parseQueueUrl('nope')).toThrow(/Redis URL like redis:\/\/host:6379/);
  });

  it('refuses a db that is not a number instead of passing NaN on, and decodes the user name as the password', () => {
    expect(() => parseQueueUrl('redis://grader:6379/queue')).toThrow(/db number/);
    expect(() => parseQueueUrl('redis://grader:6379/1.5')).toThrow(/db number/);
    expect(parseQueueUrl('redis://grader:6379/')).toMatchObject({ db: undefined });
    expect(parseQueueUrl('redis://gr%40der:pw@grader')).toMatchObject({ username: 'gr@der', password: 'pw' });
  });

  it('gives the same files one job id and a change of files, lab or tool another', () => {
    const base = { lab: 'exercise-2', student: 'alice', contentHash: 'a'.repeat(64), labHash: 'b'.repeat(64), toolVersion: '0.1.0' };
    expect(jobId(base)).toBe(jobId({ ...base }));
    expect(jobId({ ...base, contentHash: 'c'.repeat(64) })).not.toBe(jobId(base));
    expect(jobId({ ...base, toolVersion: '0.2.0' })).not.toBe(jobId(base));
    expect(jobId(base)).not.toContain(':');
  });
});
