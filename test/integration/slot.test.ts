/**
 * A batch slot (session/slot.ts) between two sessions, against the real engine: when a session ends
 * graded, its Redis is gone before the slot serves again (the next session's Redis runs in the same
 * Redis home, on its port 6379), and none of its other containers is on the slot's network, even
 * though their removal comes later (a batch hands it on). The recorder that a check renamed for a
 * while (jobs-api's redis-from-env) serves the next session under the lab's Redis service's name.
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { findLab } from '../../runner/lab/registry.js';
import { DockerRuntime } from '../../runner/provision/docker.js';
import { runCheckSession } from '../../runner/session/check.js';
import { GradingSlot } from '../../runner/session/slot.js';

const runtime = new DockerRuntime();
let slot: GradingSlot | undefined;

afterAll(async () => {
  await slot?.close();
});

const names = async (args: string[]): Promise<string[]> => (await execa('docker', args)).stdout.split(/[\s]+/).filter(Boolean);

describe('a batch slot between two sessions', () => {
  it('has the ended session’s Redis removed and none of its containers on its network, and the next session grades as before', async () => {
    const lab = await findLab('exercise-2');
    const dir = mkdtempSync(join(tmpdir(), 'labs-slot-'));
    cpSync(join(lab.templatesDir, 'solution'), dir, { recursive: true });
    slot = GradingSlot.forLab(runtime, lab);
    const removals: Promise<void>[] = [];
    const session = `slot-test-${Date.now().toString(36)}`;
    // The address check leaves a placeholder on the network; the persistence check a second Redis.
    const only = ['producer-puts-arguments', 'persistence-survives-redis-crash', 'address-redis-by-name'];
    const first = await runCheckSession({ runtime, lab, submission: dir, mode: 'grade', slot, session, only, teardown: (r) => void removals.push(r) });
    expect(first.score).toBe(first.maxScore);
    // Right after the session, its removal handed on: no Redis of it is left in the home.
    expect(await names(['ps', '-a', '--filter', `label=labs.session=${session}`, '--filter', 'label=labs.role=redis', '--format', '{{.Names}}'])).toEqual([]);
    const network = (await slot.labNetwork()).name;
    const attached = await names(['network', 'inspect', network, '--format', '{{range .Containers}}{{.Name}} {{end}}']);
    expect(attached.filter((name) => name.includes(session))).toEqual([]);
    const second = await runCheckSession({ runtime, lab, submission: dir, mode: 'grade', slot, only, teardown: (r) => void removals.push(r) });
    expect(second.score).toBe(second.maxScore);
    await Promise.all(removals);
  }, 120_000);

  it('serves the next jobs-api session in full after a check renamed the recorder for a while', async () => {
    const lab = await findLab('jobs-api');
    const dir = mkdtempSync(join(tmpdir(), 'labs-slot-'));
    cpSync(join(lab.templatesDir, 'solution'), dir, { recursive: true });
    const jobs = GradingSlot.forLab(runtime, lab);
    try {
      const first = await runCheckSession({ runtime, lab, submission: dir, mode: 'grade', slot: jobs, only: ['redis-from-env', 'api-creates-jobs'] });
      expect(first.score).toBe(first.maxScore);
      const second = await runCheckSession({ runtime, lab, submission: dir, mode: 'grade', slot: jobs, only: ['api-creates-jobs'] });
      expect(second.score).toBe(second.maxScore);
    } finally {
      await jobs.close();
    }
  }, 180_000);
});
