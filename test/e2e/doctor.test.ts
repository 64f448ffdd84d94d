/**
 * `labs doctor` on the queue clients, as a user runs it: per lab, the versions of hotqueue and
 * redis-py (ioredis for the Node.js lab) in the image its scripts would run, read without pulling,
 * installing or preparing anything; a warning for redis-py 8 in a lab that does not pin it, and
 * for a first start that would need network.
 */
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerRuntime } from '../../runner/provision/docker.js';
import { prepareImage } from '../../runner/provision/images.js';
import { buildTestImage, fakeRedisPy8, removeImages } from '../helpers/images.js';
import { docker, labs, repoRoot, tempDir } from '../helpers/labs.js';

let root: string;
let redis8: string;
const made: string[] = [];

/** A copy of exercise-1 under `root`/<folder>/labs/exercise-1 whose python service runs `image` with these pip entries. */
async function labCopy(folder: string, image: string, pip: string): Promise<string> {
  const dir = join(root, folder);
  await cp(join(repoRoot, 'templates', 'exercise-1'), join(dir, 'templates', 'exercise-1'), { recursive: true });
  await cp(join(repoRoot, 'labs', 'exercise-1'), join(dir, 'labs', 'exercise-1'), { recursive: true });
  const file = join(dir, 'labs', 'exercise-1', 'lab.yaml');
  const yaml = (await readFile(file, 'utf8')).replace('image: python:3.10', `image: ${image}`).replace(/^( +)pip: .*$/m, `$1pip: ${pip}`);
  await writeFile(file, yaml);
  return join(dir, 'labs', 'exercise-1');
}

/** Containers and images made from the test's image: doctor's probe must leave none. */
const leftovers = async (): Promise<string> =>
  `${await docker(['ps', '-aq', '--filter', `label=labs.prepared.from=${redis8}`])}${await docker(['images', '-q', '--filter', `label=labs.prepared.from=${redis8}`])}`;

beforeAll(async () => {
  root = await tempDir('labs-doctor-');
  redis8 = await buildTestImage('redis-py-8', fakeRedisPy8);
  made.push(redis8);
}, 120_000);

afterAll(async () => {
  await removeImages(...made);
  await rm(root, { recursive: true, force: true });
});

describe('labs doctor: the queue clients of each lab', () => {
  it('shows the versions in each shipped lab’s image', async () => {
    const doctor = await labs(['doctor', 'exercise-1', 'exercise-1-node'], { cwd: root });
    expect(doctor.exitCode, doctor.stderr).toBe(0);
    // Prepared already when another test started the lab, else the stand-in as it is: the same versions.
    expect(doctor.stdout).toMatch(
      /^✓ exercise-1 \(python\): hotqueue 0\.2\.8, redis 4\.3\.4 in (labs-prepared:[0-9a-f]{16}|python:3\.10; not prepared yet: the lab's first start or check prepares it without network)$/m,
    );
    expect(doctor.stdout).toMatch(
      /^✓ exercise-1-node \(node\): ioredis 5\.\d+\.\d+ in (labs-prepared:[0-9a-f]{16}|node:20; not prepared yet: .* without network)$/m,
    );
  });

  it('warns of redis-py 8 in a lab without a pin, and prepares nothing to find out', async () => {
    const lab = await labCopy('unpinned', redis8, '[hotqueue, redis]');
    const doctor = await labs(['doctor', lab], { cwd: root });
    expect(doctor.exitCode, doctor.stderr).toBe(0);
    expect(doctor.stdout).toContain(
      `! ${lab} (python): hotqueue 0.2.8, redis 8.1.0 in ${redis8}; not prepared yet: the lab's first start or check prepares it without network; ` +
        'redis-py 8.1.0 and no pin in the lab: its 5 s socket timeout with retries ends an idle q.consume() after about a minute (TimeoutError); ' +
        'pin "redis>=4.2,<8" in the lab\'s packages\n',
    );
    expect(doctor.stdout).toMatch(/^1 warning\(s\); labs can run, see above$/m);
    expect(await leftovers()).toBe('');

    // Once prepared, the same words about the prepared image.
    const prepared = await prepareImage(new DockerRuntime(), redis8, { pip: ['hotqueue', 'redis'], npm: [] });
    made.push(prepared);
    const again = await labs(['doctor', lab], { cwd: root });
    expect(again.stdout).toContain(`! ${lab} (python): hotqueue 0.2.8, redis 8.1.0 in ${prepared}; redis-py 8.1.0 and no pin in the lab:`);
  }, 60_000);

  it('says that a pinned lab’s first start would install the pin, which needs network', async () => {
    const lab = await labCopy('pinned', redis8, '[hotqueue, "redis>=4.2,<8"]');
    const doctor = await labs(['doctor', lab], { cwd: root });
    expect(doctor.exitCode, doctor.stderr).toBe(0);
    expect(doctor.stdout).toContain(
      `! ${lab} (python): hotqueue 0.2.8, redis 8.1.0 in ${redis8}; not prepared yet: the lab's first start or check installs redis>=4.2,<8, which needs network\n`,
    );
    expect(doctor.stdout).not.toMatch(/no pin in the lab/);
  }, 60_000);
});
