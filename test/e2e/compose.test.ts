/**
 * Compose files as students write them (issue 16), through the CLI against the real engine: the
 * course's exercise-2 file with the lines students add (container_name, restart) grades full marks
 * with a note; a file asking for a privileged container is refused, never run, in every output mode.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labs, repoRoot, sweep, tempDir } from '../helpers/labs.js';

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
    expect(report.checks.filter((c) => !c.passed), String(result.stderr)).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(report.score).toBe(10);
    expect(report.maxScore).toBe(10);
    expect(report.warnings).toEqual([
      'docker-compose.yml:2:1 version: warning: version is ignored: obsolete in Compose, ignored by it and by labs',
      'docker-compose.yml:7:5 services.redis-db.container_name: warning: container_name is ignored: labs names containers per session, so that two workspaces or two gradings never clash',
      'docker-compose.yml:8:5 services.redis-db.restart: warning: restart is ignored: labs restarts nothing by itself: a crash during a check must count as a crash',
    ]);
  });

  it('privileged: true is refused with its line and why, in --json and in the terminal; nothing is run', async () => {
    const dir = await solutionWith((text) => text.replace('    image: redis:7\n', '    image: redis:7\n    privileged: true\n'));
    const refused = /^not run: docker-compose\.yml:7:5 services\.redis-db\.privileged: refused: a privileged container has every capability and every device of the host$/;
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
    expect(String(terminal.stdout).match(/^ {8}not run: docker-compose\.yml:7:5 services\.redis-db\.privileged: refused: /gm)).toHaveLength(report.checks.length);
  });
});
