# The main process of a container that student scripts run in (runner/run/hosts.ts), under the
# engine's init. Starting a command in a running container costs the engine about 40 ms of CPU; this
# process starts each run, and stops it, on a line written to its stdin instead.
#
# It runs as root with three capabilities only: SETUID and SETGID (to start each run as the student,
# 1000:1000, with none), and KILL (to stop a run and everything it started). Student code cannot
# signal it, trace it or read its stdin, so nothing a script prints can pass for what this process
# says: every byte of a run's output reaches the grader inside a frame this process wrote.
#
# Frames on stdout: one byte of kind ('o' the run's stdout, 'e' its stderr, 'c' a JSON message of
# this process), four bytes of length (big-endian), then the bytes. Commands on stdin, one JSON
# object a line: {"op": "run", "id", "argv", "cwd", "max", "env"}, {"op": "stop", "id"} and
# {"op": "reset", "id", "workdir", "files": [{"path", "data" (base64), "mode"}]}.
#
# A reset makes the container as a fresh one would be for the next submission (the grader reuses
# it, runner/run/hosts.ts): every process of the student's user killed; what that user can write
# emptied (/tmp, /dev/shm, /dev/mqueue) and its System V IPC objects removed, by a process of that
# user; the work folder (a tmpfs only root can write, so student code cannot change it) emptied and
# the new submission's files written into it. It answers {"reset": id, "left": [...]}, what it still
# found of the last submission; anything there, and the grader replaces the container.
#
# Runs are not forked from this process, whose heap holds every submission's files (as the reset
# commands carried them) and every run's output it relayed, and is not cleared when freed: a run
# could read them from the memory it inherits (test/e2e/reuse-memory.test.ts). They are forked from
# a fork server, forked from this process as soon as the lab's libraries are imported and before it
# read any command: a process that reads nothing of any submission. It is sent one byte and three
# descriptors for each run (the run's stdout and stderr, and a memory file with the run command,
# which only the forked run reads), and answers with fixed-size records: the run's pid, or why it
# could not fork; its wait status when it ended. It runs as root, so student code cannot signal or
# trace it; the student's processes are killed by a process of the student's user (kill -1 as that
# user kills all of them, atomically, and nothing else). Should the fork server be gone (killed by
# the last resort of a kill that failed that way), this process starts itself afresh before it
# forks any other run (see renew), and with it a new fork server.
#
# A Python script (`python3 FILE ARGS`, this same interpreter) is started by forking the fork server,
# which has imported the lab's libraries (redis, hotqueue, the service's pip packages) already:
# importing redis and hotqueue costs a new interpreter about 95 ms of CPU, and a lab's check runs a
# dozen scripts. The fork becomes what a fresh `python3 FILE` would be (see run_python); when it
# could not be the same (a file of the student's own would shadow a module already imported, a
# PYTHON* setting), the interpreter is started afresh instead. One difference stays: forks share
# this process's seed of str hashes, so a set of strings iterates in the same order in every run (a
# fresh interpreter draws a seed each).
#
# A run that asks for a connection and gets no answer for three seconds (the kernel sent its SYN a
# third time) is trying an address where nothing is: on the lab's network an address that exists
# answers at once, accepting or refusing. It is said once, with the address, so that the grader
# need not wait out its grace period for a script with a hard-coded IP (control message
# {"unanswered", "address"}). A script that gives up on such an address sooner, and connects
# elsewhere, is not named: the kernel sends a SYN again after 1 s, then 2 s more.
# A connection request refused at once (where the grader's firewall refuses what would leave the
# lab's network, provision/firewall.ts) leaves no socket to see: the container's count of failed
# attempts (/proc/net/snmp, Tcp AttemptFails, one per network namespace) says it. A run whose
# requests failed so, and that has no connection a second after the first, is said the same way,
# with the address "refused": redis-py 6 and later retry a refused connection for about 4 s, and
# the grader would wait out its grace period at each check (measured with redis-py 7.4.1: 5 s).
# Run with -I: nothing of the student's folder or environment reaches this process.
import array
import errno
import json
import os
import select
import shutil
import signal
import socket
import stat
import struct
import sys
import time

STUDENT = 1000
ME = os.getpid()
# What the student's user can write in a container with a read-only root (checked by the tests of
# reuse, test/e2e/reuse-isolation.test.ts): the engine's tmpfs mounts.
SCRATCH = ('/tmp', '/dev/shm', '/dev/mqueue')
SYSV_IPC = ('shm', 'msg', 'sem')
KILL_ROUNDS = 300
# How often a run without a connection has its connection requests looked at, from when; how many
# times a SYN must have been sent again (at 1 s, then 3 s) for its address to count as not answering.
WATCH_EVERY = 0.25
WATCH_FROM = 0.25
UNANSWERED_AFTER = 2
# How long a run whose connection requests were refused may go on without a connection, s.
REFUSED_FOR = 1.0

# The lab's libraries, imported once here so that each forked run has them: the import names the
# grader passes (its first argument, a JSON list: hotqueue, redis and the service's pip packages,
# such as the jobs-api lab's flask, ~56 ms of CPU for each API started). One the image lacks, or
# that fails to import, is left to the run, as a fresh interpreter would meet it.
PRELOAD = [n for n in json.loads(sys.argv[1]) if isinstance(n, str) and all(p.isidentifier() for p in n.split('.'))] if len(sys.argv) > 1 else []
for _name in PRELOAD:
    try:
        __import__(_name)
    except Exception:
        pass
del _name
# Every module a run would find imported: a student file of the same name must win, as it would.
PRELOADED = frozenset(name.split('.')[0] for name in sys.modules)
ALLOWED_ENV = {'PYTHONUNBUFFERED', 'PYTHONDONTWRITEBYTECODE'}
sys.dont_write_bytecode = True


def write_all(data, fd=1):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def send(kind, data):
    write_all(kind + struct.pack('>I', len(data)) + data)


def control(message):
    send(b'c', json.dumps(message).encode())


def others():
    """Every process but the engine's init, this one and the fork server, zombies included."""
    keep = (1, ME, zygote[0] if zygote else ME)
    return [int(n) for n in os.listdir('/proc') if n.isdigit() and int(n) not in keep]


def oom_kills():
    for path in ('/sys/fs/cgroup/memory.events', '/sys/fs/cgroup/memory/memory.oom_control'):
        try:
            with open(path) as f:
                for line in f:
                    key, _, value = line.partition(' ')
                    if key == 'oom_kill':
                        return int(value)
        except OSError:
            pass
    return 0


class Run:
    def __init__(self, command):
        self.id = command['id']
        self.max = int(command['max'])
        self.bytes = 0
        self.truncated = False
        self.status = None
        self.pid = None
        # The number of the fork server's request that forks it; None for a run forked here.
        self.request = None
        self.fds = {}
        self.watching = True
        self.next_watch = time.monotonic() + WATCH_FROM
        self.failed_before = attempt_fails()
        self.refused_since = None


run = None
# Whether this process has held nothing of any submission yet: no reset's files, no run's output.
# A new container's supervisor is such a process, and so is one just started afresh.
clean = True
# Whether this process holds nothing of a submission before the current one: a run may be forked
# from it when the fork server is gone. A reset that does not start it afresh ends that.
only_current = True
# Requests sent to the fork server, which numbers them the same way.
requests = 0
# The fork server (see the top of this file): its pid and this end of the socket to it, while it lives.
zygote = None
# A record from the fork server: its kind (b'S' started, value the run's pid; b'F' could not fork,
# value the errno; b'E' ended, value the wait status) and the number of the request it answers.
RECORD = struct.Struct('>cii')


def ended_children():
    """(pid, wait status) of each child of this process that has ended, collected; none waited for."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        yield pid, status


def reap():
    """Collects every child that ended: a run forked here keeps its exit status; the fork server is gone."""
    for pid, status in ended_children():
        if run is not None and run.request is None and pid == run.pid:
            run.status = status
        if zygote is not None and pid == zygote[0]:
            zygote_gone(reaped=True)


def kill_all():
    """Kills every process but the engine's init, this one and the fork server, until /proc shows none.

    Student code runs as STUDENT, and cannot become another user (no-new-privileges, no capability):
    `kill -1` sent by a process of that user kills all of it at once, and not the fork server. When
    that process cannot be made (a fork bomb holds every pid the container may have), or student code
    kills it first (it is of the same user), `kill -1` as root kills everything, the fork server
    included: the next run then comes from a process started afresh (see spawn).
    """
    for _ in range(KILL_ROUNDS):
        reap()
        if not others():
            return True
        if zygote is None or not kill_as_student():
            try:
                os.kill(-1, signal.SIGKILL)
            except OSError:
                pass
        reap()
        if not others():
            return True
        time.sleep(0.01)
    return False


def kill_as_student():
    """`kill -1` by a process of the student's user, forked and waited for; False when it could not
    be forked, or was killed before it ended."""
    try:
        pid = os.fork()
    except OSError:
        return False
    if pid == 0:
        try:
            as_student()
            os.kill(-1, signal.SIGKILL)
        finally:
            os._exit(0)
    return wait_for(pid) == 0


def wait_for(pid):
    """Waits for child `pid` to end; its wait status (None when it was collected already)."""
    while True:
        try:
            return os.waitpid(pid, 0)[1]
        except InterruptedError:
            continue
        except ChildProcessError:
            return None


def exit_code(status):
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


def start(command):
    global run, clean
    if run is not None:
        control({'error': 'a run is under way'})
        return
    kill_all()
    clean = False
    run = Run(command)
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    try:
        run.pid, run.request = spawn(command, out_w, err_w)
    except OSError as error:
        for fd in (out_r, err_r):
            os.close(fd)
        control({'ended': run.id, 'failed': 'could not start the run: ' + (error.strerror or str(error))})
        run = None
        return
    finally:
        os.close(out_w)
        os.close(err_w)
    run.fds = {out_r: b'o', err_r: b'e'}
    if run.pid is not None:
        control({'started': run.id})


def spawn(command, out_w, err_w):
    """Starts `command`'s run: (None, the request's number) when the fork server forks it, else (its pid, None).

    Without the fork server, a run is forked from this process while it holds nothing of an earlier
    submission; else this process starts afresh first (see renew), and starts the run from there.
    Raises OSError when the run could not be started.
    """
    global requests
    if zygote is not None:
        try:
            ask_zygote(command, out_w, err_w)
            requests += 1
            return None, requests
        except OSError:
            zygote_gone()
    if not only_current:
        renew({'then': command, 'pending': pending.decode('latin1')})
    return fork_run(command, out_w, err_w), None


def fork_run(command, out_w, err_w):
    """Forks `command`'s run from this process; its pid. OSError when it cannot fork."""
    pid = os.fork()
    if pid == 0:
        launch(command, out_w, err_w)
    return pid


def launch(command, out_w, err_w):
    """In a forked process: becomes the run (see child); never returns."""
    code = 127
    try:
        if command is None:
            # Forked by the fork server: the command is in the memory file on descriptor 0.
            with os.fdopen(os.dup(0), 'rb') as f:
                command = json.loads(f.read())
        child(command, out_w, err_w)
    except BaseException as error:
        try:
            what = ' '.join(command['argv']) if command else 'the run'
            os.write(2, ('labs: could not run %s: %s\n' % (what, error)).encode())
        except (OSError, TypeError, KeyError):
            pass
    finally:
        os._exit(code)


def ask_zygote(command, out_w, err_w):
    """Sends the fork server a run: one byte, and the descriptors (stdout, stderr, the command in a memory file)."""
    spec = os.memfd_create('run', os.MFD_CLOEXEC)
    try:
        write_all(json.dumps(command).encode(), spec)
        os.lseek(spec, 0, os.SEEK_SET)
        zygote[1].sendmsg([b'r'], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array('i', [out_w, err_w, spec]))])
    finally:
        os.close(spec)


def start_zygote():
    """Forks the fork server (see the top of this file) from this process, which has read no command yet."""
    global zygote, requests
    if not hasattr(os, 'memfd_create'):
        # Python before 3.8: no memory file to pass a run command in, so runs are forked from this
        # process, which starts afresh at each reset instead.
        return
    mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        pid = os.fork()
    except OSError:
        # Runs are forked from this process instead while it holds nothing of an earlier submission.
        mine.close()
        theirs.close()
        return
    if pid == 0:
        mine.close()
        try:
            serve(theirs)
        finally:
            os._exit(1)
    theirs.close()
    mine.setblocking(False)
    zygote = (pid, mine)
    requests = 0


def serve(sock):
    """The fork server's loop: forks a run for each request, says when each ended; never returns."""
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    poller = select.poll()
    poller.register(sock.fileno(), select.POLLIN)
    poller.register(wake_r, select.POLLIN)
    children = {}
    received = 0
    while True:
        for fd, _ in poller.poll():
            if fd == wake_r:
                try:
                    os.read(wake_r, 4096)
                except OSError:
                    pass
            else:
                try:
                    data, ancillary, _, _ = sock.recvmsg(1, socket.CMSG_SPACE(3 * array.array('i').itemsize))
                except InterruptedError:
                    continue
                if not data:
                    os._exit(0)
                received += 1
                fds = array.array('i')
                for level, kind, raw in ancillary:
                    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                        fds.frombytes(raw[:len(raw) - len(raw) % fds.itemsize])
                if len(fds) != 3:
                    for one in fds:
                        os.close(one)
                    sock.send(RECORD.pack(b'F', received, errno.EINVAL))
                    continue
                try:
                    pid = os.fork()
                except OSError as error:
                    pid = -error.errno
                if pid == 0:
                    os.dup2(fds[2], 0)
                    launch(None, fds[0], fds[1])
                for one in fds:
                    os.close(one)
                if pid < 0:
                    sock.send(RECORD.pack(b'F', received, -pid))
                else:
                    children[pid] = received
                    sock.send(RECORD.pack(b'S', received, pid))
        for pid, status in ended_children():
            if pid in children:
                sock.send(RECORD.pack(b'E', children.pop(pid), status))


def from_zygote():
    """Takes the fork server's records: a run started, could not start, ended; or the fork server gone."""
    global run
    while zygote is not None:
        try:
            data = zygote[1].recv(RECORD.size)
        except BlockingIOError:
            return
        except OSError:
            data = b''
        if len(data) != RECORD.size:
            zygote_gone()
            return
        kind, number, value = RECORD.unpack(data)
        if run is None or run.request != number:
            continue
        if kind == b'S':
            run.pid = value
            control({'started': run.id})
        elif kind == b'E':
            run.status = value
        else:
            for fd in run.fds:
                os.close(fd)
            control({'ended': run.id, 'failed': 'could not start the run: ' + os.strerror(value)})
            run = None


def zygote_gone(reaped=False):
    """The fork server died (killed with everything else): a run of it that did not say how it ended was killed."""
    global zygote
    if zygote is None:
        return
    pid, sock = zygote
    zygote = None
    sock.close()
    if not reaped:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
        wait_for(pid)
    if run is not None and run.request is not None and run.status is None:
        run.status = signal.SIGKILL


def child(command, out_w, err_w):
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.setsid()
    # Out of memory, the kernel kills student code first, never this process.
    with open('/proc/self/oom_score_adj', 'w') as f:
        f.write('1000')
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(out_w, 1)
    os.dup2(err_w, 2)
    os.closerange(3, 65536)
    as_student()
    # A run starts as clean as a fresh container: /tmp empty (as the student, whose files they are).
    empty('/tmp')
    os.chdir(command['cwd'])
    # The grader's own variables for this run (the jobs-api lab's WORK_SECONDS), over the container's.
    os.environ.update(command.get('env') or {})
    argv = command['argv']
    target = forkable(argv)
    if target is not None:
        run_python(*target)
    # A new program gets the signal dispositions a command started by the engine gets.
    for name in ('SIGPIPE', 'SIGXFSZ'):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    os.execvp(argv[0], argv)


def empty(folder):
    for entry in os.scandir(folder):
        try:
            if entry.is_dir(follow_symlinks=False):
                removable(entry.path)
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)
        except OSError:
            pass


def removable(top):
    """Gives back write and search on every folder under `top` that its owner took them from (0500),
    at any depth: folder by folder through descriptors, as deep as a path could never name."""
    try:
        os.chmod(top, 0o700)
    except OSError:
        return
    for _, names, _, fd in os.fwalk(top):
        for name in names:
            try:
                if not stat.S_ISLNK(os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode):
                    os.chmod(name, 0o700, dir_fd=fd)
            except OSError:
                pass


# Options a fork honours already: unbuffered output (PYTHONUNBUFFERED is set), no .pyc written.
FORKABLE_OPTIONS = {'-u', '-B'}


def forkable(argv):
    """(script, arguments) when `argv` runs this interpreter on a file the way a fork can stand in for."""
    rest = argv[1:]
    while rest and rest[0] in FORKABLE_OPTIONS:
        rest = rest[1:]
    if not rest or rest[0].startswith('-'):
        return None
    found = shutil.which(argv[0])
    if not found or os.path.realpath(found) != os.path.realpath(sys.executable):
        return None
    if any(k.startswith('PYTHON') and k not in ALLOWED_ENV for k in os.environ):
        return None
    if not os.environ.get('PYTHONUNBUFFERED'):
        return None
    script = rest[0]
    folder = os.path.dirname(os.path.realpath(script))
    try:
        names = os.listdir(folder)
    except OSError:
        return None
    for name in names:
        if name.split('.')[0] in PRELOADED:
            return None
    return script, rest[1:]


def run_python(script, args):
    """Runs `script` in this process as `python3 script args` would in a fresh interpreter."""
    import atexit
    import builtins
    import importlib.machinery
    import io
    import types
    path = os.path.abspath(script)
    sys.argv = [script] + list(args)
    sys.path.insert(0, os.path.dirname(os.path.realpath(script)))
    enc_out, err_out, err_err = sys.stdout.encoding, sys.stdout.errors, sys.stderr.errors
    # As PYTHONUNBUFFERED makes them: unbuffered, each write straight to the pipe.
    sys.stdin = sys.__stdin__ = io.TextIOWrapper(io.BufferedReader(io.FileIO(0, 'r', closefd=False)), encoding=enc_out, errors=err_out)
    sys.stdout = sys.__stdout__ = io.TextIOWrapper(io.FileIO(1, 'w', closefd=False), encoding=enc_out, errors=err_out, write_through=True)
    sys.stderr = sys.__stderr__ = io.TextIOWrapper(io.FileIO(2, 'w', closefd=False), encoding=enc_out, errors=err_err, write_through=True)
    if 'random' in sys.modules:
        # A fresh interpreter seeds its own; a fork would repeat this process's numbers.
        sys.modules['random'].seed()
    main = types.ModuleType('__main__')
    main.__file__ = path
    main.__cached__ = None
    main.__builtins__ = builtins
    main.__loader__ = importlib.machinery.SourceFileLoader('__main__', path)
    sys.modules['__main__'] = main
    code = 0
    try:
        with open(path, 'rb') as f:
            source = f.read()
        exec(compile(source, path, 'exec', dont_inherit=True), main.__dict__)
    except SystemExit as stop:
        code = system_exit_code(stop)
    except BaseException as error:
        tb = error.__traceback__
        # The traceback starts in the student's file, as it would.
        while tb is not None and tb.tb_frame.f_code.co_filename != path:
            tb = tb.tb_next
        sys.excepthook(type(error), error.with_traceback(tb), tb)
        code = 1
        if isinstance(error, KeyboardInterrupt):
            code = -signal.SIGINT
    finish(code, atexit)


def system_exit_code(stop):
    if stop.code is None:
        return 0
    if isinstance(stop.code, int):
        return stop.code & 0xFF
    try:
        print(stop.code, file=sys.stderr)
    except Exception:
        pass
    return 1


def finish(code, atexit):
    """What the interpreter does on its way out: wait for threads, run atexit, flush."""
    threading = sys.modules.get('threading')
    if threading is not None:
        try:
            threading._shutdown()
        except BaseException:
            pass
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass
    if code == -signal.SIGINT:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
        code = 130
    os._exit(code)


def connections():
    """(whether the container has an established connection, the first address that did not answer)."""
    unanswered = None
    for path, family in (('/proc/net/tcp', socket.AF_INET), ('/proc/net/tcp6', socket.AF_INET6)):
        try:
            with open(path) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            # sl local remote state queues timer retransmits ...; state 01 ESTABLISHED, 02 SYN_SENT
            fields = row.split()
            if len(fields) < 7:
                continue
            if fields[3] == '01':
                return True, None
            if fields[3] == '02' and int(fields[6], 16) >= UNANSWERED_AFTER and unanswered is None:
                unanswered = address(fields[2], family)
    return False, unanswered


def address(field, family):
    """'172.17.0.2:6379' from /proc/net/tcp's '020011AC:18EB' (each 32-bit word in host order)."""
    host, port = field.split(':')
    raw = bytes.fromhex(host)
    raw = b''.join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    if family == socket.AF_INET6 and raw[:12] == bytes(10) + b'\xff\xff':
        raw, family = raw[12:], socket.AF_INET
    text = socket.inet_ntop(family, raw)
    return ('[%s]:%d' if family == socket.AF_INET6 else '%s:%d') % (text, int(port, 16))


def watched():
    """Whether the run under way still has its connection requests looked at."""
    return run is not None and run.watching and run.status is None


def watch():
    """Says once that the run waits on an address that does not answer; stops at its first connection."""
    if not watched():
        return
    now = time.monotonic()
    if now < run.next_watch:
        return
    run.next_watch = now + WATCH_EVERY
    connected, unanswered = connections()
    if not connected and not unanswered and attempt_fails() > run.failed_before:
        run.refused_since = run.refused_since or now
        if now - run.refused_since >= REFUSED_FOR:
            unanswered = 'refused'
    if connected or unanswered:
        run.watching = False
    if unanswered and not connected:
        control({'unanswered': run.id, 'address': unanswered})


def attempt_fails():
    """This network namespace's count of connection requests that failed (refused, unreachable, timed out)."""
    try:
        with open('/proc/net/snmp') as f:
            rows = [line.split() for line in f if line.startswith('Tcp:')]
        return int(rows[1][rows[0].index('AttemptFails')])
    except (OSError, IndexError, ValueError):
        return 0


def poll_timeout():
    if not watched():
        return None
    return max(0, int((run.next_watch - time.monotonic()) * 1000) + 1)


def as_student():
    os.setgroups([])
    os.setgid(STUDENT)
    os.setuid(STUDENT)


def ipc_objects():
    """(kind, id) of every System V IPC object in this container's IPC namespace."""
    found = []
    for kind in SYSV_IPC:
        try:
            with open('/proc/sysvipc/' + kind) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        found += [(kind, int(row.split()[1])) for row in rows if len(row.split()) > 1]
    return found


def remove_ipc():
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    IPC_RMID = 0
    for kind, ident in ipc_objects():
        if kind == 'shm':
            libc.shmctl(ident, IPC_RMID, None)
        elif kind == 'msg':
            libc.msgctl(ident, IPC_RMID, None)
        else:
            libc.semctl(ident, 0, IPC_RMID)


def scrub():
    """Empties what the student's user could write, as that user (its files, its folders)."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            signal.set_wakeup_fd(-1)
            as_student()
            for folder in SCRATCH:
                if os.path.isdir(folder):
                    empty(folder)
            remove_ipc()
            code = 0
        finally:
            os._exit(code)
    wait_for(pid)


def leftovers(workdir, expected):
    """What a reset should have removed and did not: processes, files, IPC objects."""
    left = ['process %d' % pid for pid in others()]
    for folder in SCRATCH:
        try:
            left += [os.path.join(folder, name) for name in os.listdir(folder)]
        except OSError:
            pass
    left += ['System V %s %d' % o for o in ipc_objects()]
    found = set()
    for top, dirs, files in os.walk(workdir):
        for name in files:
            found.add(os.path.relpath(os.path.join(top, name), workdir))
    left += [os.path.join(workdir, p) for p in sorted(found - expected)]
    return left


def safe_path(workdir, path):
    parts = path.split('/')
    if path.startswith('/') or not path or any(p in ('', '.', '..') for p in parts):
        raise ValueError('not a relative path: %r' % path)
    return os.path.join(workdir, *parts)


def reset(command):
    import base64
    global clean, only_current
    if run is not None:
        control({'reset': command['id'], 'left': ['a run under way']})
        return
    was_clean = clean
    clean = False
    kill_all()
    scrub()
    kill_all()
    workdir = command['workdir']
    empty(workdir)
    expected = set()
    try:
        for entry in command['files']:
            target = safe_path(workdir, entry['path'])
            os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, entry.get('mode', 0o644) & 0o755)
            with os.fdopen(fd, 'wb') as f:
                f.write(base64.b64decode(entry['data']))
            expected.add(os.path.relpath(target, workdir))
    except (OSError, ValueError) as error:
        control({'reset': command['id'], 'left': [], 'failed': str(error)})
        return
    answer = {'reset': command['id'], 'left': leftovers(workdir, expected)}
    # Runs are forked from the fork server, which never held any submission. Without it, this
    # process starts afresh (sparing that when it has held nothing of another submission yet, as
    # in a new container's first reset).
    if was_clean or zygote is not None:
        only_current = was_clean
        control(answer)
    else:
        renew({'answer': answer})


def renew(state):
    """Starts this program afresh in this process (and a new fork server with it), which then
    carries on from `state` instead of saying "ready": {"answer": a reset's answer to give},
    {"then": a run command to start, "pending": what it had read of stdin after that command}.

    A new interpreter holds nothing of the submissions before; importing the lab's libraries again
    costs about 0.1 s of CPU. The grader sends nothing after a reset until it has the answer.
    """
    if zygote is not None:
        zygote_gone()
    with open('/proc/self/cmdline', 'rb') as f:
        argv = f.read().split(b'\0')[:-1]
    # The command it was started with (python3 -I -c SOURCE PRELOAD), so the fresh interpreter
    # imports the same libraries, without the state of an earlier renewal.
    argv = argv[:argv.index(b'-c') + 3] + [json.dumps(state).encode()]
    try:
        os.execv(sys.executable, argv)
    except OSError as error:
        if 'then' in state:
            raise
        control({'reset': state['answer']['reset'], 'left': ['a supervisor that could not start afresh: ' + str(error)]})


def stop(command):
    if run is None or run.id != command.get('id'):
        return
    if not kill_all():
        control({'ended': run.id, 'stuck': True})


def relay(fd):
    data = os.read(fd, 65536)
    if not data:
        os.close(fd)
        del run.fds[fd]
        return
    room = run.max - run.bytes
    run.bytes += len(data)
    if run.bytes > run.max:
        run.truncated = True
    if room > 0:
        send(run.fds[fd], data[:room])


def end_if_done():
    global run
    if run is None or run.status is None or run.fds:
        return
    # Whatever the script left running ends with it.
    stuck = not kill_all()
    message = {'ended': run.id, 'code': exit_code(run.status), 'oom': oom_kills(), 'bytes': run.bytes, 'truncated': run.truncated}
    if stuck:
        message['stuck'] = True
    control(message)
    run = None


# What was read of stdin after the last whole command line.
pending = b''


def main():
    global pending
    start_zygote()
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    poller = select.poll()
    poller.register(0, select.POLLIN)
    poller.register(wake_r, select.POLLIN)
    watched = set()
    # Started afresh (see renew): the state it carries on from; else the first word.
    if len(sys.argv) > 2:
        state = json.loads(sys.argv[2])
        if 'answer' in state:
            control(state['answer'])
        pending = state.get('pending', '').encode('latin1')
        if 'then' in state:
            start(state['then'])
    else:
        control({'ready': True, 'preloaded': sorted(n for n in PRELOAD if n in sys.modules)})
    while True:
        fds = set(run.fds) if run is not None else set()
        if zygote is not None:
            fds.add(zygote[1].fileno())
        for fd in watched - fds:
            poller.unregister(fd)
        for fd in fds - watched:
            poller.register(fd, select.POLLIN)
        watched = fds
        for fd, _ in poller.poll(poll_timeout()):
            if fd == wake_r:
                try:
                    os.read(wake_r, 4096)
                except OSError:
                    pass
                reap()
            elif fd == 0:
                data = os.read(0, 65536)
                if not data:
                    kill_all()
                    return
                pending += data
                while b'\n' in pending:
                    line, pending = pending.split(b'\n', 1)
                    command = json.loads(line)
                    if command['op'] == 'run':
                        start(command)
                    elif command['op'] == 'stop':
                        stop(command)
                    elif command['op'] == 'reset':
                        reset(command)
            elif run is not None and fd in run.fds:
                relay(fd)
            elif zygote is not None and fd == zygote[1].fileno():
                from_zygote()
        reap()
        watch()
        end_if_done()


main()
