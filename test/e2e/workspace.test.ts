/**
 * The student's workflow against the real Docker engine, through the CLI as a separate process:
 * `labs start exercise-2` makes the course's three containers, messages cross them through Redis,
 * queued items survive a restart of Redis, and `labs stop` leaves nothing behind but the files.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allLabelled, docker, labelled, labs, nothing, sweep, tempDir } from '../helpers/labs.js';
import { holdsHostPort6379 } from '../helpers/host-port.js';

holdsHostPort6379();

/** Clients of the workspace's Redis waiting in a blocking pop: a consumer is ready for a message. */
async function blockedClients(workspace: string): Promise<number> {
  const redis = (await labelled('container', `labs.workspace=${workspace}`)).find((c) => c.endsWith('redis-db'))!;
  const { stdout } = await execa('docker', ['exec', redis, 'redis-cli', 'info', 'clients'], { reject: false });
  return Number(/blocked_clients:(\d+)/.exec(stdout)?.[1] ?? 0);
}

describe('labs start exercise-2 (the course compose file)', () => {
  let root: string;
  let ws: string;

  beforeAll(async () => {
    root = await tempDir();
    ws = join(root, 'exercise-2');
  });
  afterAll(async () => {
    await sweep(ws);
    await sweep(root);
  });

  it('scaffolds the workspace, starts redis-db, python1 and python2 on one network and prints next steps', async () => {
    const result = await labs(['start', 'exercise-2'], { cwd: root });
    expect(result.stderr).not.toMatch(/internal error/);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('exercise-2');
    expect(result.stdout).toMatch(/Next steps/);
    expect(result.stdout).toContain('cd ./exercise-2');
    expect(result.stdout).toMatch(/labs shell python1/);

    const course = await readFile(join(ws, 'docker-compose.yml'), 'utf8');
    expect(course).toMatch(/image: redis:7/);
    expect(course).toMatch(/user: "1000:1000"/);

    const containers = await labelled('container', `labs.workspace=${ws}`);
    expect(containers.map((name) => name.replace(/^labs-exercise-2-[0-9a-f]+-/, ''))).toEqual(['python1', 'python2', 'redis-db']);
    const networks = new Set<string>();
    for (const name of containers) {
      expect(await docker(['inspect', '-f', '{{.State.Running}}', name])).toBe('true');
      const nets = JSON.parse(await docker(['inspect', '-f', '{{json .NetworkSettings.Networks}}', name])) as Record<string, { Aliases: string[] | null }>;
      for (const [net, settings] of Object.entries(nets)) {
        networks.add(net);
        const service = name.replace(/^labs-exercise-2-[0-9a-f]+-/, '');
        expect(settings.Aliases ?? []).toContain(service);
      }
    }
    expect(networks.size).toBe(1);
    const labels = JSON.parse(await docker(['inspect', '-f', '{{json .Config.Labels}}', containers[0]!])) as Record<string, string>;
    expect(labels).toMatchObject({ 'labs.lab': 'exercise-2', 'labs.mode': 'workspace', 'labs.service': 'python1', 'labs.workspace': ws });
    expect(labels['labs.session']).toMatch(/^[0-9a-f]{8}$/);
    expect(labels['labs.owner']).toMatch(/^.+:\d+$/);
    const network = [...(await labelled('network', `labs.workspace=${ws}`))];
    expect(network).toHaveLength(1);
    expect(await docker(['network', 'inspect', '-f', '{{index .Labels "labs.session"}}', network[0]!])).toBe(labels['labs.session']);
    const redis = containers.find((c) => c.endsWith('redis-db'))!;
    expect(await docker(['port', redis])).toMatch(/^6379\/tcp -> 127\.0\.0\.1:6379$/m);
    const data = await stat(join(ws, 'data'));
    expect(data.uid).toBe(1000);
  });

  it('delivers a message put with hotqueue in python1 to a consumer in python2 through redis-db', async () => {
    const consumer = labs(
      [
        'exec',
        'python2',
        '--',
        'python',
        '-u',
        '-c',
        'import os\nfrom hotqueue import HotQueue\nq = HotQueue("queue", host=os.environ["REDIS_IP"], port=6379, db=1)\nfor item in q.consume():\n    print("got", item)\n    break',
      ],
      { cwd: ws, timeout: 60_000 },
    );
    await expect.poll(() => blockedClients(ws), { timeout: 30_000, interval: 200 }).toBe(1);
    const producer = await labs(
      ['exec', 'python1', '--', 'python', '-c', 'from hotqueue import HotQueue\nHotQueue("queue", host="redis-db", port=6379, db=1).put("hello from python1")'],
      { cwd: ws },
    );
    expect(producer.exitCode, producer.stderr).toBe(0);
    const received = await consumer;
    expect(received.exitCode, received.stderr).toBe(0);
    expect(received.stdout).toBe('got hello from python1');
  });

  it('keeps queued items across `docker restart` of redis-db (the compose file saves to ./data)', async () => {
    const put = await labs(
      [
        'exec',
        'python1',
        '--',
        'python',
        '-c',
        'from hotqueue import HotQueue\nq = HotQueue("queue", host="redis-db", port=6379, db=1)\nq.put("a", "b", "c")\nprint(len(q))',
      ],
      { cwd: ws },
    );
    expect(put.stdout.trim()).toBe('3');
    const redis = (await labelled('container', `labs.workspace=${ws}`)).find((c) => c.endsWith('redis-db'))!;
    await docker(['restart', redis]);
    const length = async (): Promise<string> =>
      String(
        (
          await labs(
            ['exec', 'python1', '--', 'python', '-c', 'from hotqueue import HotQueue\nprint(len(HotQueue("queue", host="redis-db", port=6379, db=1)))'],
            { cwd: ws },
          )
        ).stdout,
      ).trim();
    await expect.poll(length, { timeout: 30_000, interval: 200 }).toBe('3');
    expect((await stat(join(ws, 'data', 'dump.rdb'))).isFile()).toBe(true);
  });

  it('passes the exit code of `labs exec` through', async () => {
    const result = await labs(['exec', 'python1', '--', 'sh', '-c', 'echo out; echo err >&2; exit 5'], { cwd: ws });
    expect(result.exitCode).toBe(5);
    expect(result.stdout).toBe('out');
    expect(result.stderr).toBe('err');
  });

  it('reuses a running workspace and never overwrites the student’s edits', async () => {
    await writeFile(join(ws, 'producer.py'), '# my own work\n');
    const again = await labs(['start', 'exercise-2'], { cwd: root });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/was already running/);
    expect(await readFile(join(ws, 'producer.py'), 'utf8')).toBe('# my own work\n');
    expect(again.stdout).toMatch(/^ {2}kept as you left them: producer\.py$/m);
    expect(again.stdout).not.toMatch(/restored/);
  });

  it('shows the services in `labs status` from inside the workspace', async () => {
    const status = await labs(['status'], { cwd: join(ws, 'data') });
    expect(status.exitCode, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/redis-db\s+running/);
    expect(status.stdout).toMatch(/python2\s+running/);
  });

  it('`labs stop` removes every labelled container, network and volume; files and ./data stay', async () => {
    const stop = await labs(['stop', '--dir', ws], { cwd: root });
    expect(stop.exitCode, stop.stderr).toBe(0);
    expect(stop.stdout).toMatch(/removed 3 container\(s\), 1 network\(s\)/);
    expect(await allLabelled(`labs.workspace=${ws}`)).toEqual(nothing);
    expect((await stat(join(ws, 'data', 'dump.rdb'))).isFile()).toBe(true);
    expect(await readFile(join(ws, 'producer.py'), 'utf8')).toBe('# my own work\n');
    const status = await labs(['status'], { cwd: ws });
    expect(status.stdout).toMatch(/not started/);
  });
});

describe('labs start exercise-1, the course exercise 1 by hand', () => {
  let root: string;
  afterAll(async () => sweep(root));

  it('two shells: strings put in one are printed at once in the other; the queue length is seen; stop leaves nothing', async () => {
    root = await tempDir();
    const start = await labs(['start', 'exercise-1', '--dir', '.'], { cwd: root });
    expect(start.exitCode, start.stderr).toBe(0);
    const consume = execa(
      'node',
      [
        join(import.meta.dirname, '..', '..', 'bin', 'labs.js'),
        'exec',
        'python',
        '--',
        'python',
        '-u',
        '-c',
        'import os\nfrom hotqueue import HotQueue\nq = HotQueue("queue", host=os.environ["REDIS_IP"], port=6379, db=1)\nfor item in q.consume():\n    print(item)',
      ],
      { cwd: root, reject: false },
    );
    const lines: { text: string; at: number }[] = [];
    consume.stdout!.on('data', (chunk: Buffer) => {
      for (const text of chunk.toString().split('\n').filter(Boolean)) lines.push({ text, at: Date.now() });
    });
    const put = async (...msgs: string[]): Promise<string> => {
      const r = await labs(
        [
          'exec',
          'python',
          '--',
          'python',
          '-c',
          `import sys\nfrom hotqueue import HotQueue\nq = HotQueue("queue", host="redis-db", port=6379, db=1)\nq.put(*sys.argv[1:])\nprint(len(q))`,
          ...msgs,
        ],
        { cwd: root },
      );
      expect(r.exitCode, r.stderr).toBe(0);
      return r.stdout.trim();
    };
    await expect.poll(() => blockedClients(root), { timeout: 30_000, interval: 200 }).toBe(1);
    await put('one', 'two', 'three');
    const sentAt = Date.now();
    await put('four');
    await expect.poll(() => lines.map((l) => l.text), { timeout: 5000, interval: 100 }).toEqual(['one', 'two', 'three', 'four']);
    expect(lines[3]!.at - sentAt).toBeLessThan(2000);
    consume.kill();
    await consume;
    // With the consumer gone, the length grows: the queue really holds them.
    expect(await put('five', 'six')).toBe('2');
    const stop = await labs(['stop'], { cwd: root });
    expect(stop.exitCode).toBe(0);
    expect(await allLabelled(`labs.workspace=${root}`)).toEqual(nothing);
  });
});

describe('labs start jobs-api with the starter files', () => {
  let root: string;

  beforeAll(async () => {
    root = await tempDir();
  });
  afterAll(async () => {
    await sweep(root);
  });

  it('runs the environment and shows the worker that the starter’s TODOs crash, every time (exit 0)', async () => {
    // Before, start failed when the readiness wait saw the crash (NOT_READY, everything removed) and
    // said "worker ready … running" when it did not: one or the other by timing.
    const result = await labs(['start', 'jobs-api', '--dir', '.'], { cwd: root });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^ {2}worker +exited /m);
    expect(result.stdout).toMatch(/^! worker has already exited \(code 1\); the last lines it printed:$/m);
    expect(result.stdout).toMatch(/ImportError: cannot import name 'q' from 'jobs'/);
    expect(result.stdout).toMatch(/is running in \.$/m);
    expect(result.stdout).not.toMatch(/cd \.\/\./);
    const containers = await labelled('container', `labs.workspace=${root}`);
    expect(containers).toHaveLength(3);
    const stopped = await labs(['stop', '--dir', '.'], { cwd: root });
    expect(stopped.exitCode, stopped.stderr).toBe(0);
    expect(await allLabelled(`labs.workspace=${root}`)).toEqual(nothing);
  }, 180_000);
});
