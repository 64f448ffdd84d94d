import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * Tests that act on or look at the whole engine or host, whoever else uses it, run last, one at a
 * time, once everything else has ended: `labs prune --all` (removes every labs session), taking
 * every network address range, asserting that no `labs:` firewall rule exists at all, `labs doctor`
 * counting every session left behind, a dead session planted for `labs prune` to fail on, the
 * lifecycle's workspaces beside its `labs prune --all`, and fork bombs. The other files that start
 * workspaces publishing the host's port 6379 run beside the rest, one at a time among themselves
 * (test/helpers/host-port.ts).
 */
const exclusive = [
  'test/e2e/lifecycle.test.ts',
  'test/integration/address-pools.test.ts',
  'test/e2e/containment.test.ts',
  'test/e2e/doctor.test.ts',
  'test/e2e/prune.test.ts',
  // Fork bombs against the pids and memory limits: with other sessions beside them on two cores, a
  // bomb was killed by its limits before the grader stopped it (seen once in CI), which the test, about
  // the grader's stop, does not ask.
  'test/integration/fork-bombs.test.ts',
];

/**
 * Files that start workspaces publishing the host's port 6379 and hold its lock meanwhile
 * (test/helpers/host-port.ts): spread over the run, so that a lane seldom waits for the lock.
 */
const hostPortFiles = ['/test/e2e/workspace.test.ts', '/test/e2e/errors.test.ts', '/test/e2e/watch.test.ts'];

/**
 * The longest file first (`labs selftest` of every lab, 2–3 min), then e2e, integration and unit
 * files, each tier in vitest's own order (the longest first once it has timings; by size in a clean
 * clone): the short unit files fill the lanes at the end instead of a long file starting last. The
 * files of `hostPortFiles` are then spread evenly through that order.
 */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification): number => {
      const path = f.moduleId.replaceAll('\\', '/');
      return ['/test/e2e/selftest.test.ts', '/test/e2e/', '/test/integration/', '/test/'].findIndex((p) => path.includes(p));
    };
    const sorted = (await super.sort(files))
      .map((f, i) => ({ f, i }))
      .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
      .map(({ f }) => f);
    const holdsPort = (f: TestSpecification): boolean => hostPortFiles.some((p) => f.moduleId.replaceAll('\\', '/').endsWith(p));
    const spread = sorted.filter(holdsPort);
    const rest = sorted.filter((f) => !holdsPort(f));
    // The k-th of n at k/(n+1) of the way through the others.
    spread.forEach((f, k) => rest.splice(Math.round(((k + 1) * rest.length) / (spread.length + 1)) + k, 0, f));
    return rest;
  }
}

/**
 * Four tiers (`npm test` runs them all; `npm run test:unit` the first alone):
 * - unit: no Docker, no root, no browser: pure code, and Node.js processes of our own (the recorder).
 * - integration: one module at a time against real Docker, Redis, Python, Chromium.
 * - e2e: the CLI as a process.
 * - exclusive: the files of `exclusive` above, taken out of the other two, one at a time after them.
 * The first three run side by side, three files at a time in all (vitest runs the projects of one group in one
 * pool of workers): sessions are isolated by design (their own networks; labels naming their
 * owning process, which `labs prune` respects), and tests look only at what their own processes
 * made. Three, not more: the machine has two cores, and `labs selftest` runs four sessions at once.
 */
export default defineConfig({
  test: {
    testTimeout: 180_000,
    hookTimeout: 180_000,
    reporters: ['default'],
    maxWorkers: 3,
    sequence: { sequencer: LongestFirst },
    // GitHub's workflow parser imports its schema (workflow-v1.0.min.json) without `with { type: 'json' }`,
    // which Node refuses; vite's transform of it loads the JSON.
    server: { deps: { inline: ['@actions/workflow-parser'] } },
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'], exclude: exclusive } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], exclude: exclusive } },
      { extends: true, test: { name: 'exclusive', include: exclusive, maxWorkers: 1, sequence: { groupOrder: 1 } } },
    ],
  },
});
