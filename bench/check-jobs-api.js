// `labs check jobs-api` on the reference solution with warm images, as a user runs it (the CLI, a
// whole process): median wall time over N runs, the lab's deliberate waits (the workers' WORK_SECONDS
// and the time jobs are left with no worker) reported apart, and the ratio against the same steps
// done by hand with curl and the docker CLI in the same run (network, Redis, the API and a worker,
// one job posted and polled until complete). Goal on the 2-core build machine: at most the waits + 5 s.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DockerRuntime, findLab, runCheckSession } from '../dist/runner/index.js';
import { waitForPong } from './measure.js';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'labs.js');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

/**
 * The waits the lab's checks make on purpose, ms, from lab.yaml: each job a worker does takes
 * work_seconds, one after another per worker; queue-holds-without-worker also leaves its jobs 1 s
 * with no worker (its holdMs), and its worker started again does `jobs` of them (those still queued
 * at the kill and one posted meanwhile; the killed one's work is never waited out). The jobs a
 * worker skips (no record, a malformed one) take no time.
 */
export function deliberateWaitsMs(lab) {
  const perKind = {
    'job-lifecycle': (c) => (c.jobs ?? 3) * (c.work_seconds ?? 0.5),
    'workers-share': (c) => Math.ceil((c.jobs ?? 6) / (c.replicas ?? 2)) * (c.work_seconds ?? 0.5),
    'queue-holds-without-worker': (c) => 1 + (c.jobs ?? 3) * (c.work_seconds ?? 0.5),
    'worker-keeps-running': (c) => c.work_seconds ?? 0.5,
    'redis-from-env': (c) => c.work_seconds ?? 0.5,
  };
  return lab.checks.reduce((sum, c) => sum + (perKind[c.kind]?.(c) ?? 0) * 1000, 0);
}

/** One `labs check jobs-api DIR --json`, the whole process: its wall time, ms. */
function viaCli(dir) {
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, [bin, 'check', 'jobs-api', dir, '--json'], { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (run.status !== 0)
    throw new Error(`labs check jobs-api exited ${run.status ?? run.signal} on the reference solution: the benchmark is void\n${run.stderr}`);
  const report = JSON.parse(run.stdout.toString());
  if (report.score !== report.maxScore) throw new Error(`the reference solution scored ${report.score}/${report.maxScore}: the benchmark is void`);
  return ms;
}

/** One session in this process, timed by phase: provisioning, each check, teardown (ms). */
async function inProcess(runtime, lab, dir) {
  const t0 = Date.now();
  const checks = {};
  let first;
  let last;
  const report = await runCheckSession({
    runtime,
    lab,
    submission: dir,
    onCheck: (e) => {
      if (e.phase === 'start') first ??= Date.now();
      else {
        checks[e.id] = e.result.durationMs;
        last = Date.now();
      }
    },
  });
  if (report.score !== report.maxScore) throw new Error(`the reference solution scored ${report.score}/${report.maxScore}: the benchmark is void`);
  return { ms: Date.now() - t0, provisionMs: first - t0, checksMs: last - first, teardownMs: Date.now() - last, checks };
}

/** The same service run by hand: what a shell script over the docker CLI and curl does for one job. */
function byHand(dir, workSeconds) {
  const n = `labs-bench-jobs-${process.pid}-${Date.now().toString(36)}`;
  const docker = (...args) =>
    execFileSync('docker', args, { stdio: ['ignore', 'pipe', 'pipe'] })
      .toString()
      .trim();
  const curl = (...args) => spawnSync('curl', ['-s', '--max-time', '2', ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
  const python = (name, file, env) =>
    docker(
      'run',
      '-d',
      '--name',
      `${n}-${name}`,
      '--network',
      n,
      ...env.flatMap((e) => ['-e', e]),
      '-v',
      `${dir}:/lab:ro`,
      '-w',
      '/lab',
      'python:3.10',
      'python',
      '-u',
      file,
    );
  const start = process.hrtime.bigint();
  docker('network', 'create', n);
  try {
    docker('run', '-d', '--name', `${n}-redis`, '--network', n, '--network-alias', 'redis-db', 'redis:7', '--save', '1', '1');
    waitForPong(`${n}-redis`);
    python('api', 'src/api.py', ['REDIS_IP=redis-db']);
    python('worker', 'src/worker.py', ['REDIS_IP=redis-db', `WORK_SECONDS=${workSeconds}`]);
    const ip = docker('inspect', '-f', `{{(index .NetworkSettings.Networks "${n}").IPAddress}}`, `${n}-api`);
    const url = `http://${ip}:5000/jobs`;
    for (let i = 0; i < 300 && curl(url).status !== 0; i += 1) execFileSync('sleep', ['0.05']);
    const posted = curl('-X', 'POST', url, '-H', 'Content-Type: application/json', '-d', '{"start": 1, "end": 5}');
    const { id } = JSON.parse(posted.stdout.toString());
    let status = '';
    for (let i = 0; i < 200 && status !== 'complete'; i += 1) {
      execFileSync('sleep', ['0.1']);
      status = JSON.parse(curl(`${url}/${id}`).stdout.toString() || '{}').status ?? '';
    }
    if (status !== 'complete') throw new Error(`by hand, the job posted never completed (last status "${status}")`);
  } finally {
    execFileSync('docker', ['rm', '-f', '-v', `${n}-redis`, `${n}-api`, `${n}-worker`], { stdio: 'ignore' });
    execFileSync('docker', ['network', 'rm', n], { stdio: 'ignore' });
  }
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export async function benchCheckJobsApi({ runs = Number(process.env.BENCH_RUNS ?? 5), slackMs = 5000 } = {}) {
  const lab = await findLab('jobs-api');
  const dir = mkdtempSync(join(tmpdir(), 'labs-bench-jobs-'));
  cpSync(join(lab.templatesDir, 'solution'), dir, { recursive: true });
  const waitsMs = deliberateWaitsMs(lab);
  const workSeconds = lab.checks.find((c) => c.kind === 'job-lifecycle')?.work_seconds ?? 0.5;
  try {
    viaCli(dir); // warm: prepared images, the lab cache
    const runtime = new DockerRuntime();
    const cli = [];
    const sessions = [];
    const manual = [];
    // Interleaved, so that a machine whose speed drifts slows all three alike.
    for (let i = 0; i < runs; i += 1) {
      cli.push(viaCli(dir));
      sessions.push(await inProcess(runtime, lab, dir));
      manual.push(byHand(dir, workSeconds));
    }
    const m = median(cli);
    const phase = (key) => median(sessions.map((r) => r[key]));
    const perCheck = Object.keys(sessions[0].checks).map((id) => `${id} ${seconds(median(sessions.map((r) => r.checks[id])))}`);
    const hand = median(manual);
    const goalMs = waitsMs + slackMs;
    const met = m <= goalMs;
    return {
      name: 'labs check jobs-api (reference solution, warm images)',
      figures: [
        `the CLI, median wall time over ${runs} runs: ${seconds(m)} (min ${seconds(Math.min(...cli))}, max ${seconds(Math.max(...cli))})`,
        `in process, median: ${seconds(phase('ms'))}: provisioning ${seconds(phase('provisionMs'))}, the 8 checks ${seconds(phase('checksMs'))}, teardown ${seconds(phase('teardownMs'))}`,
        `each check, median: ${perCheck.join(', ')}`,
        `deliberate waits (WORK_SECONDS of each job a worker does, 1 s of jobs with no worker): ${seconds(waitsMs)}; the CLI's rest: ${seconds(m - waitsMs)}`,
        `goal: waits + ${slackMs / 1000} s = ${seconds(goalMs)} (${met ? 'met' : 'NOT met'})`,
        `by hand with the docker CLI and curl (network, Redis, API, worker, one job posted and polled until complete, removed): ${seconds(hand)}, ${seconds(hand - workSeconds * 1000)} without its ${workSeconds} s of work`,
        `ratio, labs check without its waits / by hand without its work: ${((m - waitsMs) / (hand - workSeconds * 1000)).toFixed(2)} (labs check runs 8 checks, each with its own API and workers)`,
      ],
      met,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
