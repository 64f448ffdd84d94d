// The code at an earlier commit, built once into ~/.cache/labs-bench/<commit>/, so that a benchmark
// measures it beside the working tree's in the same run on the same engine.
import { execFileSync, execSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This checkout's root (bench/..). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The baseline the benchmarks compare with when BENCH_BASELINE does not say: the commit before the reuse of containers. */
export const defaultBaseline = 'c98cd4e';

/**
 * The root of a built copy of `rev` (a commit, tag or branch of this repository) with its dist/ and
 * node_modules, built now unless ~/.cache/labs-bench/<commit> holds it already. node_modules is a
 * link to this checkout's when both package-lock.json files are the same, else its own `npm ci`.
 * Throws (a plain Error saying what to do) when `rev` is not in this clone or the build fails.
 */
export function prepareBaseline(rev, log = (line) => process.stderr.write(`${line}\n`)) {
  const git = (...args) =>
    execFileSync('git', args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] })
      .toString()
      .trim();
  let commit;
  try {
    commit = git('rev-parse', '--verify', `${rev}^{commit}`);
  } catch {
    throw new Error(
      `baseline ${rev} is not a commit of this clone: fetch the full history (git fetch --unshallow) or set BENCH_BASELINE=<rev> (none: no baseline)`,
    );
  }
  const dir = join(homedir(), '.cache', 'labs-bench', commit);
  const built = join(dir, '.built');
  if (!existsSync(built)) {
    log(`building baseline ${rev} (${commit.slice(0, 12)}) in ${dir}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    execSync(`git archive --format=tar ${commit} | tar -x -C '${dir}'`, { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const modules = join(dir, 'node_modules');
  const ours = join(repoRoot, 'node_modules');
  const sameLock = readFileSync(join(dir, 'package-lock.json'), 'utf8') === readFileSync(join(repoRoot, 'package-lock.json'), 'utf8');
  // true: a link (maybe to a checkout since removed), false: its own, undefined: none.
  const linked = linkOrNot(modules);
  if (sameLock && (linked === undefined || (linked && readlinkSync(modules) !== ours))) {
    if (linked) rmSync(modules);
    symlinkSync(ours, modules, 'dir');
  } else if (!sameLock && linked !== false) {
    if (linked) rmSync(modules);
    log(`baseline ${rev}: its package-lock.json differs from this checkout's; npm ci`);
    try {
      execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--offline', '--ignore-scripts'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    } catch {
      execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    }
  }
  if (!existsSync(built)) {
    execFileSync('npm', ['run', 'build'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    writeFileSync(built, `${commit}\n`);
  }
  return { dir, commit };
}

function linkOrNot(path) {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return undefined;
  }
}
