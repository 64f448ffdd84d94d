/**
 * Fork bombs against the script hosts' pids limit: three at once, stopped, every time. Run alone
 * (the exclusive tier): beside other sessions on two cores, a bomb was once killed by its limits
 * before the grader stopped it, which is not what this asks.
 */
import { describe, expect, it } from 'vitest';
import { scriptHostsFixture } from '../helpers/script-hosts.js';

const { py, uidProcesses, hostContainers } = scriptHostsFixture('bombs');

describe('fork bombs', () => {
  it('three at once, stopped, end every time and leave nothing running; the next run works', async () => {
    const bomb = 'import os\nprint("forking", flush=True)\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass';
    for (let round = 0; round < 3; round += 1) {
      const runs = await Promise.all([py(bomb, 'bomb-a'), py(bomb, 'bomb-b'), py(bomb, 'bomb-c')]);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const outcomes = await Promise.race([
        Promise.all(runs.map((run) => run.stop().then((exit) => exit.description))),
        new Promise((resolve) => setTimeout(() => resolve('still running after 45 s'), 45_000)),
      ]);
      expect(outcomes, `round ${round + 1}`).toEqual(['stopped by the grader', 'stopped by the grader', 'stopped by the grader']);
      for (const id of await hostContainers()) expect(await uidProcesses(id), `round ${round + 1}`).toEqual([]);
    }
    const next = await py('print("after the bombs")');
    expect(await next.exited).toMatchObject({ code: 0 });
    expect(next.lines.map((l) => l.text)).toEqual(['after the bombs']);
  }, 240_000);
});
