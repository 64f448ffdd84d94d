/**
 * A script container kept for the next submission of a batch slot (run/hosts.ts `begin`,
 * supervisor.py "reset"), against the real engine: what one submission leaves behind (a detached
 * process, files in /tmp and /dev/shm, System V IPC objects) is there for its own later runs (the
 * probe sees it: the control) and gone for the next submission's, which runs in the same container
 * with only its own files in /lab, and its own service environment. Folders locked (0500), and nested
 * deeper than a path can name, are emptied too. The service's pip packages (flask) are imported by
 * the supervisor before any run. Runs are forked by its fork server, made when the container
 * started: the same process before and after the reset, never started afresh (that cost a second
 * import of the lab's libraries at each reset); test/e2e/reuse-memory.test.ts shows that a run
 * finds nothing of the last submission in the memory it starts with.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceSpec } from '../../runner/lab/types.js';
import type { IsolatedEnvironment } from '../../runner/provision/isolated.js';
import { exercise1Environment, removeEnvironment } from '../helpers/isolated.js';
import { ScriptHosts } from '../../runner/run/hosts.js';
import { startScript } from '../../runner/run/script.js';

const session = `reset${Date.now().toString(36)}`;
let env: IsolatedEnvironment;
let hosts: ScriptHosts;

// Leaves a process that outlives its run (a double fork into a session of its own), files in the
// scratch folders, and IPC objects; then ends at once.
const leave = `
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
libc.shmget(0x1234, 4096, 0o1600)
libc.msgget(0x1235, 0o1600)
for path in ('/tmp/leftover', '/dev/shm/leftover'):
    with open(path, 'w') as f:
        f.write('secret of the last submission')
os.makedirs('/tmp/locked/deeper')
os.chmod('/tmp/locked', 0o500)
# Deeper than a path can name (24 folders of 250 characters), the last one locked with a file in it.
fd = os.open('/dev/shm', os.O_RDONLY)
for _ in range(24):
    os.mkdir('a' * 250, dir_fd=fd)
    fd = os.open('a' * 250, os.O_RDONLY, dir_fd=fd)
os.close(os.open('deepest', os.O_WRONLY | os.O_CREAT, dir_fd=fd))
os.chmod(fd, 0o500)
try:
    open('/lab/planted', 'w').write('x')
except OSError as error:
    print('lab not writable:', error.errno)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(600)
    os._exit(0)
os.wait()
print('left', flush=True)
`;

// What a run sees of anything it did not make: other processes of the student, scratch files, IPC, /lab.
const look = `
import json, os
procs = []
for p in os.listdir('/proc'):
    if p.isdigit() and int(p) not in (os.getpid(), os.getppid(), 1):
        try:
            if os.stat('/proc/' + p).st_uid == 1000:
                procs.append(open('/proc/%s/cmdline' % p).read().replace('\\0', ' ').strip())
        except OSError:
            pass
ipc = [l.split()[0] for k in ('shm', 'msg', 'sem') for l in open('/proc/sysvipc/' + k).read().splitlines()[1:]]
print(json.dumps({'procs': procs, 'tmp': sorted(os.listdir('/tmp')), 'shm': sorted(os.listdir('/dev/shm')), 'ipc': ipc, 'lab': sorted(os.listdir('/lab')), 'env': os.environ.get('WHOSE')}))
`;

// The service's pip packages are imported by the supervisor before it forks a run (flask is in the
// stand-in image, from Debian); a distribution the image lacks is skipped.
const withPackages = (spec: ServiceSpec): ServiceSpec => ({ ...spec, packages: { pip: [...spec.packages.pip, 'flask>=2.2', 'no-such-dist'], npm: [] } });
const preloaded = { path: 'preloaded.py', data: Buffer.from('import sys\nprint(*(n in sys.modules for n in ("flask", "hotqueue", "redis")))') };
// A run's parent (the fork server): its pid and the start of its last argument, the list of modules
// it preloads as the engine started it (a supervisor started afresh has its state there instead).
const supervisorArg = {
  path: 'supervisor-arg.py',
  data: Buffer.from('import os\nprint(os.getppid(), open("/proc/%d/cmdline" % os.getppid(), "rb").read().split(b"\\0")[-2].decode()[:9])'),
};

// Leaves a process that kills every other process of its user, for ever.
const killer = {
  path: 'killer.py',
  data: Buffer.from(
    'import os\nprint("killing", flush=True)\nif os.fork() == 0:\n    os.setsid()\n    null = os.open("/dev/null", os.O_RDWR)\n    for fd in (0, 1, 2):\n        os.dup2(null, fd)\n    while True:\n        os.kill(-1, 9)',
  ),
};
// Whether a run's parent is the fork server (whose parent is the supervisor) or the supervisor
// (whose parent is the engine's init, pid 1).
const lineage = {
  path: 'lineage.py',
  data: Buffer.from(
    'import os\nppid = int(open("/proc/%d/stat" % os.getppid()).read().rsplit(")", 1)[1].split()[1])\nprint("supervisor" if ppid == 1 else "fork server")',
  ),
};

const run = async (on: ScriptHosts, argv: string[]): Promise<string[]> => {
  const r = await startScript({ hosts: on, service: 'python', argv, name: 'run', timeoutMs: 30_000 });
  await r.exited;
  return r.lines.filter((l) => l.stream === 'stdout').map((l) => l.text);
};

beforeAll(async () => {
  env = await exercise1Environment(session, [
    { path: 'leave.py', data: Buffer.from(leave) },
    { path: 'look.py', data: Buffer.from(look) },
    preloaded,
    supervisorArg,
  ]);
  hosts = new ScriptHosts({ ...env, services: { ...env.services, python: withPackages({ ...env.services.python!, environment: { WHOSE: 'first' } }) } });
}, 120_000);

afterAll(async () => {
  await removeEnvironment(session);
});

describe('a script container kept for the next submission', () => {
  it('is reset: nothing the last submission left is there, only the new files are in /lab, and the container is the same', async () => {
    expect(await run(hosts, ['python3', 'preloaded.py'])).toEqual(['True True True']);
    // The new container's reset wrote the files and left its supervisor as the engine started it.
    const [forkServer] = await run(hosts, ['python3', 'supervisor-arg.py']);
    expect(forkServer).toMatch(/^\d+ \["hotqueu$/);
    expect(await run(hosts, ['python3', 'leave.py'])).toEqual(['lab not writable: 13', 'left']);
    const first = hosts.acquire('python');
    const container = (await first).containerId;
    hosts.release(await first);
    // The control: within a submission, what a run left is seen by the next run (its processes excepted, killed at each run's end).
    const same = JSON.parse((await run(hosts, ['python3', 'look.py']))[0]!);
    expect(same).toMatchObject({
      procs: [],
      shm: ['a'.repeat(250), 'leftover'],
      lab: ['leave.py', 'look.py', 'preloaded.py', 'supervisor-arg.py'],
      env: 'first',
    });
    expect(same.ipc).toHaveLength(2);

    hosts.begin({
      ...env,
      identity: { ...env.identity, session: `${session}-next` },
      services: { ...env.services, python: withPackages({ ...env.services.python!, environment: { WHOSE: 'next' } }) },
      files: [{ path: 'look.py', data: Buffer.from(look) }, preloaded, supervisorArg, killer, lineage],
    });
    const next = JSON.parse((await run(hosts, ['python3', 'look.py']))[0]!);
    expect(next).toEqual({
      procs: [],
      tmp: [],
      shm: [],
      ipc: [],
      lab: ['killer.py', 'lineage.py', 'look.py', 'preloaded.py', 'supervisor-arg.py'],
      env: 'next',
    });
    // The next submission's runs are forked by the same fork server, which was not started afresh.
    expect(await run(hosts, ['python3', 'supervisor-arg.py'])).toEqual([forkServer]);
    expect(await run(hosts, ['python3', 'preloaded.py'])).toEqual(['True True True']);
    const again = await hosts.acquire('python');
    expect(again.containerId).toBe(container);
    hosts.release(again);

    // A run that leaves a process killing every other process of its user, over and over: the kill
    // by a process of that user may be killed first, and then everything is killed as root, the
    // fork server too. Still nothing is left, and the next run comes from a fork server, never from
    // the supervisor that held the last submission (the supervisor is started afresh with a new one).
    expect(await run(hosts, ['python3', 'killer.py'])).toEqual(['killing']);
    expect(await run(hosts, ['python3', 'lineage.py'])).toEqual(['fork server']);
    expect(JSON.parse((await run(hosts, ['python3', 'look.py']))[0]!)).toMatchObject({ procs: [] });
  }, 120_000);
});
