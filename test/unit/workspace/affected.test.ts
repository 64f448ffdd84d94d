import { describe, expect, it } from 'vitest';
import { findLab } from '../../../runner/lab/registry.js';
import { affectedChecks } from '../../../runner/workspace/affected.js';

async function affected(labId: string, paths: string[]): Promise<{ checks: string[]; unread: string[] }> {
  const lab = await findLab(labId);
  return affectedChecks(lab, lab.checks, paths);
}

describe('which checks a saved file can change, from the roles of the lab’s files and the scripts each kind runs', () => {
  it('exercise-1: the producer only for producer.py, the consumer’s checks for consumer.py, none for README.md', async () => {
    expect(await affected('exercise-1', ['producer.py'])).toEqual({ checks: ['producer-puts-arguments'], unread: [] });
    expect(await affected('exercise-1', ['consumer.py'])).toEqual({
      checks: ['delivery-one-consumer', 'latency-new-message', 'blocking-when-idle'],
      unread: [],
    });
    expect(await affected('exercise-1', ['README.md', 'notes.txt'])).toEqual({ checks: [], unread: ['README.md', 'notes.txt'] });
  });

  it('an undeclared module of the runtime may be imported by any script: every check; what is never graded: none', async () => {
    const lab = await findLab('exercise-1');
    expect((await affected('exercise-1', ['helpers.py'])).checks).toEqual(lab.checks.map((c) => c.id));
    expect(await affected('exercise-1', ['data/dump.rdb', '__pycache__/consumer.cpython-311.pyc', '.labs/session.json'])).toMatchObject({ checks: [] });
    expect((await affected('exercise-1-node', ['queue.js'])).checks).toHaveLength(4);
    expect((await affected('exercise-1-node', ['helpers.py'])).checks).toEqual([]);
  });

  it('exercise-2: the compose file makes the containers of every check; the producer also runs in the address check', async () => {
    const lab = await findLab('exercise-2');
    expect((await affected('exercise-2', ['docker-compose.yml'])).checks).toEqual(lab.checks.map((c) => c.id));
    expect((await affected('exercise-2', ['producer.py'])).checks).toEqual(['producer-puts-arguments', 'address-redis-by-name']);
    expect((await affected('exercise-2', ['consumer.py'])).checks).not.toContain('persistence-survives-redis-crash');
    expect((await affected('exercise-2', ['consumer.py'])).checks).not.toContain('producer-puts-arguments');
  });

  it('exercise-3: worker.py (role worker) is read by the static check and runs in every other', async () => {
    const lab = await findLab('exercise-3');
    expect((await affected('exercise-3', ['worker.py'])).checks).toEqual(lab.checks.map((c) => c.id));
  });

  it('jobs-api: src/jobs.py (role other) is imported by the API and the worker: every check; the Dockerfile none', async () => {
    const lab = await findLab('jobs-api');
    expect((await affected('jobs-api', ['src/jobs.py'])).checks).toEqual(lab.checks.map((c) => c.id));
    expect(await affected('jobs-api', ['Dockerfile', 'README.md'])).toEqual({ checks: [], unread: ['Dockerfile', 'README.md'] });
    // api.py runs as the producer script, which no worker check runs; the modules check parses it.
    expect((await affected('jobs-api', ['src/api.py'])).checks).toContain('modules');
  });
});
