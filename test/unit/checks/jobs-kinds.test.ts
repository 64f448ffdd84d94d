import { describe, expect, it } from 'vitest';
import { listening, statusWord } from '../../../runner/checks/jobs-api.js';
import { apiCreateCheck } from '../../../runner/checks/kinds/api-create.js';
import { apiReadCheck } from '../../../runner/checks/kinds/api-read.js';
import { jobLifecycleCheck } from '../../../runner/checks/kinds/job-lifecycle.js';
import { JobsWorld } from './fake-jobs-world.js';

// The jobs-api kinds' decisions, driven through their ports: a fake Flask API answering over the
// HTTP port and a fake worker, both writing the wire records the recorder would. What the real
// code does to the same checks is test/e2e/jobs-api.test.ts's and selftest's.

const create = { id: 'create', kind: 'api-create' as const, points: 1, jobs: 2 };
const read = { id: 'read', kind: 'api-read' as const, points: 1, jobs: 2 };
const lifecycle = { id: 'lifecycle', kind: 'job-lifecycle' as const, points: 1, jobs: 2, work_seconds: 0.05 };

describe("statuses: the contract's word in any case; a near miss names the word meant", () => {
  it.each([
    ['Complete', 'complete', undefined],
    [' IN PROGRESS ', 'in progress', undefined],
    ['completed', undefined, 'complete'],
    ['in_progress', undefined, 'in progress'],
    ['In-Progress', undefined, 'in progress'],
    ['submit', undefined, 'submitted'],
    ['queued', undefined, undefined],
    [3, undefined, undefined],
  ])('%j: exact %s, near %s', (value, exact, near) => {
    expect(statusWord(value)).toMatchObject({ exact, near });
  });
});

describe('where Flask says it listens', () => {
  it('reads the addresses Flask prints, and "all addresses" for 0.0.0.0', () => {
    const line = (text: string) => ({ stream: 'stderr' as const, t: 0, text });
    expect(listening({ lines: [line(' * Running on http://127.0.0.1:5000')] })).toEqual({ all: false, addresses: ['127.0.0.1:5000'] });
    expect(listening({ lines: [line(' * Running on all addresses (0.0.0.0)'), line(' * Running on http://172.18.0.3:5000')] })).toEqual({
      all: true,
      addresses: ['172.18.0.3:5000'],
    });
  });
});

describe('api-create, through fake ports', () => {
  it('the reference: jobs created, stored, queued once; bad input refused', async () => {
    const result = await apiCreateCheck(new JobsWorld().context(), create);
    expect(result.summary).toBe('2 jobs created (201/200, status "submitted"), each stored and its id queued once; 2 bad requests refused with a 4xx');
    expect(result.passed).toBe(true);
  });

  it('an id put on the queue twice fails, with the count', async () => {
    const result = await apiCreateCheck(new JobsWorld({ puts: 2 }).context(), create);
    expect(result.passed).toBe(false);
    expect(result.summary).toBe('job job-1 was put on the queue (hotqueue:queue in db 1) 2 times, not once');
  });

  it('an id put on another queue fails with where it went', async () => {
    const result = await apiCreateCheck(new JobsWorld({ queueKey: 'hotqueue:job_queue' }).context(), create);
    expect(result.passed).toBe(false);
    expect(result.diagnosis[0]).toBe(
      'the id went to hotqueue:job_queue in db 1: the queue is HotQueue("queue", host=REDIS_IP, port=6379, db=1) (the list hotqueue:queue)',
    );
  });

  it('a 500 on bad input fails: the route crashed', async () => {
    const result = await apiCreateCheck(new JobsWorld({ badInput: 500 }).context(), create);
    expect(result.passed).toBe(false);
    expect(result.summary).toBe('POST /jobs with a body without "end" answered 500 <h1>Internal Server Error</h1>, not a 4xx');
    expect(result.diagnosis[0]).toMatch(/^src\/api.py crashed on a body without "end" \(500\)/);
  });

  it("Flask on 127.0.0.1 is the student's mistake, named", async () => {
    const result = await apiCreateCheck(new JobsWorld({ host: '127.0.0.1' }).context(), create);
    expect(result.passed).toBe(false);
    expect(result.summary).toBe(
      'nothing answers on port 5000 of the api container from outside it: Flask listens on 127.0.0.1:5000, inside its container only',
    );
    expect(result.diagnosis[0]).toContain('app.run(host="0.0.0.0", port=5000)');
  });
});

describe('api-read, through fake ports', () => {
  it('the reference: listed, read back, an unknown id a 404', async () => {
    const result = await apiReadCheck(new JobsWorld().context(), read);
    expect(result.summary).toBe('GET /jobs listed the 2 jobs, GET /jobs/<id> returned each as stored, an unknown id was a 404');
    expect(result.passed).toBe(true);
  });

  it('a 500 for an unknown id fails with the fix', async () => {
    const result = await apiReadCheck(new JobsWorld({ unknownId: 500 }).context(), read);
    expect(result.passed).toBe(false);
    expect(result.diagnosis).toEqual(['src/api.py crashed on an unknown id: when get_job_by_id returns None, answer jsonify({"error": "no such job"}), 404']);
  });
});

describe('job-lifecycle, through fake ports', () => {
  it('the reference: every job submitted → in progress → complete, popped once', async () => {
    const result = await jobLifecycleCheck(new JobsWorld().context(), lifecycle);
    expect(result.summary).toMatch(
      /^2 jobs went submitted → in progress → complete \(GET and wire\), each popped once by the worker, in \d+\.\d s with WORK_SECONDS=0.05$/,
    );
    expect(result.passed).toBe(true);
  });

  it('"completed" is a near miss, named', async () => {
    const result = await jobLifecycleCheck(new JobsWorld({ complete: 'completed' }).context(), lifecycle);
    expect(result.passed).toBe(false);
    expect(result.summary).toBe('job job-1 ended as "completed", not "complete"');
    expect(result.diagnosis).toEqual(['the status must be the word "complete" (any case): "completed" is not it']);
  });

  it('"in_progress" is a near miss, named', async () => {
    const result = await jobLifecycleCheck(new JobsWorld({ inProgress: 'in_progress' }).context(), lifecycle);
    expect(result.passed).toBe(false);
    expect(result.diagnosis).toContain('the status must be the word "in progress" (any case): "in_progress" is not it (a space, not _ or -)');
  });

  it('a worker that dies after the pop leaves its job "in progress", and the crash is quoted', async () => {
    const result = await jobLifecycleCheck(new JobsWorld({ crashAfterPop: true }).context(), lifecycle);
    expect(result.passed).toBe(false);
    expect(result.summary).toBe('1 of 2 jobs were taken off the queue by the worker and never completed (job-1): it stays "in progress"');
    expect(result.diagnosis[0]).toBe(
      'src/worker.py crashed after it took a job (exited with code 1): NameError: name \'WORK_SECOND\' is not defined. The job it held stays "in progress"',
    );
  });

  it('an id queued twice is popped twice: the job is done twice', async () => {
    const result = await jobLifecycleCheck(new JobsWorld({ puts: 2 }).context(), lifecycle);
    expect(result.passed).toBe(false);
    expect(result.summary).toBe('job job-1 was taken off the queue 2 times');
  });
});
