import { describe, expect, it } from 'vitest';
import type { OutputLineEvent } from '../../../runner/provision/streams.js';
import { SupervisorChannel, preloadedModules, supervisorCommand } from '../../../runner/run/supervisor.js';

/** One frame as run/supervisor.py writes it: a kind byte ('o', 'e' or 'c'), a 4-byte big-endian length, the data. */
const frame = (kind: 'o' | 'e' | 'c', data: string | object): Buffer => {
  const body = Buffer.from(typeof data === 'string' ? data : JSON.stringify(data));
  const head = Buffer.alloc(5);
  head[0] = kind.charCodeAt(0);
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
};

function channel(): { channel: SupervisorChannel; written: string[]; close: () => void } {
  const written: string[] = [];
  let close!: () => void;
  const closed = new Promise<void>((resolve) => (close = resolve));
  const c = new SupervisorChannel();
  c.connect({ write: (data) => written.push(data), closed });
  return { channel: c, written, close };
}

/**
 * A whole run as the supervisor sends it: ready, a line split across two frames and a character (é)
 * split across two more, stderr in between, the address it got no answer from, then its end.
 */
const runBytes = (id: number): Buffer => {
  const split = Buffer.from('1-é\n');
  return Buffer.concat([
    frame('c', { ready: true }),
    frame('o', 'Received: k7fq2-00'),
    Buffer.concat([Buffer.from([0x6f, 0, 0, 0, 4]), split.subarray(0, 4)]),
    Buffer.concat([Buffer.from([0x6f, 0, 0, 0, 5]), split.subarray(4), Buffer.from('next')]),
    frame('e', 'Traceback\n'),
    frame('c', { unanswered: id, address: '172.17.0.2:6379' }),
    frame('c', { ended: id, code: 3, oom: 0, bytes: 42, truncated: false }),
  ]);
};

describe('SupervisorChannel: the frames run/supervisor.py writes on its stdout', () => {
  it('reads the same run whatever the reads look like: split at every byte, and a byte at a time', async () => {
    const bytes = runBytes(1);
    const expected = ['stdout:Received: k7fq2-001-é', 'stderr:Traceback', 'stdout:next'];
    const chunkings: Buffer[][] = [
      ...Array.from({ length: bytes.length - 1 }, (_, cut) => [bytes.subarray(0, cut + 1), bytes.subarray(cut + 1)]),
      [...bytes].map((b) => Buffer.from([b])),
    ];
    for (const chunks of chunkings) {
      const { channel: c, written } = channel();
      const lines: OutputLineEvent[] = [];
      const run = c.run(['python3', 'consumer.py'], '/lab', 1024, (line) => lines.push(line));
      for (const chunk of chunks) c.onStdout(chunk);
      await expect(c.ready).resolves.toBeUndefined();
      expect(await run.finished).toEqual({ exitCode: 3, bytes: 42, truncated: false });
      expect(lines.map((l) => `${l.stream}:${l.text}`)).toEqual(expected);
      expect(run.unanswered()).toBe('172.17.0.2:6379');
      expect(run.hasEnded()).toBe(true);
      expect(JSON.parse(written[0]!)).toEqual({ op: 'run', id: 1, argv: ['python3', 'consumer.py'], cwd: '/lab', max: 1024, env: {} });
    }
  });

  it("ignores another run's end and unanswered address: only the current run's id counts", async () => {
    const { channel: c } = channel();
    const run = c.run(['x'], '/lab', 1024, () => undefined);
    c.onStdout(Buffer.concat([frame('c', { unanswered: 7, address: '10.0.0.1:6379' }), frame('c', { ended: 7, code: 0 })]));
    expect(run.hasEnded()).toBe(false);
    expect(run.unanswered()).toBeUndefined();
    c.onStdout(runBytes(1));
    expect((await run.finished).exitCode).toBe(3);
  });

  it('a run the supervisor could not start is DOCKER_FAILED with its reason', async () => {
    const { channel: c } = channel();
    const run = c.run(['x'], '/lab', 1024, () => undefined);
    c.onStdout(frame('c', { ended: 1, failed: 'no such file: x' }));
    await expect(run.finished).rejects.toMatchObject({ code: 'DOCKER_FAILED', message: 'the script could not start: no such file: x' });
  });

  it('a container that goes away mid-run ends the run as killed (137), and fails `ready` with what it said on stderr', async () => {
    const { channel: c, close } = channel();
    const run = c.run(['x'], '/lab', 1024, () => undefined);
    c.onStdout(frame('o', 'half a li'));
    c.onStderr(Buffer.from('ModuleNotFoundError: json\n'));
    close();
    expect(await run.finished).toMatchObject({ exitCode: 137 });
    await expect(c.ready).rejects.toThrow('its supervisor ended before it was ready: ModuleNotFoundError: json');
    expect(() => c.run(['x'], '/lab', 1024, () => undefined)).toThrow(expect.objectContaining({ code: 'CONTAINER_GONE' }));
  });
});

describe('the modules the supervisor imports before forking runs', () => {
  it("are hotqueue, redis and the service's pip distributions by import name, each once; an entry that cannot be read is skipped", () => {
    expect(preloadedModules(['hotqueue', 'redis>=4.2,<8', 'flask>=2.2', 'Typing-Extensions', 'bad[extra]'])).toEqual([
      'hotqueue',
      'redis',
      'flask',
      'typing_extensions',
    ]);
    expect(preloadedModules([])).toEqual(['hotqueue', 'redis']);
  });

  it('reach it as its first argument, a JSON list after the source', () => {
    expect(supervisorCommand(['hotqueue', 'flask']).slice(-1)).toEqual(['["hotqueue","flask"]']);
  });
});
