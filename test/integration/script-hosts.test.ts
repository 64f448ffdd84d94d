/**
 * Student scripts as commands in long-lived confined containers, against the real engine: a run
 * that kills every process it may cannot take its container down, stopping a run kills all it
 * started, the next run finds /tmp empty, two runs at once get two containers, and a run that eats
 * all its memory is told apart from one that was killed otherwise. Fork bombs: fork-bombs.test.ts.
 */
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { removeSession } from '../../runner/provision/teardown.js';
import { startScript } from '../../runner/run/script.js';
import { runtime } from '../helpers/isolated.js';
import { scriptHostsFixture } from '../helpers/script-hosts.js';

const fixture = scriptHostsFixture('hosts');
const { session, py, uidProcesses, hostContainers } = fixture;

describe('script hosts', () => {
  it('runs the script as 1000:1000 in the lab folder, with its files, and reports its exit', async () => {
    const run = await py('import os; print(os.getuid(), os.getgid(), os.getcwd(), open("hello.txt").read().strip()); raise SystemExit(3)');
    const exit = await run.exited;
    expect(run.lines.map((l) => l.text)).toEqual(['1000 1000 /lab hi']);
    expect(exit).toMatchObject({ code: 3, description: 'exited with code 3', timedOut: false, stoppedByGrader: false });
  });

  it('a script that kills every process it may (kill -1) and PID 1 cannot take its container down', async () => {
    const run = await py(
      'import os, signal\nfor pid in (1, -1):\n    try:\n        os.kill(pid, signal.SIGKILL)\n    except OSError as e:\n        print(pid, e.strerror)\nprint("still here")',
    );
    const exit = await run.exited;
    expect(exit.code).toBe(0);
    expect(run.lines.map((l) => l.text)).toContain('still here');
    const after = await py('print("next run")');
    await after.exited;
    expect(after.lines.map((l) => l.text)).toEqual(['next run']);
    expect(await hostContainers()).toHaveLength(1);
  });

  it('stopping a run kills everything it started, and the next run finds /tmp empty', async () => {
    const run = await py(
      'import os, time\nopen("/tmp/left-behind", "w").write("x")\nfor _ in range(3):\n    if os.fork() == 0:\n        os.setsid()\n        time.sleep(600)\nprint("forked", flush=True)\ntime.sleep(600)',
    );
    await expect.poll(() => run.lines.length, { timeout: 10_000 }).toBe(1);
    const [host] = await hostContainers();
    expect((await uidProcesses(host!)).length).toBeGreaterThanOrEqual(4);
    const exit = await run.stop();
    expect(exit.description).toBe('stopped by the grader');
    expect(await uidProcesses(host!)).toEqual([]);
    const next = await py('import os; print(sorted(os.listdir("/tmp")))');
    await next.exited;
    expect(next.lines.map((l) => l.text)).toEqual(['[]']);
  });

  it('two runs at once run in two containers with two addresses; a timeout stops a run', async () => {
    const [a, b] = await Promise.all([py('import time; time.sleep(600)', 'a'), py('import time; time.sleep(600)', 'b')]);
    expect(a!.address).not.toBe(b!.address);
    expect(await hostContainers()).toHaveLength(2);
    await Promise.all([a!.stop(), b!.stop()]);
    const slow = await startScript({
      hosts: fixture.hosts,
      service: 'python',
      argv: ['python3', '-c', 'import time; time.sleep(600)'],
      name: 'slow',
      timeoutMs: 1500,
    });
    expect(await slow.exited).toMatchObject({ timedOut: true, stoppedByGrader: false, description: 'timed out after 1500 ms and was stopped' });
  });

  it('a run that eats all its memory is killed and told so, the next one is not, and a second hog is told again', async () => {
    const hog = 'hog = []\nwhile True:\n    hog.append(bytearray(50 * 1024 * 1024))';
    expect(await (await py(hog)).exited).toMatchObject({ oomKilled: true, description: 'killed: out of memory (exit 137)' });
    const after = await py('print("fresh")');
    expect(await after.exited).toMatchObject({ code: 0, oomKilled: false });
    expect(after.lines.map((l) => l.text)).toEqual(['fresh']);
    const killed = await py('import os, signal; os.kill(os.getpid(), signal.SIGKILL)');
    expect(await killed.exited).toMatchObject({ oomKilled: false, description: 'killed (SIGKILL, exit 137)' });
    expect(await (await py(hog)).exited).toMatchObject({ oomKilled: true });
  });

  it('a run whose cleanup the engine refuses still ends: its container goes down, and the next run gets a new one', async () => {
    const run = await py('import time; print("up", flush=True); time.sleep(600)', 'frozen');
    await expect.poll(() => run.lines.length, { timeout: 10_000 }).toBe(1);
    const addresses = async (id: string): Promise<string> =>
      (await execa('docker', ['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}', id])).stdout;
    let host = '';
    for (const id of await hostContainers()) if ((await addresses(id)).split(' ').includes(run.address)) host = id;
    expect(host).not.toBe('');
    // A paused container refuses every command: the kill the cleanup runs in it cannot start.
    await execa('docker', ['pause', host]);
    const outcome = await Promise.race([
      run.stop().then(
        () => 'ended',
        (error: Error) => `ended: ${error.message}`,
      ),
      new Promise((resolve) => setTimeout(() => resolve('still running'), 10_000)),
    ]);
    expect(outcome).toBe('ended');
    expect(await run.exited).toMatchObject({ description: 'stopped by the grader', stoppedByGrader: true });
    const next = await py('print("next")');
    expect(await next.exited).toMatchObject({ code: 0 });
    expect(next.lines.map((l) => l.text)).toEqual(['next']);
    expect(await hostContainers()).not.toContain(host);
  });
});

describe('script hosts and teardown', () => {
  it('teardown right after containers were asked for waits for them, and leaves no network behind', async () => {
    void fixture.hosts.warm({ python: 4 }).catch(() => undefined);
    await fixture.hosts.settle();
    expect(await hostContainers()).toHaveLength(4);
    await removeSession(runtime, session);
    const networks = (await execa('docker', ['network', 'ls', '-q', '--filter', `label=labs.session=${session}`])).stdout.trim();
    expect(networks).toBe('');
  });
});
