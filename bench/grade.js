// labs grade on 100 generated exercise-2 submissions (a mix of correct and buggy): submissions per
// minute, the grader's peak RSS, and the ratio against grading one at a time in a fresh
// environment each with the docker CLI, as a shell script would. Goals on the 2-core build
// machine: at least 30 submissions per minute, RSS at most 250 MB.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerRuntime, findLab } from '../dist/runner/index.js';
import { gradeSubmissions } from '../dist/runner/batch/grade.js';
import { defaultJobs } from '../dist/runner/batch/concurrency.js';

function generate(lab, root, count) {
  const variants = readdirSync(join(lab.templatesDir, 'variants'));
  for (let i = 0; i < count; i += 1) {
    const dir = join(root, `student-${String(i).padStart(3, '0')}`);
    mkdirSync(dir, { recursive: true });
    cpSync(join(lab.templatesDir, 'solution'), dir, { recursive: true });
    // Every third one is buggy, cycling through the lab's known-bad variants.
    if (i % 3 === 2) {
      const variant = join(lab.templatesDir, 'variants', variants[i % variants.length]);
      for (const f of readdirSync(variant)) if (f !== 'variant.yaml') cpSync(join(variant, f), join(dir, f));
    }
  }
}

/** One submission the way a shell script over the docker CLI grades it: fresh network and containers. */
function byHand(dir) {
  const n = `labs-bench-${process.pid}-${Date.now().toString(36)}`;
  const docker = (...args) => execFileSync('docker', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  const sleep = (ms) => execFileSync('sleep', [String(ms / 1000)]);
  const start = process.hrtime.bigint();
  docker('network', 'create', '--internal', n);
  docker('volume', 'create', `${n}-data`);
  const redis = () =>
    docker('run', '-d', '--name', `${n}-redis`, '--network', n, '--network-alias', 'redis-db', '-v', `${n}-data:/data`, 'redis:7', '--save', '1', '1');
  try {
    redis();
    const py = (...args) => [
      'run',
      '--rm',
      '--network',
      n,
      '-e',
      'REDIS_IP=redis-db',
      '-e',
      'PYTHONUNBUFFERED=1',
      '-v',
      `${dir}:/lab:ro`,
      '-w',
      '/lab',
      'python:3.10',
      ...args,
    ];
    for (let i = 0; i < 50 && !docker('exec', `${n}-redis`, 'redis-cli', 'ping').includes('PONG'); i += 1);
    docker(...py('python', 'producer.py', ...Array.from({ length: 8 }, (_, i) => `p${i}`)));
    docker(
      'run',
      '-d',
      '--name',
      `${n}-c1`,
      ...py('python', 'consumer.py')
        .slice(1)
        .filter((a) => a !== '--rm'),
    );
    docker(...py('python', 'producer.py', ...Array.from({ length: 50 }, (_, i) => `m${i}`)));
    sleep(3000); // latency: idle, then one more
    docker(...py('python', 'producer.py', 'late'));
    sleep(3000); // blocking: observe idle
    docker('rm', '-f', `${n}-c1`);
    docker(...py('python', 'producer.py', 'keep1', 'keep2'));
    sleep(1300); // persistence: kill and re-create Redis
    docker('kill', `${n}-redis`);
    docker('rm', `${n}-redis`);
    redis();
  } finally {
    execFileSync('docker', ['rm', '-f', `${n}-redis`, `${n}-c1`], { stdio: 'ignore' });
    execFileSync('docker', ['network', 'rm', n], { stdio: 'ignore' });
    execFileSync('docker', ['volume', 'rm', `${n}-data`], { stdio: 'ignore' });
  }
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export async function benchGrade({ count = Number(process.env.BENCH_SUBMISSIONS ?? 100), jobs = Number(process.env.BENCH_JOBS ?? defaultJobs()) } = {}) {
  const runtime = new DockerRuntime();
  const lab = await findLab('exercise-2');
  const root = mkdtempSync(join(tmpdir(), 'labs-bench-grade-'));
  const subs = join(root, 'submissions');
  generate(lab, subs, count);
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  try {
    const start = Date.now();
    const summary = await gradeSubmissions({ runtime, lab, submissionsDir: subs, outDir: join(root, 'out'), concurrency: jobs });
    const minutes = (Date.now() - start) / 60000;
    clearInterval(sampler);
    // Only what was graded counts: an infra-error is quick and is no grade.
    const perMinute = summary.graded / minutes;
    const hand = [byHand(join(subs, 'student-000')), byHand(join(subs, 'student-001'))];
    const handPerMinute = 60000 / ((hand[0] + hand[1]) / 2);
    const rssMb = peak / 1e6;
    return {
      name: `labs grade exercise-2, ${count} generated submissions, -j ${jobs}`,
      figures: [
        `${summary.graded} graded, ${summary.infraErrors} infra-error, ${summary.timeouts} timeout in ${(minutes * 60).toFixed(0)} s: ${perMinute.toFixed(1)} graded per minute (goal ≥ 30 with none left ungraded: ${perMinute >= 30 && summary.graded === count ? 'met' : 'NOT met'})`,
        `grader peak RSS: ${rssMb.toFixed(0)} MB (goal ≤ 250: ${rssMb <= 250 ? 'met' : 'NOT met'})`,
        `one at a time with the docker CLI, fresh environment each (fewer checks): ${(hand.reduce((a, b) => a + b) / hand.length / 1000).toFixed(1)} s per submission, ${handPerMinute.toFixed(1)} per minute`,
        `ratio, labs grade / by hand: ${(perMinute / handPerMinute).toFixed(1)}× the throughput`,
      ],
      met: perMinute >= 30 && summary.graded === count && rssMb <= 250,
    };
  } finally {
    clearInterval(sampler);
    rmSync(root, { recursive: true, force: true });
  }
}
