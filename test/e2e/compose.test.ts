/**
 * Compose files as students write them (issue 16), through the CLI against the real engine: the
 * course's exercise-2 file with the lines students add (container_name, restart) grades full marks
 * with a note; a file asking for a privileged container is refused, never run, in every output mode;
 * `labs start` builds a service from the workspace and runs its replicas.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labelled, labs, repoRoot, sweep, tempDir } from '../helpers/labs.js';

interface JsonReport {
  score: number;
  maxScore: number;
  checks: { id: string; passed: boolean; summary: string; hint: string | null }[];
  warnings: string[];
}

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await sweep(dir);
});

/** exercise-2's reference solution with `edit` applied to its docker-compose.yml. */
async function solutionWith(edit: (compose: string) => string): Promise<string> {
  const dir = await tempDir('labs-compose-');
  dirs.push(dir);
  await cp(join(repoRoot, 'templates', 'exercise-2', 'solution'), dir, { recursive: true });
  const file = join(dir, 'docker-compose.yml');
  await writeFile(file, edit(await readFile(file, 'utf8')));
  return dir;
}

describe('labs check exercise-2 with the course file as students write it', () => {
  it('container_name and restart under redis-db: 10/10, each ignored with a note', async () => {
    const dir = await solutionWith((text) => text.replace('    image: redis:7\n', '    image: redis:7\n    container_name: redis-db\n    restart: always\n'));
    const result = await labs(['check', 'exercise-2', dir, '--json'], { cwd: dir });
    const report = JSON.parse(String(result.stdout)) as JsonReport;
    expect(
      report.checks.filter((c) => !c.passed),
      String(result.stderr),
    ).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(report.score).toBe(10);
    expect(report.maxScore).toBe(10);
    expect(report.warnings).toEqual([
      'docker-compose.yml:7:5 services.redis-db.container_name: warning: container_name is ignored: labs names containers per session, so that two workspaces or two gradings never clash',
      'docker-compose.yml:8:5 services.redis-db.restart: warning: restart is ignored: labs restarts nothing by itself: a crash during a check must count as a crash',
    ]);
  });

  it('privileged: true is refused with its line and why, in --json and in the terminal; nothing is run', async () => {
    const dir = await solutionWith((text) => text.replace('    image: redis:7\n', '    image: redis:7\n    privileged: true\n'));
    const refused =
      /^not run: docker-compose\.yml:7:5 services\.redis-db\.privileged: refused when grading: a privileged container has every capability and every device of the host; remove it, the lab does not need it$/;
    const json = await labs(['check', 'exercise-2', dir, '--json'], { cwd: dir });
    expect(json.exitCode, String(json.stderr)).toBe(1);
    const report = JSON.parse(String(json.stdout)) as JsonReport;
    expect(report.score).toBe(0);
    for (const check of report.checks) {
      expect(check.passed).toBe(false);
      expect(check.summary).toMatch(refused);
      expect(check.hint).toMatch(/^fix docker-compose\.yml at the line:col given/);
    }
    const terminal = await labs(['check', 'exercise-2', dir], { cwd: dir });
    expect(terminal.exitCode).toBe(1);
    expect(String(terminal.stdout).match(/^ {8}not run: docker-compose\.yml:7:5 services\.redis-db\.privileged: refused when grading: /gm)).toHaveLength(
      report.checks.length,
    );
  });
});

describe('labs start exercise-2 with build: and replicas', () => {
  /** A workspace whose python1 is built from its own Dockerfile and python2 runs twice; no host port, so tests can run side by side. */
  async function workspace(dockerfile: string): Promise<string> {
    const ws = await tempDir('labs-compose-ws-');
    dirs.push(ws);
    await cp(join(repoRoot, 'templates', 'exercise-2', 'starter'), ws, { recursive: true });
    const file = join(ws, 'docker-compose.yml');
    const text = (await readFile(file, 'utf8'))
      .replace('    ports:\n      - 6379:6379\n', '')
      .replace(
        '  python1:\n    image: python:3.10\n',
        '  python1:\n    build:\n      context: .\n      dockerfile: ./Dockerfile\n    container_name: python1\n',
      )
      .replace('  python2:\n    image: python:3.10\n', '  python2:\n    image: python:3.10\n    deploy:\n      replicas: 2\n');
    await writeFile(file, text);
    await writeFile(join(ws, 'Dockerfile'), dockerfile);
    return ws;
  }

  it('builds the service from the workspace with its output as progress, runs the replicas, and notes what it ignores', async () => {
    const ws = await workspace('FROM python:3.10\nRUN echo built-by-labs > /built.txt\n');
    const start = await labs(['start', 'exercise-2', '--dir', ws], { cwd: ws });
    expect(start.exitCode, String(start.stderr)).toBe(0);
    expect(start.stderr).toMatch(/^ {2}python1 \| Step 2\/2 : RUN echo built-by-labs > \/built\.txt$/m);
    expect(start.stderr).toMatch(/^ {2}✓ built python1 as labs-build\/exercise-2-python1 in \d+\.\d s$/m);
    expect(start.stderr).toContain('note: docker-compose.yml:15:5 services.python1.container_name: warning: container_name is ignored');
    const built = await labs(['exec', 'python1', '--dir', ws, '--', 'cat', '/built.txt'], { cwd: ws });
    expect(String(built.stdout).trim()).toBe('built-by-labs');
    // Both replicas answer to the service's name, as in Compose.
    const replica = await labs(
      ['exec', 'python2-2', '--dir', ws, '--', 'python', '-c', 'import socket; print(len(set(a[4][0] for a in socket.getaddrinfo("python2", 1))))'],
      { cwd: ws },
    );
    expect(String(replica.stdout).trim(), String(replica.stderr)).toBe('2');
    expect((await labs(['stop', '--dir', ws], { cwd: ws })).exitCode).toBe(0);
  });

  it('a build that fails is the student’s error, naming the service and the failing step', async () => {
    const ws = await workspace('FROM python:3.10\nRUN echo one\nRUN exit 3\n');
    const start = await labs(['start', 'exercise-2', '--dir', ws], { cwd: ws });
    expect(start.exitCode).toBe(2);
    expect(start.stderr).toMatch(/building python1 failed at Step 3\/3 : RUN exit 3: The command '\/bin\/sh -c exit 3' returned a non-zero code: 3/);
    expect(start.stderr).toMatch(/fix the Dockerfile of python1/);
    expect(await labelled('container', `labs.workspace=${ws}`)).toEqual([]);
  });
});
