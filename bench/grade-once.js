// One `labs grade` of a benchmark's submissions by the code under a given root (this checkout, or a
// baseline built by baseline.js), in a process of its own so that its peak RSS and CPU are its own.
// Usage: node bench/grade-once.js ROOT LAB SUBMISSIONS OUT JOBS FIGURES.json
// Writes FIGURES.json: { seconds, graded, infraErrors, timeouts, peakRssBytes, cpu } (cpu: seconds
// from measure.js's cpuBetween over the batch alone).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cpuBetween, cpuNow } from './measure.js';

const [root, labId, submissionsDir, outDir, jobs, figures] = process.argv.slice(2);
const load = (path) => import(pathToFileURL(join(root, 'dist', 'runner', path)).href);
const { DockerRuntime, findLab } = await load('index.js');
const { gradeSubmissions } = await load('batch/grade.js');
const runtime = new DockerRuntime();
const lab = await findLab(labId);
let peak = process.memoryUsage().rss;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
const before = cpuNow();
const start = Date.now();
const summary = await gradeSubmissions({ runtime, lab, submissionsDir, outDir, concurrency: Number(jobs) });
const seconds = (Date.now() - start) / 1000;
const cpu = cpuBetween(before, cpuNow());
clearInterval(sampler);
const { graded, infraErrors, timeouts } = summary;
writeFileSync(figures, JSON.stringify({ seconds, graded, infraErrors, timeouts, peakRssBytes: peak, cpu }));
// The engine's HTTP agent keeps sockets open; the figures are written.
process.exit(0);
