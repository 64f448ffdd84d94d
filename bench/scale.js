// Two `labs worker`s against one `labs grade --queue` coordinator on one Redis (issue 15 item 4),
// beside one worker alone: N generated exercise-2 submissions (BENCH_SUBMISSIONS, default 40), each
// worker at half the default -j (BENCH_JOBS: the single worker's), every result compared with its
// declared verdict, none lost or recorded twice. Both workers share this machine's cores, so this
// checks the coordination, not a speed-up; the rate of one machine gives the number of workers a
// course needs. Redis: redis-server from PATH on a free port (as the queue tests do), else a
// redis:7 container published on 127.0.0.1.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gradeSubmissions } from '../dist/runner/batch/grade.js';
import { parseQueueUrl } from '../dist/runner/batch/queue.js';
import { defaultJobs } from '../dist/runner/batch/concurrency.js';
import { judgeCase } from '../dist/runner/session/selftest.js';
import { DockerRuntime, findLab } from '../dist/runner/index.js';
import { repoRoot } from './baseline.js';
import { cpuBetween, cpuNow, cpuPerSubmission, duplicated, mismatches, parseResults, workersNeeded } from './measure.js';
import { generateSubmissions } from './submissions.js';

/** A port nobody listens on now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether a Redis on 127.0.0.1:`port` answers PING. */
function answersPing(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    socket.setTimeout(1000, () => socket.destroy());
    socket.on('data', (data) => {
      resolve(data.toString().startsWith('+PONG'));
      socket.destroy();
    });
    socket.on('error', () => resolve(false));
    socket.on('close', () => resolve(false));
  });
}

/** A Redis for the queue: { url, stop }. */
async function startRedis() {
  const port = await freePort();
  const onPath = (() => {
    try {
      execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  let stop;
  if (onPath) {
    const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    stop = () => server.kill();
  } else {
    const name = `labs-bench-queue-${process.pid}`;
    execFileSync('docker', ['run', '-d', '--rm', '--name', name, '-p', `127.0.0.1:${port}:6379`, 'redis:7'], { stdio: 'ignore' });
    stop = () => execFileSync('docker', ['rm', '-f', '-v', name], { stdio: 'ignore' });
  }
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; !(await answersPing(port)); i += 1) {
    if (i > 100) {
      stop();
      throw new Error(`the queue's Redis on port ${port} did not start within 10 s`);
    }
    await pause(100);
  }
  return { url, stop, how: onPath ? 'redis-server' : 'a redis:7 container' };
}

/** `labs worker --queue url -j jobs` as a process of its own; resolves once it says it is ready. */
async function startWorker(url, jobs) {
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'labs.js'), 'worker', '--queue', url, '-j', String(jobs)], {
    // labs worker looks for a course's labs/ from its cwd: this checkout's are the package's own.
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  await new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk) => {
      log += chunk.toString();
      if (log.includes('labs worker: grading jobs')) resolve();
    });
    exited.then((code) => reject(new Error(`labs worker ended with ${code} before it was ready:\n${log}`)));
  });
  return {
    /** How many jobs it completed (its ✓ lines). */
    completed: () => log.split('\n').filter((l) => l.includes('✓')).length,
    /** SIGINT: finish the jobs in hand and stop; resolves when it has. */
    stop: async () => {
      child.kill('SIGINT');
      await exited;
    },
  };
}

/** One batch through the queue on Redis db `db` with `workers` workers of -j `jobs` each. */
async function throughQueue({ lab, subs, out, url, workers, jobs, expected }) {
  const started = await Promise.all(Array.from({ length: workers }, () => startWorker(url, jobs)));
  try {
    const before = cpuNow();
    const start = Date.now();
    const summary = await gradeSubmissions({
      runtime: new DockerRuntime(),
      lab,
      submissionsDir: subs,
      outDir: out,
      concurrency: jobs,
      queue: parseQueueUrl(url),
    });
    const seconds = (Date.now() - start) / 1000;
    const cpu = cpuPerSubmission(cpuBetween(before, cpuNow()), summary.graded);
    const results = parseResults(readFileSync(join(out, 'results.jsonl'), 'utf8'));
    return {
      summary,
      perMinute: (summary.graded / seconds) * 60,
      seconds,
      cpu,
      shares: started.map((w) => w.completed()),
      found: mismatches(expected, results, judgeCase),
      twice: duplicated(results),
      lost: [...expected.keys()].filter((s) => !results.some((r) => r.student === s)),
    };
  } finally {
    await Promise.all(started.map((w) => w.stop()));
  }
}

/** Figure lines of one run. */
function describe(label, run) {
  const { summary, cpu } = run;
  return [
    `${label}: ${summary.graded} graded, ${summary.infraErrors} infra-error, ${summary.timeouts} timeout in ${run.seconds.toFixed(0)} s: ${run.perMinute.toFixed(1)} graded per minute; machine CPU ${cpu.busy.toFixed(2)} s per graded submission (the coordinator's included)`,
    `  jobs completed per worker: ${run.shares.join(' + ')}; recorded twice: ${run.twice.length ? run.twice.join(', ') : 'none'}; lost: ${run.lost.length ? run.lost.join(', ') : 'none'}; mismatches against the declared verdicts: ${run.found.length}`,
    ...run.found.slice(0, 5).map((m) => `    ${m.student} (${m.name}): ${m.why}`),
  ];
}

export async function benchScale({ count = Number(process.env.BENCH_SUBMISSIONS ?? 40), jobs = Number(process.env.BENCH_JOBS ?? defaultJobs()) } = {}) {
  const lab = await findLab('exercise-2');
  const root = mkdtempSync(join(tmpdir(), 'labs-bench-scale-'));
  const subs = join(root, 'submissions');
  const expected = await generateSubmissions(lab, subs, count);
  const redis = await startRedis();
  try {
    // A database per run: the queue keeps finished jobs, and the same files make the same job ids.
    process.stderr.write(`one worker at -j ${jobs}…\n`);
    const one = await throughQueue({ lab, subs, out: join(root, 'out-1'), url: `${redis.url}/1`, workers: 1, jobs, expected });
    const half = Math.max(1, Math.floor(jobs / 2));
    process.stderr.write(`two workers at -j ${half} each…\n`);
    const two = await throughQueue({ lab, subs, out: join(root, 'out-2'), url: `${redis.url}/2`, workers: 2, jobs: half, expected });
    const course = 1000 * 10;
    const window = 15;
    const r = one.perMinute;
    const clean = (run) => run.found.length === 0 && run.twice.length === 0 && run.lost.length === 0 && run.summary.infraErrors === 0;
    const notWorse = two.perMinute >= 0.9 * one.perMinute;
    return {
      name: `labs grade --queue, ${count} generated exercise-2 submissions, through ${redis.how}`,
      figures: [
        ...describe(`1 worker at -j ${jobs}`, one),
        ...describe(`2 workers at -j ${half} each`, two),
        `2 workers / 1 worker: ${(two.perMinute / one.perMinute).toFixed(2)}× the rate. Both workers share this machine's ${availableParallelism()} cores, so this checks the coordination (nothing lost or twice, every verdict as declared, the rate not worse: within 10%), not a speed-up`,
        `a course of 1,000 students × 10 labs (${course.toLocaleString('en')} submissions) in ${window} minutes needs ${Math.ceil(course / window)} graded per minute: at r = ${r.toFixed(1)} per machine (measured here, 1 worker; with fewer submissions than twice -j, r is one submission's latency more than the machine's rate: take bench grade's), ceil(${course} / (r × ${window})) = ${workersNeeded(r, course, window)} workers, one per machine like this one`,
        `goals: coordination clean with 1 and 2 workers: ${clean(one) && clean(two) ? 'met' : 'NOT met'}; 2 workers not slower than 1 (≥ 0.9×): ${notWorse ? 'met' : 'NOT met'}`,
      ],
      met: clean(one) && clean(two) && notWorse,
    };
  } finally {
    redis.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
