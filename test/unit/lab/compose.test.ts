import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { loadComposeFile, resolveServices } from '../../../runner/lab/compose.js';
import { formatProblem } from '../../../runner/lab/problem.js';
import { loadLabAt } from '../../../runner/lab/registry.js';
import { caught, composeFile, composeLab, composeStarter, simpleLab, simpleStarter, tempRoot, write, writeLab } from './fixture.js';

async function composeProblems(text: string): Promise<string[]> {
  const root = await tempRoot();
  await write(join(root, 'docker-compose.yml'), text);
  return (await loadComposeFile(join(root, 'docker-compose.yml'))).problems.map((p) => formatProblem(p, root));
}

describe('loadComposeFile', () => {
  it('reads the documented subset into service specs', async () => {
    const root = await tempRoot();
    await write(join(root, 'docker-compose.yml'), `version: "3"\nname: ex\n${composeFile}`);
    const { services, problems } = await loadComposeFile(join(root, 'docker-compose.yml'));
    expect(problems.map((p) => formatProblem(p, root))).toEqual(['docker-compose.yml:2:1 name: warning: name is ignored: labs names each session itself']);
    expect(Object.keys(services ?? {})).toEqual(['redis-db', 'python1', 'python2']);
    expect(services?.['redis-db']).toMatchObject({
      command: ['--save', '1', '1'],
      user: '1000:1000',
      mounts: [{ kind: 'bind', source: './data', target: '/data', readOnly: false }],
      readiness: { kind: 'redis', port: 6379 },
    });
    expect(services?.python1).toMatchObject({ command: ['sleep', 'infinity'], dependsOn: ['redis-db'], student: false });
  });

  it('names every key Compose does not know, at the key, with the nearest one; what Compose knows is no error', async () => {
    const lines = await composeProblems(`services:
  redis-db:
    image: redis:7
    deploy:
      replicas: 2
    imgae: x
    container_name: redis-db
networks:
  default: {}
servics: {}
`);
    expect(lines).toEqual([
      'docker-compose.yml:6:5 services.redis-db.imgae: unknown key "imgae" (did you mean "image"?)',
      'docker-compose.yml:7:5 services.redis-db.container_name: warning: container_name is ignored: labs names containers per session, so that two workspaces or two gradings never clash',
      'docker-compose.yml:10:1 servics: unknown key "servics" (did you mean "services"?)',
    ]);
  });

  it('reports value problems and unknown dependencies with their lines', async () => {
    const lines = await composeProblems(`services:
  redis-db:
    command: "redis-server 'oops"
    ports: ["1:2:3"]
  python1:
    image: python:3.10
    depends_on: [redis]
`);
    expect(lines).toEqual([
      'docker-compose.yml:2:3 services.redis-db: has neither image: nor build:; Compose needs one of them to make its container',
      `docker-compose.yml:3:14 services.redis-db.command: unterminated ' quote in "redis-server 'oops"`,
      'docker-compose.yml:4:13 services.redis-db.ports.0: "1:2:3": write HOST:CONTAINER (e.g. "6379:6379") or one port; ranges and random host ports are not supported',
      'docker-compose.yml:7:18 services.python1.depends_on.0: no service "redis" in this file (did you mean "redis-db"?)',
    ]);
  });

  it('reports a missing file and a syntax error as problems', async () => {
    const root = await tempRoot();
    const missing = await loadComposeFile(join(root, 'nope.yml'));
    expect(missing.problems.map((p) => formatProblem(p, root))).toEqual(['nope.yml:1:1: the compose file does not exist']);
    expect(missing.services).toBeUndefined();
    expect((await composeProblems('services: [\n'))[0]).toMatch(/^docker-compose\.yml:\d+:\d+: /);
  });
});

describe('resolveServices', () => {
  it("returns a plain lab's own services", async () => {
    const root = await tempRoot();
    const lab = await loadLabAt(await writeLab(root, { yaml: simpleLab, starter: simpleStarter }));
    const services = await resolveServices(lab, join(root, 'workspace'));
    expect(Object.keys(services)).toEqual(['redis-db', 'python']);
    expect(services.python?.environment).toEqual({ REDIS_IP: 'redis-db' });
  });

  it("merges the lab's overlays into the student's compose file, which wins on environment", async () => {
    const root = await tempRoot();
    const lab = await loadLabAt(await writeLab(root, { id: 'exercise-8', yaml: composeLab, starter: composeStarter }));
    const workspace = join(root, 'ws');
    await write(join(workspace, 'docker-compose.yml'), composeFile.replace('sleep infinity\n    depends_on', 'sleep 1000\n    depends_on'));
    const services = await resolveServices(lab, workspace);
    expect(Object.keys(services)).toEqual(['redis-db', 'python1', 'python2']);
    expect(services.python1).toMatchObject({
      command: ['sleep', '1000'],
      packages: { pip: ['hotqueue'], npm: [] },
      student: true,
      environment: { REDIS_IP: 'redis-db' },
      readiness: { kind: 'running', port: 0, timeoutMs: 30000 },
    });
    expect(services.python2?.environment).toEqual({ REDIS_IP: 'redis-db', EXTRA: '1', MODE: 'compose' });
    expect(services['redis-db']).toMatchObject({ student: false, readiness: { kind: 'redis', port: 6379 }, packages: { pip: [], npm: [] } });
  });

  it('throws WORKSPACE_INVALID with located details and a next step', async () => {
    const root = await tempRoot();
    const lab = await loadLabAt(await writeLab(root, { id: 'exercise-8', yaml: composeLab, starter: composeStarter }));
    const workspace = join(root, 'ws');
    const missing = await caught(resolveServices(lab, workspace));
    expect(missing.code).toBe('WORKSPACE_INVALID');
    expect(missing.message).toBe(`${join(workspace, 'docker-compose.yml')} is missing: lab exercise-8 takes its services from it`);
    expect(missing.hint).toBe(`run \`labs start exercise-8 --dir ${workspace}\` to restore it from the starter`);

    await write(
      join(workspace, 'docker-compose.yml'),
      composeFile.replace('  python2:', '  worker:').replace('    image: redis:7\n', '    image: redis:7\n    restart: always\n    imag: x\n'),
    );
    const invalid = await caught(resolveServices(lab, workspace));
    expect(invalid.message).toBe(`docker-compose.yml in ${workspace} has 1 problem`);
    expect(invalid.details).toEqual([
      'docker-compose.yml:4:5 services.redis-db.restart: warning: restart is ignored: labs restarts nothing by itself: a crash during a check must count as a crash',
      'docker-compose.yml:5:5 services.redis-db.imag: unknown key "imag" (did you mean "image"?)',
    ]);

    await write(join(workspace, 'docker-compose.yml'), composeFile.replace('  python2:', '  worker:'));
    const renamed = await caught(resolveServices(lab, workspace));
    expect(renamed.details).toEqual(['docker-compose.yml:1:1 services: no service "python2", which lab exercise-8 needs (did you mean "python1"?)']);
    expect(renamed.hint).toContain('fix the lines listed');
  });
});
