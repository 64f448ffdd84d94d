/**
 * Resources are owned: a `labs start` killed with -9 leaves a session that `labs prune` sweeps,
 * while another live workspace is left alone; `labs shell` works through a real pseudo-terminal.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allLabelled, bin, labelled, labs, nothing, onTerminal, scriptArgs, sweep, tempDir } from '../helpers/labs.js';

describe('Ctrl-C during `labs start`', () => {
  let dir: string;
  afterAll(async () => sweep(dir));

  it('removes what it had created and exits 130', async () => {
    dir = await tempDir();
    const events = execa(
      'docker',
      ['events', '--filter', `label=labs.workspace=${dir}`, '--filter', 'event=create', '--format', '{{.Actor.Attributes.name}}'],
      { reject: false },
    );
    const start = execa('node', [bin, 'start', 'exercise-2', '--dir', dir], { cwd: dir, reject: false });
    await new Promise<void>((resolve) => events.stdout!.once('data', () => resolve()));
    start.kill('SIGINT');
    events.kill();
    const result = await start;
    await events;
    expect(result.exitCode).toBe(130);
    expect(result.stderr).toMatch(/stopping \(removing what was created\)/);
    expect(result.stderr).toMatch(/^labs: interrupted: removed what had been created$/m);
    expect(await allLabelled(`labs.workspace=${dir}`)).toEqual(nothing);
  });
});

describe('kill -9 during `labs start`, then `labs prune`', () => {
  let live: string;
  let killed: string;

  beforeAll(async () => {
    live = await tempDir();
    killed = await tempDir();
  });
  afterAll(async () => {
    await sweep(live);
    await sweep(killed);
  });

  it('sweeps the killed session and keeps the live workspace running', async () => {
    const started = await labs(['start', 'exercise-3', '--dir', live], { cwd: live });
    expect(started.exitCode, started.stderr).toBe(0);

    // Docker's own event stream says the moment the first container exists; kill then, mid-start.
    const events = execa(
      'docker',
      ['events', '--filter', `label=labs.workspace=${killed}`, '--filter', 'event=create', '--format', '{{.Actor.Attributes.name}}'],
      { reject: false },
    );
    const start = execa('node', [bin, 'start', 'exercise-1', '--dir', killed], { cwd: killed, reject: false });
    await new Promise<void>((resolve) => {
      events.stdout!.once('data', () => resolve());
    });
    start.kill('SIGKILL');
    events.kill();
    await Promise.all([start, events]);
    expect((await start).signal).toBe('SIGKILL');
    const state = JSON.parse(await readFile(join(killed, '.labs', 'session.json'), 'utf8')) as { status: string };
    expect(state.status).toBe('starting');
    expect((await labelled('container', `labs.workspace=${killed}`)).length).toBeGreaterThan(0);

    const pruned = await labs(['prune'], { cwd: killed });
    expect(pruned.exitCode, pruned.stderr).toBe(0);
    expect(pruned.stdout).toMatch(/removed workspace session [0-9a-f]+ \(exercise-1\)/);
    expect(pruned.stdout).toMatch(/kept .*exercise-3 \(workspace in /);
    expect(await allLabelled(`labs.workspace=${killed}`)).toEqual(nothing);

    const liveContainers = await labelled('container', `labs.workspace=${live}`);
    expect(liveContainers).toHaveLength(2);
    const status = await labs(['status'], { cwd: live });
    expect(status.stdout).toMatch(/python\s+running/);
    expect(status.stdout).toMatch(/redis-db\s+running/);
  });

  it('opens a shell through a pseudo-terminal and passes its exit code through', async () => {
    // script(1) gives the CLI a real pty, as a terminal would.
    const shell = await execa('script', scriptArgs(['shell', 'python', '--dir', live]), {
      input: 'tty; echo "in $(pwd) as $(id -u): $((6*7))"; exit 7\n',
      reject: false,
      timeout: 60_000,
      env: { NO_COLOR: '1', TERM: 'xterm' },
    });
    expect(shell.stdout).toMatch(/\/dev\/pts\/\d+/);
    expect(shell.stdout).toContain('in /lab as 0: 42');
    expect(shell.exitCode).toBe(7);
  });

  it('`labs logs` shows the services’ output, prefixed by service when there are several', async () => {
    const one = await labs(['logs', 'redis-db'], { cwd: live });
    expect(one.exitCode, one.stderr).toBe(0);
    expect(one.stdout).toMatch(/^(?!redis-db \|).*Ready to accept connections/m);
    const all = await labs(['logs'], { cwd: live });
    expect(all.stdout).toMatch(/^redis-db \| .*Ready to accept connections/m);
    const unknown = await labs(['logs', 'redis'], { cwd: live });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/^labs: exercise-3 has no service "redis"$/m);
    expect(unknown.stderr).toMatch(/did you mean "redis-db"\? services: redis-db, python/);
  });

  it('`labs logs -f` follows until interrupted', async () => {
    const follow = execa('node', [bin, 'logs', '-f', 'redis-db'], { cwd: live, reject: false });
    await new Promise<void>((resolve) => follow.stdout!.once('data', () => resolve()));
    follow.kill('SIGINT');
    const result = await follow;
    expect(result.stdout).toMatch(/Ready to accept connections/);
    expect(result.exitCode).toBe(0);
  });

  it('`labs doctor` reports the engine, the images the labs use, the queue clients in them and disk space', async () => {
    const doctor = await labs(['doctor'], { cwd: live });
    expect(doctor.exitCode, doctor.stderr).toBe(0);
    expect(doctor.stdout).toMatch(/^✓ Docker reachable at unix:\/\/\/var\/run\/docker\.sock$/m);
    expect(doctor.stdout).toMatch(/^✓ engine \d+\.\d+/m);
    expect(doctor.stdout).toMatch(/^✓ image redis:7 present \(used by exercise-1, exercise-1-node, exercise-2, exercise-3, jobs-api\)$/m);
    // jobs-api's api and worker are built from the student's Dockerfile: the image checks run them in counts.
    expect(doctor.stdout).toMatch(/^✓ image python:3\.10 present \(used by exercise-1, exercise-2, exercise-3, jobs-api\)$/m);
    expect(doctor.stdout).toMatch(/^✓ jobs-api \(api, worker\): built by `labs start` from the workspace's Dockerfile; checks run in python:3\.10$/m);
    expect(doctor.stdout).not.toMatch(/jobs-api:1\.0/);
    expect(doctor.stdout).toMatch(/^✓ image node:20 present \(used by exercise-1-node\)$/m);
    // The workspace's lab is prepared: the queue clients its scripts run with.
    expect(doctor.stdout).toMatch(/^✓ exercise-3 \(python\): hotqueue 0\.2\.8, redis 4\.3\.4 in labs-prepared:[0-9a-f]{16}$/m);
    expect(doctor.stdout).toMatch(/GB free at/);
    // CI runs as root on a local engine: the host can be closed to student code.
    expect(doctor.stdout).toMatch(/^✓ checks close this host to student code/m);
  });

  it('`labs prune --all` removes a live workspace too', async () => {
    const pruned = await labs(['prune', '--all'], { cwd: live });
    expect(pruned.exitCode).toBe(0);
    expect(await allLabelled(`labs.workspace=${live}`)).toEqual(nothing);
  });
});

describe('`labs start` with no lab on a terminal', () => {
  let dir: string;
  afterAll(async () => sweep(join(dir, 'exercise-3')));

  it('asks which lab with a list, and starts the one picked with the arrow keys', async () => {
    dir = await tempDir();
    const { child, screen, shown } = onTerminal(['start'], { cwd: dir });
    await shown(/Which lab do you want to start\?/);
    for (let i = 0; i < 3; i += 1) {
      // One key at a time, each once the list has been drawn again.
      const drawn = screen().length;
      child.stdin!.write('\u001b[B');
      await expect.poll(() => screen().length, { timeout: 10_000, interval: 20 }).toBeGreaterThan(drawn);
    }
    child.stdin!.write('\r');
    await shown(/is running in/);
    child.stdin!.end();
    const result = await child;
    expect(screen()).toMatch(/exercise-1-node/);
    expect(result.stdout).toMatch(/exercise-3 .* is running in \.\/exercise-3/);
    expect(await labelled('container', `labs.workspace=${join(dir, 'exercise-3')}`)).toHaveLength(2);
  });
});
