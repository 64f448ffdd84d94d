/**
 * `labs check --watch` as a student uses it, on a terminal (a pty): a workspace with a broken
 * consumer, the screen cleared and drawn again as checks run, a save of the producer runs only the
 * producer's check again, the fix of the consumer runs its checks, a second save mid-run cancels that
 * run with its containers removed (seen by the engine's labels), and Ctrl-C leaves nothing.
 */
import { copyFile, appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { docker, labs, leftBy, nothing, onTerminal, repoRoot, sweep, tempDir } from '../helpers/labs.js';
import { holdsHostPort6379 } from '../helpers/host-port.js';

holdsHostPort6379();

const templates = join(repoRoot, 'templates', 'exercise-1');
const clear = '\u001b[2J\u001b[3J\u001b[H';

/** The pid of the labs process script(1) started (script → shell → node, or script → node). */
async function labsPid(scriptPid: number): Promise<number> {
  const { stdout } = await execa('ps', ['-e', '-o', 'pid=,ppid=,args=']);
  const rows = stdout.split('\n').map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l)!.slice(1));
  const below = (pid: number): number | undefined => {
    for (const [child, parent, args] of rows) {
      if (Number(parent) !== pid) continue;
      if (args!.startsWith('node ') && args!.includes('labs.js')) return Number(child);
      const found = below(Number(child));
      if (found !== undefined) return found;
    }
    return undefined;
  };
  const pid = below(scriptPid);
  if (pid === undefined) throw new Error(`no labs process under ${scriptPid}`);
  return pid;
}

/** The labs.session labels of the containers a process owns now. */
async function sessionsOf(pid: number): Promise<string[]> {
  const out = await docker(['ps', '-a', '--filter', `label=labs.owner=${(await execa('hostname')).stdout}:${pid}`, '--format', '{{.Label "labs.session"}}']);
  return [...new Set(out.split('\n').filter(Boolean))];
}

describe('labs check --watch', () => {
  let root: string;
  afterAll(async () => sweep(root));

  it('draws on a terminal: not with a machine-readable output, and only on a folder', async () => {
    const dir = await tempDir();
    const json = await labs(['check', 'exercise-1', dir, '--watch', '--json'], { cwd: dir });
    expect(json.exitCode).toBe(2);
    expect(json.stderr).toMatch(/^labs: --watch draws on the terminal and cannot be combined with --json$/m);
    const zip = await labs(['check', 'exercise-1', join(dir, 'alice.zip'), '--watch'], { cwd: dir });
    expect(zip.exitCode).toBe(2);
    expect(zip.stderr).toMatch(/^labs: --watch watches a folder, and .*alice\.zip is not one$/m);
  });

  it('reruns the checks a save can change, cancels a run in flight cleanly, keeps the first failing hint on screen', async () => {
    root = await tempDir();
    const ws = join(root, 'exercise-1');
    expect((await labs(['start', 'exercise-1'], { cwd: root })).exitCode).toBe(0);
    expect((await labs(['stop'], { cwd: ws })).exitCode).toBe(0);
    await copyFile(join(templates, 'solution', 'producer.py'), join(ws, 'producer.py'));
    await copyFile(join(templates, 'variants', 'consumer-exits-when-empty', 'consumer.py'), join(ws, 'consumer.py'));

    const only = 'producer-puts-arguments,delivery-one-consumer,latency-new-message';
    const term = onTerminal(['check', '--watch', '--only', only], { cwd: ws, timeoutMs: 300_000 });
    const pid = await vi.waitFor(() => labsPid(term.child.pid!), { timeout: 10_000 });
    /** The last screen drawn (after the last clear). */
    const last = (): string => term.screen().split(clear).at(-1)!;
    const lastShows = (pattern: RegExp, timeoutMs = 90_000): Promise<void> => expect.poll(last, { timeout: timeoutMs, interval: 100 }).toMatch(pattern);

    // Run 1: every watched check; the consumer stops when the queue is empty.
    await lastShows(/2 of 3 checks not passed: 2\/8 points/);
    expect(last()).toMatch(/run 1 \(first run\)/);
    expect(last()).toMatch(/✗ Every message reaches the consumer exactly once.*\[delivery-one-consumer\]\r?\n {2}50 sent: 25 delivered exactly once, 25 lost/);
    expect(last()).toMatch(/ {2}hint: consumer\.py ended by itself \(exit 0\) instead of waiting/);
    expect(last()).not.toMatch(/blocking-when-idle/);

    // Run 2: a save of producer.py runs the producer's check only; the consumer's results and hint stay.
    const beforeRun2 = term.screen().length;
    await appendFile(join(ws, 'producer.py'), '# saved again\n');
    await lastShows(/run 2 \(producer\.py changed\)[\s\S]*2 of 3 checks not passed/, 60_000);
    const run2 = term.screen().slice(beforeRun2);
    expect(run2).toMatch(/…[^\n]*producer-puts-arguments[^\n]*running/);
    expect(run2).not.toMatch(/…[^\n]*delivery-one-consumer[^\n]*running/);
    expect(last()).toMatch(/ {2}hint: consumer\.py ended by itself/);

    // Run 3: the fix of consumer.py; saved again while its delivery check runs: run 3 is cancelled, its containers removed.
    await copyFile(join(templates, 'solution', 'consumer.py'), join(ws, 'consumer.py'));
    await lastShows(/run 3 \(consumer\.py changed\)[\s\S]*…[^\n]*delivery-one-consumer[^\n]*running/, 30_000);
    const inFlight = await sessionsOf(pid);
    expect(inFlight).toHaveLength(1);
    await appendFile(join(ws, 'consumer.py'), '# saved mid-run\n');
    await lastShows(/run 4 \(consumer\.py changed, run 3 cancelled\)/, 60_000);
    expect(await docker(['ps', '-a', '--filter', `label=labs.session=${inFlight[0]}`, '--format', '{{.Names}}'])).toBe('');
    await lastShows(/All checks passed: 8\/8 points/);
    expect(last()).not.toMatch(/hint:/);

    term.child.stdin!.write('\u0003');
    const result = await term.child;
    expect(result.exitCode).toBe(0);
    expect(await leftBy(pid)).toEqual(nothing);
  }, 400_000);
});
