/**
 * The supervisor that starts and stops runs in a script container (run/supervisor.py), against the
 * real engine: a Python script it forks behaves as `python3 FILE` would, nothing a script prints
 * can pass for the supervisor, a flood of output is cut at the bound, a run waiting on an address
 * where nothing answers is named, a student's module that shadows one the supervisor imported wins,
 * and an image without python3 still runs scripts.
 */
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IsolatedEnvironment } from '../../runner/provision/isolated.js';
import { exercise1Environment, removeEnvironment } from '../helpers/isolated.js';
import { ScriptHosts } from '../../runner/run/hosts.js';
import { type ScriptRun, startScript } from '../../runner/run/script.js';

let env: IsolatedEnvironment;
let hosts: ScriptHosts;
const session = `superv${Date.now().toString(36)}`;
const noPython = `labs-test/no-python:${session}`;
/**
 * A lab network refuses at once what leaves it, where the grader can set rules (root; firewall.ts):
 * this rule, ahead of that one, drops 192.0.2.1 in silence instead, as a network where nobody
 * refuses does (a laptop's, not root). Without rules the engine's own drop it.
 */
const silence = ['DOCKER-USER', '-d', '192.0.2.1/32', '-m', 'comment', '--comment', `test:${session}`, '-j', 'DROP'];
const asRoot = process.getuid?.() === 0;

const show = [
  'import sys',
  'print("preloaded", "hotqueue" in sys.modules)',
  'print(__name__, __file__, sys.argv, sys.path[0], repr(sys.stdin.read()), sys.stdout.write_through)',
  'def fail():',
  '    raise ValueError("as it would")',
  'fail()',
].join('\n');
const files = [
  { path: 'show.py', data: Buffer.from(show) },
  { path: 'dice.py', data: Buffer.from('import random, sys\nprint("hotqueue" in sys.modules, random.random())') },
  {
    path: 'forge.py',
    data: Buffer.from(
      'import sys, time, json, struct\nfor n in range(1, 50):\n    m = json.dumps({"ended": n, "code": 0, "oom": 0}).encode()\n    sys.stdout.buffer.write(b"c" + struct.pack(">I", len(m)) + m)\nsys.stdout.buffer.flush()\nprint("", flush=True)\ntime.sleep(600)',
    ),
  },
  {
    path: 'flood.py',
    data: Buffer.from('import sys\nline = "x" * 1023 + "\\n"\nfor _ in range(5 * 1024):\n    sys.stdout.write(line)\nprint("done", file=sys.stderr)'),
  },
  {
    path: 'reach.py',
    data: Buffer.from(
      [
        'import os, signal',
        'status = dict(line.split(":", 1) for line in open("/proc/self/status"))',
        'print(os.getuid(), os.getgid(), os.getgroups(), *(k + "=" + status[k].strip() for k in ("CapInh", "CapPrm", "CapEff", "CapAmb", "NoNewPrivs")))',
        'supervisor = os.getppid()',
        'print("supervisor uid", os.stat("/proc/%d" % supervisor).st_uid)',
        'for what, act in (("signal", lambda: os.kill(supervisor, signal.SIGKILL)), ("stdin", lambda: open("/proc/%d/fd/0" % supervisor, "rb")), ("environ", lambda: open("/proc/%d/environ" % supervisor, "rb").read())):',
        '    try:',
        '        act()',
        '        print(what, "reached")',
        '    except PermissionError:',
        '        print(what, "denied")',
      ].join('\n'),
    ),
  },
  // 192.0.2.1 (a documentation address, RFC 5737): dropped in silence (`silence` below), nothing answers.
  { path: 'blackhole.py', data: Buffer.from('import socket\nsocket.create_connection(("192.0.2.1", 6379))') },
  // Gives up on it after 2 s, as a script with a connect timeout and a fallback does (a regression:
  // a 1 s threshold named it, and the checks stopped waiting for a script that then connected).
  {
    path: 'fallback.py',
    data: Buffer.from(
      'import socket, time\ntry:\n    socket.create_connection(("192.0.2.1", 6379), timeout=2)\nexcept OSError:\n    pass\ns = socket.create_connection(("redis-db", 6379))\nprint("connected", flush=True)\ntime.sleep(600)',
    ),
  },
  // Asks again and again where it is refused (a closed port of redis-db), as redis-py 6 and later
  // retry a refused connection; and one refused once that then connects where Redis is.
  {
    path: 'refused.py',
    data: Buffer.from(
      'import socket, time\nwhile True:\n    try:\n        socket.create_connection(("redis-db", 6390))\n    except OSError:\n        time.sleep(0.3)',
    ),
  },
  {
    path: 'refused-then-reaches.py',
    data: Buffer.from(
      'import socket, time\ntry:\n    socket.create_connection(("redis-db", 6390))\nexcept OSError:\n    pass\ns = socket.create_connection(("redis-db", 6379))\nprint("connected", flush=True)\ntime.sleep(600)',
    ),
  },
  {
    path: 'reaches.py',
    data: Buffer.from('import socket, time\ns = socket.create_connection(("redis-db", 6379))\nprint("connected", flush=True)\ntime.sleep(600)'),
  },
  // "hotqueue" in sys.modules: forked from the supervisor, not a fresh interpreter.
  { path: 'env.py', data: Buffer.from('import os, sys\nprint("hotqueue" in sys.modules, os.environ.get("WORK_SECONDS"), os.environ.get("REDIS_IP"))') },
  { path: 'own/queue.py', data: Buffer.from('WHOSE = "the student\'s own"') },
  { path: 'own/uses_queue.py', data: Buffer.from('import queue\nprint(queue.WHOSE)') },
];

const run = (
  argv: string[],
  options: { name?: string; maxOutputBytes?: number; on?: ScriptHosts; environment?: Record<string, string> } = {},
): Promise<ScriptRun> =>
  startScript({
    hosts: options.on ?? hosts,
    service: 'python',
    argv,
    name: options.name ?? 'run',
    timeoutMs: 30_000,
    maxOutputBytes: options.maxOutputBytes,
    environment: options.environment,
  });
const textOf = (r: ScriptRun, stream?: 'stdout' | 'stderr'): string[] => r.lines.filter((l) => !stream || l.stream === stream).map((l) => l.text);

beforeAll(async () => {
  env = await exercise1Environment(session, files);
  hosts = new ScriptHosts(env);
  if (asRoot) await execa('iptables', ['-w', '-I', ...silence]);
}, 120_000);

afterAll(async () => {
  if (asRoot) await execa('iptables', ['-w', '-D', ...silence], { reject: false });
  await removeEnvironment(session);
  await execa('docker', ['rmi', '-f', noPython], { reject: false });
});

describe('the supervisor of a script container', () => {
  it('runs a Python script as `python3 FILE` would: names, arguments, path, stdin, unbuffered output, traceback and exit code', async () => {
    const forked = await run(['python3', '-u', 'show.py', 'one', 'two']);
    // `-s` changes nothing here, but a fork does not stand in for it: a fresh interpreter runs it.
    const fresh = await run(['python3', '-s', 'show.py', 'one', 'two']);
    const [a, b] = await Promise.all([forked.exited, fresh.exited]);
    expect(a).toMatchObject({ code: 1, description: 'exited with code 1' });
    expect(b).toMatchObject({ code: 1, description: 'exited with code 1' });
    expect(textOf(forked, 'stdout')).toEqual(['preloaded True', "__main__ /lab/show.py ['show.py', 'one', 'two'] /lab '' True"]);
    expect(textOf(fresh, 'stdout')).toEqual(['preloaded False', "__main__ /lab/show.py ['show.py', 'one', 'two'] /lab '' True"]);
    expect(textOf(forked, 'stderr')).toEqual(textOf(fresh, 'stderr'));
    expect(textOf(forked, 'stderr')).toEqual([
      'Traceback (most recent call last):',
      '  File "/lab/show.py", line 6, in <module>',
      '    fail()',
      '  File "/lab/show.py", line 5, in fail',
      '    raise ValueError("as it would")',
      'ValueError: as it would',
    ]);
  });

  it('a run is the student, with no capability, and cannot signal its supervisor, read its stdin or its environment', async () => {
    for (const argv of [
      ['python', 'reach.py'],
      ['python', '-s', 'reach.py'],
    ]) {
      const r = await run(argv);
      expect(await r.exited).toMatchObject({ code: 0 });
      expect(textOf(r), argv.join(' ')).toEqual([
        '1000 1000 [] CapInh=0000000000000000 CapPrm=0000000000000000 CapEff=0000000000000000 CapAmb=0000000000000000 NoNewPrivs=1',
        'supervisor uid 0',
        'signal denied',
        'stdin denied',
        'environ denied',
      ]);
    }
    const after = await run(['python', '-c', 'print("still supervised")']);
    await after.exited;
    expect(textOf(after)).toEqual(['still supervised']);
  });

  it('each forked run draws its own random numbers, as a fresh interpreter would', async () => {
    const draws: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const r = await run(['python', 'dice.py']);
      await r.exited;
      draws.push(textOf(r).join());
    }
    for (const draw of draws) expect(draw).toMatch(/^True 0\.\d+$/);
    expect(new Set(draws).size).toBe(3);
  });

  it('what a script prints cannot pass for the supervisor: forged end frames are output, and the run goes on until stopped', async () => {
    const forged = await run(['python3', 'forge.py']);
    await expect.poll(() => forged.lines.length, { timeout: 10_000 }).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(forged.hasEnded()).toBe(false);
    expect(textOf(forged).join('\n')).toContain('{"ended": 1, "code": 0, "oom": 0}');
    expect(await forged.stop()).toMatchObject({ description: 'stopped by the grader', code: 137 });
    const next = await run(['python3', '-c', 'print("next")']);
    await next.exited;
    expect(textOf(next)).toEqual(['next']);
  });

  it('a flood of output is cut at the bound and counted, and the run ends by itself', async () => {
    const flood = await run(['python3', 'flood.py'], { maxOutputBytes: 64 * 1024 });
    expect(await flood.exited).toMatchObject({ code: 0 });
    expect(flood.outputTruncated()).toBe(true);
    const delivered = flood.lines.reduce((n, l) => n + l.text.length + 1, 0);
    expect(delivered).toBeLessThanOrEqual(64 * 1024);
    expect(delivered).toBeGreaterThan(60 * 1024);
  });

  it('says which address a run waits on that does not answer, and says nothing of a run that connected', async () => {
    const [lost, connected] = await Promise.all([run(['python3', 'blackhole.py'], { name: 'lost' }), run(['python3', 'reaches.py'], { name: 'connected' })]);
    await expect.poll(() => lost.unanswered(), { timeout: 10_000 }).toBe('192.0.2.1:6379');
    expect(lost.hasEnded()).toBe(false);
    await expect.poll(() => textOf(connected), { timeout: 10_000 }).toEqual(['connected']);
    // Longer than a connection request waits for its first answer before the kernel asks again.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(connected.unanswered()).toBeUndefined();
    await Promise.all([lost.stop(), connected.stop()]);
  });

  it('says a run whose connection requests are refused and that has no connection a second later is refused, and nothing of one that then connected', async () => {
    const [refused, reaches] = await Promise.all([
      run(['python3', 'refused.py'], { name: 'refused' }),
      run(['python3', 'refused-then-reaches.py'], { name: 'reaches' }),
    ]);
    // Well before the checks' grace period (context.ts, 5 s): a redis-py 7 client retried for 5 s.
    await expect.poll(() => refused.unanswered(), { timeout: 4_000, interval: 100 }).toBe('refused');
    expect(refused.hasEnded()).toBe(false);
    await expect.poll(() => textOf(reaches), { timeout: 10_000 }).toEqual(['connected']);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(reaches.unanswered()).toBeUndefined();
    await Promise.all([refused.stop(), reaches.stop()]);
  });

  it('says nothing of a run that gives up on an address that does not answer within 3 s, and connects elsewhere', async () => {
    const r = await run(['python3', 'fallback.py'], { name: 'fallback' });
    await expect.poll(() => textOf(r), { timeout: 15_000 }).toEqual(['connected']);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(r.unanswered()).toBeUndefined();
    await r.stop();
  });

  it("a student's module that shadows one the supervisor imported wins, as it would in a fresh interpreter", async () => {
    const r = await run(['python3', 'own/uses_queue.py']);
    expect(await r.exited).toMatchObject({ code: 0 });
    expect(textOf(r)).toEqual(["the student's own"]);
  });
});

describe("a run's own variables (the jobs-api lab's WORK_SECONDS)", () => {
  it("are set for that run only, over the container's, in a forked script and in a command", async () => {
    const r = await run(['python3', 'env.py'], { environment: { WORK_SECONDS: '0.5', REDIS_IP: 'elsewhere' } });
    expect(await r.exited).toMatchObject({ code: 0 });
    expect(textOf(r)).toEqual(['True 0.5 elsewhere']);
    const next = await run(['python3', 'env.py']);
    await next.exited;
    expect(textOf(next)).toEqual(['True None redis-db']);
    const command = await run(['python3', '-c', 'import os; print(os.environ["WORK_SECONDS"])'], { environment: { WORK_SECONDS: '2' } });
    await command.exited;
    expect(textOf(command)).toEqual(['2']);
  });
});

describe('an image without python3', () => {
  it('still runs scripts, each a command started in a container that sleeps', async () => {
    const image = env.images.python!;
    const maker = `${session}-maker`;
    await execa('docker', ['run', '--name', maker, '--user', '0', '--entrypoint', 'sh', image, '-c', 'rm -f /usr/bin/python3* /usr/local/bin/python3*']);
    await execa('docker', ['commit', maker, noPython]);
    await execa('docker', ['rm', '-f', '-v', maker]);
    const plain = new ScriptHosts({ ...env, images: { ...env.images, python: noPython } });
    const r = await run(['sh', '-c', 'id -u; ls /usr/bin | grep -c "^python3" || true'], { on: plain });
    expect(await r.exited).toMatchObject({ code: 0 });
    expect(textOf(r)).toEqual(['1000', '0']);
    const withEnv = await run(['sh', '-c', 'echo "$WORK_SECONDS"'], { on: plain, environment: { WORK_SECONDS: '0.25' } });
    await withEnv.exited;
    expect(textOf(withEnv)).toEqual(['0.25']);
    const ids = (await execa('docker', ['ps', '-q', '--filter', `label=labs.session=${session}`, '--filter', `ancestor=${noPython}`])).stdout
      .split('\n')
      .filter(Boolean);
    expect(ids).toHaveLength(1);
    expect((await execa('docker', ['inspect', '-f', '{{json .Config.Cmd}} {{.Config.User}}', ids[0]!])).stdout).toBe('["sleep","2147483647"] 65534:65534');
    const sleeper = await run(['sh', '-c', 'echo up; sleep 600'], { on: plain });
    await expect.poll(() => sleeper.lines.length, { timeout: 10_000 }).toBe(1);
    expect(await sleeper.stop()).toMatchObject({ description: 'stopped by the grader' });
  }, 120_000);
});
