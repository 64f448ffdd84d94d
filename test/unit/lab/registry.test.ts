import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { findLab, listLabs, loadLab, validatePaths } from '../../../runner/lab/registry.js';
import { formatProblem } from '../../../runner/lab/problem.js';
import { caught, composeFile, simpleLab, simpleStarter, tempRoot, write, writeLab } from './fixture.js';

async function twoLabs(): Promise<string> {
  const root = await tempRoot();
  await writeLab(root, { id: 'exercise-1', yaml: simpleLab.replace('exercise-9', 'exercise-1'), starter: simpleStarter });
  await writeLab(root, {
    id: 'exercise-1-node',
    yaml: simpleLab.replace('exercise-9', 'exercise-1-node').replace('title: The consume method', 'title: Node'),
    starter: simpleStarter,
  });
  await write(join(root, 'labs', 'not-a-lab', 'README.md'), 'x');
  return root;
}

describe('registry', () => {
  it('lists labs sorted by id, with title and summary', async () => {
    const root = await twoLabs();
    expect(await listLabs(join(root, 'labs'))).toEqual([
      { id: 'exercise-1', title: 'The consume method', summary: 'A producer and a consumer', dir: join(root, 'labs', 'exercise-1') },
      { id: 'exercise-1-node', title: 'Node', summary: 'A producer and a consumer', dir: join(root, 'labs', 'exercise-1-node') },
    ]);
  });

  it('finds a lab by id and loads it normalised', async () => {
    const root = await twoLabs();
    const lab = await findLab('exercise-1', { root: join(root, 'labs') });
    expect(lab.id).toBe('exercise-1');
    expect(lab.dir).toBe(join(root, 'labs', 'exercise-1'));
    expect(lab.templatesDir).toBe(join(root, 'templates', 'exercise-1'));
    expect((await loadLab(join(root, 'labs', 'exercise-1-node', 'lab.yaml'))).title).toBe('Node');
  });

  it('suggests the nearest id for an unknown lab and lists the labs', async () => {
    const root = await twoLabs();
    const error = await caught(loadLab('exercise-9', { root: join(root, 'labs') }));
    expect(error.code).toBe('LAB_UNKNOWN');
    expect(error.message).toBe('unknown lab "exercise-9"');
    expect(error.hint).toBe('did you mean "exercise-1"? Labs: exercise-1, exercise-1-node');
    expect(error.exitCode).toBe(2);
  });

  it('throws LAB_INVALID with every problem formatted', async () => {
    const root = await tempRoot();
    const yaml = simpleLab.replace('image: redis:7', 'imag: redis:7').replace('kind: delivery', 'kind: delivry');
    await writeLab(root, { yaml, starter: simpleStarter });
    const error = await caught(findLab('exercise-9', { root: join(root, 'labs'), cwd: root }));
    expect(error.code).toBe('LAB_INVALID');
    expect(error.message).toBe('lab.yaml of exercise-9 has 3 problems');
    expect(error.details).toEqual([
      'labs/exercise-9/lab.yaml:5:3 services.redis-db: missing required key "image"',
      'labs/exercise-9/lab.yaml:6:5 services.redis-db.imag: unknown key "imag" (did you mean "image"?)',
      'labs/exercise-9/lab.yaml:22:11 checks.0.kind: "delivry" is not one of delivery, sharing, latency, blocking, producer, static, modules, persistence, restart, address, api-create, api-read, job-lifecycle, workers-share, queue-holds-without-worker, worker-keeps-running, redis-from-env (did you mean "delivery"?)',
    ]);
    expect(error.hint).toBe(`fix the lines listed, then check again with \`labs validate ${join(root, 'labs', 'exercise-9')}\``);
  });

  it('validates lab folders, lab.yaml files, folders of labs and compose files', async () => {
    const root = await twoLabs();
    await writeLab(root, { id: 'broken', yaml: 'id: broken\n', starter: {} });
    await write(join(root, 'docker-compose.yml'), composeFile.replace('    user:', '    privileged: true\n    user:'));
    const lines = async (paths: string[]) => (await validatePaths(paths, { cwd: root, root: join(root, 'labs') })).problems.map((p) => formatProblem(p, root));

    expect(await lines(['labs/exercise-1'])).toEqual([]);
    expect(await lines(['labs/exercise-1/lab.yaml'])).toEqual([]);
    expect(await lines(['labs'])).toEqual([
      'labs/broken/lab.yaml:1:1: missing required key "title"',
      'labs/broken/lab.yaml:1:1: missing required key "summary"',
      'labs/broken/lab.yaml:1:1: missing required key "files"',
      'labs/broken/lab.yaml:1:1 services: no service "redis-db" in services for Redis',
      "labs/broken/lab.yaml:1:1 services: no service has student: true; set it on the service(s) where the student's files run",
      'labs/broken/lab.yaml:1:1 files: no reference solution: templates/broken/solution/ is missing (selftest needs it)',
    ]);
    expect(await lines([])).toHaveLength(6);
    expect(await lines(['docker-compose.yml'])).toEqual([
      'docker-compose.yml:7:5 services.redis-db.privileged: refused when grading: a privileged container has every capability and every device of the host; remove it, the lab does not need it',
    ]);
    const report = await validatePaths(['labs', 'docker-compose.yml'], root);
    expect(report.checked).toEqual(
      ['broken', 'exercise-1', 'exercise-1-node'].map((id) => join(root, 'labs', id, 'lab.yaml')).concat(join(root, 'docker-compose.yml')),
    );
    const usage = await caught(validatePaths(['nowhere'], { cwd: root }));
    expect(usage.code).toBe('USAGE');
    expect(usage.message).toBe(`no such file or folder: ${join(root, 'nowhere')}`);
  });
});
