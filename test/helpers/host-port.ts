/**
 * The host's port 6379, which exercise-1's and exercise-2's workspaces publish (as the course has
 * it): one test file at a time may start such a workspace. A file lock (proper-lockfile) held from
 * the file's `beforeAll` to its `afterAll`, so these files run beside every other test, one after
 * another among themselves, instead of alone at the end.
 */
import { closeSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { afterAll, beforeAll } from 'vitest';

const lockPath = join(tmpdir(), 'labs-test-host-port-6379');

/**
 * Registers hooks that take the port's lock before the file's tests and give it back after them.
 * Waits for another file that holds it (polling, up to about 10 minutes); a lock whose holder died
 * is taken over once stale (15 s without its holder's update).
 */
export function holdsHostPort6379(): void {
  let release: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    closeSync(openSync(lockPath, 'a'));
    release = await lockfile.lock(lockPath, { stale: 15_000, update: 5_000, retries: { retries: 600, factor: 1, minTimeout: 1_000 } });
  }, 660_000);
  afterAll(async () => {
    await release?.();
  });
}
