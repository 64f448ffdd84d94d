/**
 * A batch slot (session/slot.ts) between two sessions, against the real engine: when a session ends
 * graded, none of its own containers is on the slot's network any more, even though their removal
 * comes later (a batch hands it on): the next session's Redis answers to the same name there, and the
 * engine's DNS would otherwise send some of the next student's connections to this one's Redis. The
 * recorder that a check renamed for a while (jobs-api's redis-from-env) serves the next session under
 * the lab's Redis service's name.
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

const docker = new DockerRuntime();
// The real engine, with the removal of containers held until `release`: the session's own are
// still there when the test looks (the removal a batch hands on could otherwise be done already).
let release!: () => void;
const held = new Promise<void>((resolve) => (release = resolve));
const runtime = new Proxy(docker, {
  get: (target, key) => (key === 'removeContainer' ? async (id: string) => (await held, target.removeContainer(id)) : (Reflect.get(target, key) as unknown)),
});
let slot: GradingSlot | undefined;

afterAll(async () => {
  release();
  await slot?.close();
});

describe('a batch slot between two sessions', () => {
  it('has none of the ended session’s containers on its network, before their removal, and the next session grades as before', async () => {
    const lab = await findLab('exercise-1');
    const dir = mkdtempSync(join(tmpdir(), 'labs-slot-'));
    cpSync(join(lab.templatesDir, 'solution'), dir, { recursive: true });
    slot = GradingSlot.forLab(runtime, lab);
    const removals: Promise<void>[] = [];
    const session = `slot-test-${Date.now().toString(36)}`;
    const first = await runCheckSession({ runtime, lab, submission: dir, mode: 'grade', slot, session, teardown: (r) => void removals.push(r) });
    expect(first.score).toBe(first.maxScore);
    // Before the removal handed on has ended: the session's Redis exists, off the network.
    const network = (await slot.labNetwork()).name;
    const attached = (await execa('docker', ['network', 'inspect', network, '--format', '{{range .Containers}}{{.Name}} {{end}}'])).stdout
      .split(' ')
      .filter(Boolean);
    const own = (await execa('docker', ['ps', '-a', '--filter', `label=labs.session=${session}`, '--format', '{{.Names}}'])).stdout.split('\n').filter(Boolean);
    expect(own.length).toBeGreaterThan(0);
    expect(attached.filter((name) => own.includes(name))).toEqual([]);
    release();
    const second = await runCheckSession({ runtime, lab, submission: dir, mode: 'grade', slot, teardown: (r) => void removals.push(r) });
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
