import { describe, expect, it, vi } from 'vitest';
import { stopAll, waitFor } from '../../../runner/checks/context.js';
import { listening, pollEveryMs, pollJobs, postJobs, startApiAndWorkers, statusWord } from '../../../runner/checks/jobs-api.js';
import { apiCreateCheck } from '../../../runner/checks/kinds/api-create.js';
import { apiReadCheck } from '../../../runner/checks/kinds/api-read.js';
import { jobLifecycleCheck } from '../../../runner/checks/kinds/job-lifecycle.js';
import { queueHoldsCheck } from '../../../runner/checks/kinds/queue-holds-without-worker.js';
import { redisFromEnvCheck } from '../../../runner/checks/kinds/redis-from-env.js';
import { workerKeepsRunningCheck } from '../../../runner/checks/kinds/worker-keeps-running.js';
import { workersShareCheck } from '../../../runner/checks/kinds/workers-share.js';
import { JobsWorld } from './fake-jobs-world.js';

// The jobs-api kinds' decisions, driven through their ports: a fake Flask API answering over the
// HTTP port and a fake worker, both writing the wire records the recorder would. What the real
// code does to the same checks is test/e2e/jobs-api.test.ts's and selftest's.

const create = { id: 'create', kind: 'api-create' as const, points: 1, jobs: 2 };
const read = { id: 'read', kind: 'api-read' as const, points: 1, jobs: 2 };
const lifecycle = { id: 'lifecycle', kind: 'job-lifecycle' as const, points: 1, jobs: 2, work_seconds: 0.05 };
/** The hint for ids put on HotQueue("job_queue"): what the wire showed, and what the lab expects. */
const elsewhere =
  'the job ids went to hotqueue:job_queue in db 1, and the lab expects them on hotqueue:queue in db 1: make the queue HotQueue("queue", host=REDIS_IP, port=6379, db=1) in jobs.py, for the API and the worker alike';

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
    expect(result.summary).toBe("job job-1 was put on hotqueue:job_queue in db 1, not on the lab's queue (hotqueue:queue in db 1)");
    expect(result.diagnosis[0]).toBe(elsewhere);
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

  it('Flask on 127.0.0.1: the checks after the first that met it are not judged, and point at that one', async () => {
    const ctx = new JobsWorld({ host: '127.0.0.1' }).context();
    ctx.checkId = 'api-creates-jobs';
    const first = await apiCreateCheck(ctx, create);
    expect(first.summary).toMatch(/^nothing answers on port 5000 of the api container from outside it/);
    const later = [
      await apiReadCheck({ ...ctx, checkId: 'api-reads-jobs' }, read),
      await jobLifecycleCheck({ ...ctx, checkId: 'job-lifecycle' }, lifecycle),
      await queueHoldsCheck({ ...ctx, checkId: 'queue-holds-jobs' }, { id: 'holds', kind: 'queue-holds-without-worker', points: 1, jobs: 2 }),
    ];
    for (const result of later) {
      expect(result.passed).toBe(false);
      expect(result.summary).toBe('not judged: the API is not reachable (Flask listens on 127.0.0.1:5000, inside its container only; see api-creates-jobs)');
      expect(result.details).toEqual([]);
      expect(result.diagnosis).toEqual(first.diagnosis);
    }
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

  it('ids put on another queue: the hint names where the wire showed them go, as the other checks do', async () => {
    const result = await jobLifecycleCheck(new JobsWorld({ queueKey: 'hotqueue:job_queue' }).context(), lifecycle);
    expect(result.passed).toBe(false);
    expect(result.summary).toBe('job job-1 completed, but the worker took it off the queue (hotqueue:queue in db 1) 0 times, not once');
    expect(result.diagnosis).toEqual([elsewhere]);
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

  it('a worker that dies after the pop leaves its job "in progress": the crash is quotedOutput with the line of worker.py that raised it', async () => {
    const result = await jobLifecycleCheck(new JobsWorld({ crashAfterPop: true }).context(), lifecycle);
    expect(result.passed).toBe(false);
    expect(result.summary).toBe('1 of 2 jobs were taken off the queue by the worker and never completed (job-1): it stays "in progress"');
    expect(result.diagnosis[0]).toBe(
      "src/worker.py crashed after it took a job (exited with code 1): NameError: name 'WORK_SECOND' is not defined. Did you mean: 'WORK_SECONDS'? " +
        'It was raised at src/worker.py line 17, in do_work: time.sleep(WORK_SECOND). The job it held stays "in progress"',
    );
    // The frame of the student's file and the exception, not the carets Python 3.11 prints between them.
    expect(result.details.slice(-3)).toEqual([
      'src/worker.py: File "/lab/src/worker.py", line 17, in do_work',
      'src/worker.py: time.sleep(WORK_SECOND)  # the work itself, in this exercise',
      "src/worker.py: NameError: name 'WORK_SECOND' is not defined. Did you mean: 'WORK_SECONDS'?",
    ]);
  });

  it('an exception caught and logged while the worker goes on: named, with what it printed and where it was raised', async () => {
    const result = await jobLifecycleCheck(new JobsWorld({ swallowsException: true }).context(), lifecycle);
    expect(result.passed).toBe(false);
    expect(result.summary).toBe('2 of 2 jobs were taken off the queue by the worker and never completed (job-1, job-2): they stay "in progress"');
    expect(result.diagnosis).toEqual([
      'src/worker.py kept running and went on to the next job, but this one stays "in progress": an exception was raised after "in progress" was set, ' +
        'caught by an except that only logs it, and "complete" was never set. It printed ZeroDivisionError: division by zero. ' +
        'It was raised at src/worker.py line 13, in _analyse: return int(job["start"]) / (int(job["start"]) - int(job["start"])). Fix what raises it',
    ]);
    expect(result.details.slice(-4)).toEqual([
      'src/worker.py: ERROR:root:job job-2 failed',
      'src/worker.py: File "/lab/src/worker.py", line 13, in _analyse',
      'src/worker.py: return int(job["start"]) / (int(job["start"]) - int(job["start"]))',
      'src/worker.py: ZeroDivisionError: division by zero',
    ]);
  });

  it('an id queued twice is popped twice: the job is done twice', async () => {
    const result = await jobLifecycleCheck(new JobsWorld({ puts: 2 }).context(), lifecycle);
    expect(result.passed).toBe(false);
    expect(result.summary).toBe('job job-1 was taken off the queue 2 times');
  });
});

describe('workers-share, through fake ports', () => {
  const share = { id: 'share', kind: 'workers-share' as const, points: 1, jobs: 4, replicas: 2, work_seconds: 0.05 };

  it('the reference: each job done once, by one worker, both with work', async () => {
    const result = await workersShareCheck(new JobsWorld().context(), share);
    expect(result.summary).toBe('4 jobs, 2 workers: each job done once, by one worker (worker-1: 2, worker-2: 2)');
    expect(result.passed).toBe(true);
  });

  it('workers that crash leave the jobs undone: the summary says they ended and quotes the crash', async () => {
    const result = await workersShareCheck(new JobsWorld({ crashAfterPop: true }).context(), share);
    expect(result.passed).toBe(false);
    expect(result.summary).toMatch(
      /^4 of 4 jobs did not complete with 2 workers \(.*\): 2 of 2 workers ended \(NameError: name 'WORK_SECOND' is not defined. Did you mean: 'WORK_SECONDS'\?\)$/,
    );
    expect(result.diagnosis[0]).toBe(
      "src/worker.py must keep running from one job to the next; it crashed: NameError: name 'WORK_SECOND' is not defined. Did you mean: 'WORK_SECONDS'? (job-lifecycle quotes more of its output)",
    );
  });

  it('workers that swallow an exception leave the jobs "in progress" while they run on: named as such', async () => {
    const result = await workersShareCheck(new JobsWorld({ swallowsException: true }).context(), share);
    expect(result.passed).toBe(false);
    expect(result.summary).toBe(
      '4 of 4 jobs did not complete with 2 workers (job-1, job-2, job-3 (+1 more)), though no worker ended: job-1 was taken and stays "in progress"',
    );
    expect(result.diagnosis[0]).toMatch(/^src\/worker.py kept running and went on to the next job, but this one stays "in progress": an exception was raised/);
  });

  it('ids put on another queue: names where they went, not how the jobs were shared', async () => {
    const result = await workersShareCheck(new JobsWorld({ queueKey: 'hotqueue:job_queue' }).context(), share);
    expect(result.passed).toBe(false);
    expect(result.summary).toBe("none of the 4 jobs was taken off the lab's queue (hotqueue:queue in db 1): their ids went to hotqueue:job_queue in db 1");
    expect(result.diagnosis).toEqual([elsewhere]);
  });

  it('ids queued twice are taken twice: fails, naming how many jobs', async () => {
    const result = await workersShareCheck(new JobsWorld({ puts: 2 }).context(), share);
    expect(result.passed).toBe(false);
    expect(result.summary).toBe('4 of 4 jobs were taken or started more than once (job-1, job-2, job-3 (+1 more))');
  });
});

describe('queue-holds-without-worker, through fake ports', () => {
  const holds = { id: 'holds', kind: 'queue-holds-without-worker' as const, points: 1, jobs: 2, work_seconds: 0.05 };

  it('the reference: the jobs wait; the worker killed mid-job leaves its job "in progress", and the summary says at-most-once is all that is asked', async () => {
    const world = new JobsWorld();
    const result = await queueHoldsCheck(world.context(), holds);
    expect(result.passed).toBe(true);
    expect(result.summary).toBe(
      '2 jobs posted with no worker stayed "submitted", their ids on the queue; a worker started 1 s later took job job-1 and was killed (SIGKILL) mid-job; ' +
        'the 2 jobs on the queue at the kill or posted while no worker ran were each done once by a worker started again. ' +
        'job job-1, which the killed worker held, is "in progress": hotqueue is at-most-once: an id leaves the queue with its pop, before the work, ' +
        'so a job a killed worker held is lost and may stay "in progress"; no check asks otherwise',
    );
    // The one waiting at the kill and the one posted while the worker was down.
    expect(world.jobs.get('job-2')?.status).toBe('complete');
    expect(world.jobs.get('job-3')?.status).toBe('complete');
    expect(world.jobs.get('job-1')?.status).toBe('in progress');
  });

  it('a worker that clears the queue at start loses the waiting jobs', async () => {
    const result = await queueHoldsCheck(new JobsWorld({ clearsQueue: true }).context(), holds);
    expect(result.passed).toBe(false);
    expect(result.summary).toBe(
      '2 jobs waited on the queue with no worker, but the worker that started took none of them: the queue (hotqueue:queue in db 1) was emptied without a pop (job-1, job-2)',
    );
    expect(result.diagnosis).toEqual([
      'a worker that starts must take the ids already waiting on the queue: @q.worker does; do not clear() the queue at start',
    ]);
  });

  it('a worker started again that does not complete the jobs still queued fails, and still says the killed job is not asked for', async () => {
    const result = await queueHoldsCheck(new JobsWorld({ crashAfterPop: true }).context(), holds);
    expect(result.passed).toBe(false);
    expect(result.summary).toBe(
      '2 of the 2 jobs on the queue at the kill or posted while no worker ran did not complete once a worker started again (job-2, job-3): the worker took job-2 and it stays "in progress"',
    );
    expect(result.details).toContain(
      'job job-1, which the killed worker held, is "in progress": hotqueue is at-most-once: an id leaves the queue with its pop, before the work, so a job a killed worker held is lost and may stay "in progress"; no check asks otherwise',
    );
    expect(result.diagnosis[0]).toMatch(/^src\/worker.py crashed after it took a job \(exited with code 1\): NameError: name 'WORK_SECOND' is not defined/);
  });

  it('ids put on another queue: the summary says where they went', async () => {
    const result = await queueHoldsCheck(new JobsWorld({ queueKey: 'hotqueue:job_queue' }).context(), holds);
    expect(result.passed).toBe(false);
    expect(result.summary).toBe(
      'with no worker running, the queue (hotqueue:queue in db 1) held 0 ids, not the 2 jobs posted: they went to hotqueue:job_queue in db 1',
    );
    expect(result.diagnosis).toEqual([elsewhere]);
  });

  it('a worker that swallows an exception leaves the waiting jobs "in progress": named, not blamed on clear()', async () => {
    const result = await queueHoldsCheck(new JobsWorld({ swallowsException: true }).context(), holds);
    expect(result.passed).toBe(false);
    expect(result.summary).toBe(
      '1 of the 1 jobs on the queue at the kill or posted while no worker ran did not complete once a worker started again (job-3): the worker took job-3 and it stays "in progress"',
    );
    expect(result.diagnosis[0]).toMatch(/^src\/worker.py kept running and went on to the next job, but this one stays "in progress": an exception was raised/);
    expect(result.details).toContain('src/worker.py: ZeroDivisionError: division by zero');
  });

  it('a worker that dies after the pop: the crash and its line of worker.py, not clear()', async () => {
    const result = await queueHoldsCheck(new JobsWorld({ crashAfterPop: true }).context(), holds);
    expect(result.passed).toBe(false);
    expect(result.diagnosis[0]).toMatch(
      /^src\/worker.py crashed after it took a job \(exited with code 1\): NameError: .* It was raised at src\/worker.py line 17, in do_work/,
    );
    expect(result.details).toContain('src/worker.py: File "/lab/src/worker.py", line 17, in do_work');
  });
});

describe('worker-keeps-running, through fake ports', () => {
  const keeps = { id: 'keeps', kind: 'worker-keeps-running' as const, points: 1, work_seconds: 0.05 };

  it('the reference skips an id without a record and one whose record is malformed, and takes the next job', async () => {
    const world = new JobsWorld();
    const result = await workerKeepsRunningCheck(world.context(), keeps);
    expect(result.summary).toMatch(
      /^after an ordinary job, the worker took a job id without a record \(no-record-\w+\) and one whose record is malformed \(malformed-\w+\) and went on to take the next job$/,
    );
    expect(result.passed).toBe(true);
    // Written where the API writes a record, under the key it uses, with the grader's id in it.
    expect([...world.malformed.values()]).toEqual([expect.stringMatching(/^job\.malformed-\w+$/)]);
  });

  it('a worker that dies of a malformed record fails, naming the record and the fix', async () => {
    const result = await workerKeepsRunningCheck(new JobsWorld({ malformedRecord: 'crash' }).context(), keeps);
    expect(result.passed).toBe(false);
    expect(result.summary).toMatch(
      /^src\/worker.py ended \(exited with code 1\): json.decoder.JSONDecodeError: Expecting value: line 1 column 1 \(char 0\), after it took a job whose record is malformed \(job\.malformed-\w+ in db 0, "not a job \{", not JSON\)$/,
    );
    expect(result.diagnosis[0]).toMatch(/^a job whose record cannot be read \(not JSON, or without its fields\) must not stop the worker/);
  });

  it('a worker that dies of an id without a record fails, with its crash', async () => {
    const result = await workerKeepsRunningCheck(new JobsWorld({ missingRecord: 'crash' }).context(), keeps);
    expect(result.passed).toBe(false);
    expect(result.summary).toMatch(
      /^src\/worker.py ended \(exited with code 1\): TypeError: the JSON object must be str, bytes or bytearray, not NoneType, after it took a job id that has no record \(no-record-\w+\)$/,
    );
    expect(result.diagnosis[0]).toMatch(/^a job without a record \(deleted, or never stored\) must not stop the worker/);
  });

  it('ids put on another queue: not judged, naming where the id went', async () => {
    const result = await workerKeepsRunningCheck(new JobsWorld({ queueKey: 'hotqueue:job_queue' }).context(), keeps);
    expect(result.passed).toBe(false);
    expect(result.summary).toBe(
      'not judged: the worker never took an ordinary job off the queue (hotqueue:queue in db 1): its id went to hotqueue:job_queue in db 1',
    );
    expect(result.diagnosis).toEqual([elsewhere]);
  });

  it('a worker that dies of every job is not judged on this (job-lifecycle says why)', async () => {
    const result = await workerKeepsRunningCheck(new JobsWorld({ crashAfterPop: true }).context(), keeps);
    expect(result.passed).toBe(false);
    expect(result.summary).toMatch(/^not judged: the worker did not survive an ordinary job: src\/worker.py ended \(exited with code 1\)/);
  });
});

describe('redis-from-env, through fake ports', () => {
  const env = { id: 'env', kind: 'redis-from-env' as const, points: 1, work_seconds: 0.05 };

  it('the reference reads REDIS_IP: a job completes under the new name, and the name is given back', async () => {
    const world = new JobsWorld();
    const renames: (string | undefined)[] = [];
    const ctx = world.context();
    const rename = async (name: string | undefined): Promise<{ from: string; to: string }> => {
      renames.push(name);
      return ctx.redis.rename(name);
    };
    const result = await redisFromEnvCheck({ ...ctx, redis: { ...ctx.redis, rename } }, env);
    expect(result.summary).toMatch(
      /^with Redis named redis-db-\w+ \(moved from 10\.0\.0\.2 to 10\.0\.0\.3\) and REDIS_IP=redis-db-\w+, a job was stored, queued and completed$/,
    );
    expect(result.passed).toBe(true);
    expect(renames).toEqual([expect.stringMatching(/^redis-db-\w+$/), undefined]);
  });

  it('"redis-db" written in jobs.py fails, and the hint says where to read the host', async () => {
    const result = await redisFromEnvCheck(new JobsWorld({ hardCodedHost: true }).context(), env);
    expect(result.passed).toBe(false);
    expect(result.summary).toMatch(
      /^with Redis named redis-db-\w+ \(moved from 10\.0\.0\.2 to 10\.0\.0\.3\) and REDIS_IP=redis-db-\w+, POST \/jobs answered 500 Internal Server Error$/,
    );
    expect(result.diagnosis[0]).toMatch(/^src\/api.py connects to "redis-db" written in the code, not to the host in REDIS_IP/);
  });

  it('a worker that crashes after the pop found Redis: not judged, and no hint about REDIS_IP', async () => {
    const result = await redisFromEnvCheck(new JobsWorld({ crashAfterPop: true }).context(), env);
    expect(result.passed).toBe(false);
    expect(result.summary).toMatch(
      /^not judged: with Redis named redis-db-\w+ \(moved from [\d.]+ to [\d.]+\) and REDIS_IP=redis-db-\w+, the job posted stayed in progress, though src\/worker.py reached Redis/,
    );
    expect(result.diagnosis.join('\n')).not.toMatch(/REDIS_IP/);
  });

  it("an IP address written in jobs.py fails once Redis moves, and the hint names it as Redis's old address", async () => {
    const result = await redisFromEnvCheck(new JobsWorld({ hardCodedIp: true }).context(), env);
    expect(result.passed).toBe(false);
    expect(result.summary).toMatch(
      /^with Redis named redis-db-\w+ \(moved from 10\.0\.0\.2 to 10\.0\.0\.3\) and REDIS_IP=redis-db-\w+, POST \/jobs answered 500 Internal Server Error$/,
    );
    expect(result.diagnosis[0]).toMatch(
      /^src\/api.py connects to 10\.0\.0\.2, an IP address written in the code \(Redis's address before the grader moved it\): Redis's address changes/,
    );
  });

  it('a compose file that gives the worker no REDIS_IP fails, naming the service and the line, though the code finds Redis', async () => {
    const world = new JobsWorld({ environments: { api: { REDIS_IP: 'redis-db' }, worker: { PYTHONUNBUFFERED: '1' } } });
    const result = await redisFromEnvCheck(world.context(), env);
    expect(result.passed).toBe(false);
    expect(result.summary).toMatch(
      /^docker-compose\.yml:25: the worker service gets no REDIS_IP from the compose file \(with REDIS_IP set by the grader, a job was stored, queued and completed\)$/,
    );
    expect(result.diagnosis).toEqual([
      'give the worker service REDIS_IP in the compose file (docker-compose.yml:25), as every Python service of the lab gets it: environment: ["REDIS_IP=redis-db"]; without it, its code reaches Redis only through a default written in the code, or not at all',
    ]);
  });
});

describe('pollJobs', () => {
  it('returns as soon as a poll finds every job complete, without waiting for the next poll', async () => {
    const world = new JobsWorld();
    const ctx = world.context();
    const started = await startApiAndWorkers(ctx, 1, 0.01);
    if ('failed' in started) throw new Error(started.failed.summary);
    const posted = await postJobs(ctx, started.api, 2);
    if ('failed' in posted) throw new Error(posted.failed.summary);
    await waitFor(() => [...world.jobs.values()].every((j) => j.status === 'complete'), 2000);
    // Frozen clock: the poll that finds them complete must end pollJobs, not a timer after it.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let done = false;
      const polling = pollJobs(ctx, started.api, posted.jobs, Date.now() + 5000, started.workers).then(() => (done = true));
      await vi.advanceTimersByTimeAsync(pollEveryMs - 1);
      expect(done).toBe(true);
      await polling;
    } finally {
      vi.useRealTimers();
    }
    expect(posted.jobs.map((j) => j.seen)).toEqual([
      ['submitted', 'complete'],
      ['submitted', 'complete'],
    ]);
    await stopAll(ctx, [...started.workers, started.api.run]);
  });

  it("asks again as soon as the wire shows a job's record written, not at the next poll", async () => {
    const world = new JobsWorld();
    const ctx = world.context();
    const started = await startApiAndWorkers(ctx, 1, 0.05);
    if ('failed' in started) throw new Error(started.failed.summary);
    // Frozen clock: the worker's 50 ms of work end when the test says; a poll is due only at 100 ms.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const posted = await postJobs(ctx, started.api, 1);
      if ('failed' in posted) throw new Error(posted.failed.summary);
      let done = false;
      const polling = pollJobs(ctx, started.api, posted.jobs, Date.now() + 5000, started.workers).then(() => (done = true));
      await vi.advanceTimersByTimeAsync(60);
      expect(done).toBe(true);
      await polling;
      expect(posted.jobs[0]!.seen).toEqual(['submitted', 'in progress', 'complete']);
    } finally {
      vi.useRealTimers();
    }
    await stopAll(ctx, [...started.workers, started.api.run]);
  });
});
