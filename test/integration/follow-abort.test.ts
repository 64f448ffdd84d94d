/**
 * Following a container's output ends when asked to, against the real engine, even when the ask
 * comes before the engine has answered. A check session follows the recorder until its last check
 * ends, then waits for the following to end before it removes the session's containers: a follow
 * that missed its abort waited for the recorder to stop, which only that removal would do, and the
 * session (and the batch grading it) hung for good.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runtime } from '../helpers/isolated.js';

const name = `labs-follow-abort-${Date.now().toString(36)}`;
let id: string;

/** Whether following ended within `ms`. */
const endsWithin = (following: Promise<unknown>, ms: number): Promise<string> =>
  Promise.race([following.then(() => 'ended'), sleep(ms).then(() => 'still following')]);

beforeAll(async () => {
  // A container that prints a line a second and never stops by itself.
  const { stdout } = await execa('docker', [
    'run',
    '-d',
    '--name',
    name,
    '--label',
    'labs.test=follow-abort',
    'python:3.10',
    'sh',
    '-c',
    'while :; do echo tick; sleep 1; done',
  ]);
  id = stdout.trim();
}, 60_000);

afterAll(async () => {
  await execa('docker', ['rm', '-f', '-v', name], { reject: false });
});

describe('followLines', () => {
  it('delivers lines until aborted, then ends', async () => {
    const lines: string[] = [];
    const abort = new AbortController();
    const following = runtime.followLines(id, (line) => lines.push(line.text), { maxBytes: 1024, signal: abort.signal });
    await expect.poll(() => lines.length, { timeout: 10_000 }).toBeGreaterThan(0);
    abort.abort();
    expect(await endsWithin(following, 5000)).toBe('ended');
    expect(lines[0]).toBe('tick');
  });

  it('ends when aborted before the engine answered the request', async () => {
    const abort = new AbortController();
    const following = runtime.followLines(id, () => undefined, { maxBytes: 1024, signal: abort.signal });
    abort.abort();
    expect(await endsWithin(following, 5000)).toBe('ended');
  });

  it('ends at once when the signal was aborted already', async () => {
    const following = runtime.followLines(id, () => undefined, { maxBytes: 1024, signal: AbortSignal.abort() });
    expect(await endsWithin(following, 5000)).toBe('ended');
  });
});
