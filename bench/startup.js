// How long `labs` takes to start: `labs --version`, `--help`, `list` and `validate`, each run as a
// whole process RUNS times interleaved with `node -e 0` (A B A B …, so that a machine whose speed
// drifts slows both alike). Goal: each command's median wall time within 2x of node's own. `list`
// and `validate` answer from their cache (runner/lab/cache.ts), which the warm-up run fills, as a
// user's first run does; `validate` is also timed with LABS_NO_CACHE=1, the cost of a first run
// or of a run after an edit, for information (no goal).
// Usage: node bench/startup.js [-n RUNS] [-- labs ARGS...]   (the arguments time one command instead)
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'labs.js');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Wall time of one run in ms; throws when the command does not exit as expected. */
function timeRun(args, expectedStatus, env = {}) {
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (run.status !== expectedStatus) {
    throw new Error(`node ${args.join(' ')} exited ${run.status ?? run.signal}, not ${expectedStatus}: ${run.stderr.toString().slice(0, 500)}`);
  }
  return ms;
}

/** Each command: its arguments, its environment, and whether the goal applies to it. */
export const startupCommands = [
  { args: ['--version'] },
  { args: ['--help'] },
  { args: ['list'] },
  { args: ['validate'] },
  { args: ['validate'], env: { LABS_NO_CACHE: '1' }, goal: false },
];

export function benchStartup({ runs = Number(process.env.BENCH_RUNS ?? 20), goalRatio = 2, commands = startupCommands } = {}) {
  const figures = [];
  let met = true;
  for (const { args, env = {}, goal = true } of commands) {
    const labs = [];
    const node = [];
    // One warm-up of each: the first run after a build reads every file from disk (and fills the cache).
    timeRun([bin, ...args], 0, env);
    timeRun(['-e', '0'], 0);
    for (let i = 0; i < runs; i += 1) {
      labs.push(timeRun([bin, ...args], 0, env));
      node.push(timeRun(['-e', '0'], 0));
    }
    const ratio = median(labs) / median(node);
    const ok = ratio <= goalRatio;
    if (goal) met &&= ok;
    const name = [...Object.entries(env).map(([k, v]) => `${k}=${v}`), 'labs', ...args].join(' ');
    figures.push(
      `${name.padEnd(29)} median of ${runs}: ${median(labs).toFixed(0).padStart(4)} ms; node -e 0: ${median(node).toFixed(0).padStart(3)} ms; ratio ${ratio.toFixed(2)}, ${goal ? `goal ${goalRatio}x (${ok ? 'met' : 'NOT met'})` : 'for information'}`,
    );
  }
  return { name: `labs start-up, interleaved with node -e 0`, figures, met };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const n = argv[0] === '-n' ? Number(argv.splice(0, 2)[1]) : undefined;
  const dash = argv.indexOf('--');
  const result = benchStartup({ runs: n, commands: dash >= 0 ? [{ args: argv.slice(dash + 1) }] : undefined });
  console.log(result.name);
  for (const line of result.figures) console.log(`  ${line}`);
}
