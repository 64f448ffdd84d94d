/**
 * `labs check --watch`: the checks run once, then again each time the student saves a file, only
 * those the saved files can change (affected.ts). Saves are gathered for `debounceMs` (an editor
 * writes a file in several steps, a formatter right after); a save that changes a check of the run
 * in flight cancels that run (its session torn down, its containers removed, as on Ctrl-C) and starts
 * one with the checks it had not finished. The file system is watched with chokidar 4 (the one
 * import of it). fs.watch would do for one flat folder, but a workspace may have sub-folders (modules
 * in a package), whose recursive watch on Linux Node has had only since 19.1, and an editor's safe
 * save (write a temporary file, rename it over the old one) arrives as unlink and add: chokidar's
 * `atomic` folds a file re-added within 100 ms into one `change`, on every platform.
 */
import { relative, sep } from 'node:path';
import { watch } from 'chokidar';
import { newSeed } from '../checks/tokens.js';
import { type LabsError, isLabsError } from '../errors.js';
import { isIgnored } from '../intake/paths.js';
import type { CheckSpec, Lab } from '../lab/types.js';
import type { ContainerRuntime } from '../provision/runtime.js';
import type { CheckResult } from '../rubric/score.js';
import { runCheckSession, selectChecks } from '../session/check.js';
import { affectedChecks } from './affected.js';

export type WatchedCheckState = 'waiting' | 'running' | 'done';

export interface WatchView {
  lab: Lab;
  /** Every check watched, in lab order, with its latest result (none before its first run ends). */
  checks: { spec: CheckSpec; state: WatchedCheckState; result: CheckResult | undefined }[];
  /** The saved files that started the current (or last) run; empty for the first run. */
  changed: string[];
  /** Saved files no watched check reads (README.md, say), from the last batch of saves. */
  unread: string[];
  running: boolean;
  /** The current (or last) run's seed. */
  seed: number;
  /** Notes on the submission from the last run that ended (files left out). */
  warnings: string[];
  /** Why the last run could not grade (Docker, an image, the grader's blindness); cleared by the next run that ends. */
  error: LabsError | undefined;
  /** Runs started, and those cancelled by a save. */
  runs: number;
  cancelled: number;
  /** The number of the last run a save cancelled. */
  lastCancelled: number | undefined;
}

export interface WatchOptions {
  runtime: ContainerRuntime;
  lab: Lab;
  /** The folder checked and watched: a workspace or a student's folder. */
  dir: string;
  /** Only these check ids (default: all). USAGE when one is not the lab's. */
  only?: string[];
  /** One seed for every run (default: a new one per run). */
  seed?: number;
  /** How long saves are gathered before a run (default 300). */
  debounceMs?: number;
  /** Aborted: the run in flight is cancelled and torn down, the watch ends. */
  signal: AbortSignal;
  /** Called whenever the view changes (a run starts, a check starts or ends, a run ends). */
  onUpdate: (view: WatchView) => void;
  /** Called once the folder is watched (a save before then may be missed). */
  onReady?: () => void;
}

interface Run {
  controller: AbortController;
  ids: Set<string>;
  done: Promise<void>;
}

/**
 * Watches until `options.signal` aborts; resolves with the last view once the run in flight has been
 * torn down and the watcher closed. A run's infrastructure error is shown (`view.error`) and the
 * watch goes on; an error that is not a LabsError (a bug) ends the watch and is thrown.
 */
export async function watchChecks(options: WatchOptions): Promise<WatchView> {
  const { lab, dir, signal } = options;
  const specs = selectChecks(lab, options.only);
  const view: WatchView = {
    lab,
    checks: specs.map((spec) => ({ spec, state: 'waiting', result: undefined })),
    changed: [],
    unread: [],
    running: false,
    seed: options.seed ?? newSeed(),
    warnings: [],
    error: undefined,
    runs: 0,
    cancelled: 0,
    lastCancelled: undefined,
  };
  const entry = (id: string): WatchView['checks'][number] => view.checks.find((c) => c.spec.id === id)!;
  const update = (): void => options.onUpdate(view);
  const pending = new Set(specs.map((s) => s.id));
  let current: Run | undefined;
  let bug: unknown;
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));

  const startRun = (): void => {
    const ids = new Set(specs.filter((s) => pending.has(s.id)).map((s) => s.id));
    pending.clear();
    const controller = new AbortController();
    const onAbort = (): void => controller.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    view.runs += 1;
    const run = view.runs;
    view.running = true;
    view.seed = options.seed ?? newSeed();
    for (const id of ids) entry(id).state = 'waiting';
    update();
    const finished = new Set<string>();
    const done = runCheckSession({
      runtime: options.runtime,
      lab,
      submission: dir,
      seed: view.seed,
      only: [...ids],
      signal: controller.signal,
      onCheck: (event) => {
        const check = entry(event.id);
        if (event.phase === 'start') check.state = 'running';
        else {
          check.state = 'done';
          check.result = event.result;
          finished.add(event.id);
        }
        update();
      },
    }).then(
      (report) => {
        view.warnings = report.warnings;
        view.error = undefined;
      },
      (error: unknown) => {
        if (controller.signal.aborted && !signal.aborted) {
          view.cancelled += 1;
          view.lastCancelled = run;
        } else if (isLabsError(error) && error.code !== 'INTERRUPTED') view.error = error;
        else if (!isLabsError(error)) {
          bug = error;
          stop();
        }
        // What the run did not finish is run again by the next one.
        for (const id of ids) if (!finished.has(id)) pending.add(id);
      },
    );
    current = {
      controller,
      ids,
      done: done.finally(() => {
        signal.removeEventListener('abort', onAbort);
        current = undefined;
        view.running = false;
        for (const id of ids) if (entry(id).state !== 'done') entry(id).state = entry(id).result ? 'done' : 'waiting';
        if (pending.size && !signal.aborted && bug === undefined) startRun();
        else update();
      }),
    };
  };

  const saved = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    timer = undefined;
    const paths = [...saved].sort();
    saved.clear();
    const affected = affectedChecks(lab, specs, paths);
    view.unread = affected.unread;
    if (affected.checks.length === 0) return update();
    view.changed = paths.filter((p) => !affected.unread.includes(p));
    for (const id of affected.checks) pending.add(id);
    if (current === undefined) return startRun();
    // Only a save that changes what the run in flight is still to judge cancels it.
    const unfinished = [...current.ids].filter((id) => entry(id).state !== 'done');
    if (affected.checks.some((id) => unfinished.includes(id))) current.controller.abort();
    else update();
  };

  const relativePath = (path: string): string => relative(dir, path).split(sep).join('/');
  const watcher = watch(dir, {
    ignoreInitial: true,
    // What intake leaves out is never graded: Redis's dump in ./data, .labs/, __pycache__/.
    ignored: (path, stats) => path !== dir && isIgnored(relativePath(path), stats?.isDirectory() ?? false),
  });
  watcher.on('all', (event, path) => {
    if (event !== 'add' && event !== 'change' && event !== 'unlink') return;
    saved.add(relativePath(path));
    clearTimeout(timer);
    timer = setTimeout(flush, options.debounceMs ?? 300);
  });
  watcher.on('error', (error) => {
    bug = error;
    stop();
  });
  const onStop = (): void => stop();
  signal.addEventListener('abort', onStop, { once: true });
  if (signal.aborted) stop();
  try {
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    options.onReady?.();
    if (!signal.aborted) startRun();
    await stopped;
  } finally {
    signal.removeEventListener('abort', onStop);
    clearTimeout(timer);
    current?.controller.abort();
    await watcher.close();
    while (current) await current.done;
  }
  if (bug !== undefined) throw bug;
  return view;
}
