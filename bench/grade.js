// labs grade on 100 generated exercise-2 submissions (a third buggy, cycling the lab's variants) at
// the default -j, by this checkout's code and by a baseline commit's (BENCH_BASELINE, default
// c98cd4e; "none" skips it) in the same run, one after the other, each in a process of its own:
// graded per minute, infra-errors and timeouts, the grader's peak RSS, the machine's CPU seconds per
// graded submission (all processes, the engine's included), and every result compared with the
// verdict its submission should get. Goals (issue 15): ≥ 60 per minute, ≥ 2× the baseline, no
// infra-error, RSS ≤ 250 MB, no mismatch. BENCH_BY_HAND=1 adds the docker-CLI script for comparison.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { findLab } from '../dist/runner/index.js';
import { defaultJobs } from '../dist/runner/batch/concurrency.js';
import { judgeCase } from '../dist/runner/session/selftest.js';
import { defaultBaseline, prepareBaseline, repoRoot } from './baseline.js';
import { cpuPerSubmission, mismatches, parseResults, waitForPong } from './measure.js';
import { generateSubmissions } from './submissions.js';

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
    waitForPong(`${n}-redis`);
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
    docker('rm', '-f', '-v', `${n}-c1`);
    docker(...py('python', 'producer.py', 'keep1', 'keep2'));
    sleep(1300); // persistence: kill and re-create Redis
    docker('kill', `${n}-redis`);
    docker('rm', `${n}-redis`);
    redis();
  } finally {
    execFileSync('docker', ['rm', '-f', '-v', `${n}-redis`, `${n}-c1`], { stdio: 'ignore' });
    execFileSync('docker', ['network', 'rm', n], { stdio: 'ignore' });
    execFileSync('docker', ['volume', 'rm', `${n}-data`], { stdio: 'ignore' });
  }
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** One batch by the code under `root`, in its own process: grade-once.js's figures. */
async function gradeOnce(root, submissionsDir, outDir, jobs) {
  const figures = `${outDir}.json`;
  const child = spawn(process.execPath, [join(repoRoot, 'bench', 'grade-once.js'), root, 'exercise-2', submissionsDir, outDir, String(jobs), figures], {
    // Its own root as cwd: a course's labs/ found from the cwd would come before the version's own.
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const code = await new Promise((resolve, reject) => child.on('error', reject).on('exit', (c, signal) => resolve(c ?? signal)));
  if (code !== 0) throw new Error(`grading with the code in ${root} ended with ${code}`);
  return JSON.parse(readFileSync(figures, 'utf8'));
}

/** What one code version's batch printed, as figure lines, and its numbers for the comparison. */
function describe(label, figures, found, count) {
  const perMinute = (figures.graded / figures.seconds) * 60;
  const cpu = cpuPerSubmission(figures.cpu, figures.graded);
  const split =
    cpu.containers === undefined
      ? `grader ${cpu.grader.toFixed(2)}, the rest ${cpu.rest.toFixed(2)}`
      : `containers ${cpu.containers.toFixed(2)}, grader ${cpu.grader.toFixed(2)}, engine + kernel + other ${cpu.rest.toFixed(2)}`;
  const lines = [
    `${label}: ${figures.graded} of ${count} graded, ${figures.infraErrors} infra-error, ${figures.timeouts} timeout in ${figures.seconds.toFixed(0)} s: ${perMinute.toFixed(1)} graded per minute`,
    `  grader peak RSS ${(figures.peakRssBytes / 1e6).toFixed(0)} MB; machine CPU ${cpu.busy.toFixed(2)} s per graded submission (${split}); the cores ${((figures.cpu.busy / figures.seconds / availableParallelism()) * 100).toFixed(0)}% busy, with whatever else ran on the machine`,
    `  ${found.length} mismatch(es) against the declared verdicts${found.length ? ':' : ''}`,
    ...found.slice(0, 5).map((m) => `    ${m.student} (${m.name}): ${m.why}`),
    ...(found.length > 5 ? [`    … and ${found.length - 5} more`] : []),
  ];
  return { lines, perMinute, cpuPerGraded: cpu.busy, rssMb: figures.peakRssBytes / 1e6 };
}

const verdict = (ok) => (ok ? 'met' : 'NOT met');

export async function benchGrade({ count = Number(process.env.BENCH_SUBMISSIONS ?? 100), jobs = Number(process.env.BENCH_JOBS ?? defaultJobs()) } = {}) {
  const lab = await findLab('exercise-2');
  const root = mkdtempSync(join(tmpdir(), 'labs-bench-grade-'));
  const subs = join(root, 'submissions');
  const expected = await generateSubmissions(lab, subs, count);
  const rev = process.env.BENCH_BASELINE ?? defaultBaseline;
  const versions = [];
  if (rev !== 'none') {
    const baseline = prepareBaseline(rev);
    versions.push({ key: 'baseline', label: `baseline ${rev} (${baseline.commit.slice(0, 7)})`, root: baseline.dir });
  }
  versions.push({ key: 'today', label: "today (this checkout's dist/)", root: repoRoot });
  try {
    const figures = [
      `the same ${count} submissions (${[...expected.values()].filter((e) => e.mustFail.length).length} buggy), -j ${jobs}, one version after the other on one engine`,
    ];
    const measured = {};
    for (const [i, version] of versions.entries()) {
      process.stderr.write(`grading ${count} submissions with ${version.label}…\n`);
      const out = join(root, `out-${i}`);
      const result = await gradeOnce(version.root, subs, out, jobs);
      const found = mismatches(expected, parseResults(readFileSync(join(out, 'results.jsonl'), 'utf8')), judgeCase);
      measured[version.key] = { ...describe(version.label, result, found, count), result, found };
      figures.push(...measured[version.key].lines);
    }
    const today = measured.today;
    const base = measured.baseline;
    const rateRatio = base ? today.perMinute / base.perMinute : undefined;
    if (base) {
      figures.push(
        `ratio today / baseline: ${rateRatio.toFixed(2)}× the rate, ${(today.cpuPerGraded / base.cpuPerGraded).toFixed(2)}× the CPU per graded submission`,
      );
    }
    const goals = {
      rate: today.perMinute >= 60 && today.result.graded === count,
      ratio: rateRatio !== undefined && rateRatio >= 2,
      infra: today.result.infraErrors === 0,
      rss: today.rssMb <= 250,
      verdicts: today.found.length === 0,
    };
    figures.push(
      `goals (today): ≥ 60 graded per minute, all graded: ${verdict(goals.rate)}; ≥ 2× baseline: ${base ? verdict(goals.ratio) : 'NOT measured (BENCH_BASELINE=none)'}; 0 infra-error: ${verdict(goals.infra)}; RSS ≤ 250 MB: ${verdict(goals.rss)}; 0 mismatches: ${verdict(goals.verdicts)}`,
    );
    if (process.env.BENCH_BY_HAND === '1') {
      const hand = [byHand(join(subs, 'student-000')), byHand(join(subs, 'student-001'))];
      const handPerMinute = 60000 / ((hand[0] + hand[1]) / 2);
      figures.push(
        `one at a time with the docker CLI, fresh environment each (fewer checks): ${(hand.reduce((a, b) => a + b) / hand.length / 1000).toFixed(1)} s per submission, ${handPerMinute.toFixed(1)} per minute; today / by hand: ${(today.perMinute / handPerMinute).toFixed(1)}×`,
      );
    }
    return {
      name: `labs grade exercise-2, ${count} generated submissions, -j ${jobs}`,
      figures,
      met: Object.values(goals).every(Boolean),
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
