/**
 * One submission end to end: its files read, an isolated environment (a Redis of its own; the lab
 * network, recorder and script containers of its batch slot, reset for it: slot.ts), every check of
 * the lab in order against a clean Redis, a report; teardown in `finally`, whatever happens.
 */
import { posix } from 'node:path';
import { codecFor } from '../checks/codec.js';
import { type CheckContext, defaultQueue, untilClientsGone, waitFor } from '../checks/context.js';
import { phrasings } from '../checks/diagnose.js';
import { hostsOf, judgedFromWire, renamesRedis, runKind } from '../checks/kinds/index.js';
import { type Probe, openFollowingProbe, redisRefusal } from '../checks/probe.js';
import { type CheckOutcome, outcome } from '../checks/outcome.js';
import { newSeed, seededRandom, tokenSource } from '../checks/tokens.js';
import { WireLog } from '../checks/wire.js';
import { LabsError, isLabsError } from '../errors.js';
import { blindError, blindSpots } from '../checks/evidence.js';
import { type CheckReport, type CheckResult, buildReport, scoreCheck } from '../rubric/score.js';
import { type SubmissionFiles, readSubmission, submissionKind } from '../intake/read.js';
import { type LabServices, type UnusableComposeFile, labServices, parseComposeFile } from '../lab/compose.js';
import { formatProblem, plural } from '../lab/problem.js';
import { redisPinNotes, requirementsFilesOf } from '../lab/requirements.js';
import type { CheckSpec, Lab, ServiceSpec } from '../lab/types.js';
import type { ArchiveEntry } from '../provision/archive.js';
import type { ContainerRuntime } from '../provision/runtime.js';
import { closeLabNetwork, confinement, detachSession, provisionIsolated } from '../provision/isolated.js';
import type { ImageEvent } from '../provision/images.js';
import { type SessionMode, currentOwner, newSessionId } from '../provision/labels.js';
import { ScriptHosts } from '../run/hosts.js';
import { GradingSlot, type Recording } from './slot.js';
import { startScript } from '../run/script.js';
import { type IdleScriptHost, httpPort, redisPort } from './ports.js';

export interface CheckSessionOptions {
  runtime: ContainerRuntime;
  lab: Lab;
  /**
   * The submission: its files as intake read them (a batch's, in memory), or the path of a
   * workspace, a student's folder, .zip or .tar.gz that intake reads at the start (LabsError 'USAGE'
   * when it is none of these). Either way its files are named by their path in it, never by where
   * they were read from, and intake's warnings (files left out, and why) are the report's.
   */
  submission: string | Pick<SubmissionFiles, 'files' | 'warnings'>;
  seed?: number;
  /** Only these check ids (default: all, in lab order). */
  only?: string[];
  mode?: SessionMode;
  scriptTimeoutMs?: number;
  signal?: AbortSignal;
  onImage?: (event: ImageEvent) => void;
  /** Called as each check starts and ends, for progress displays. */
  onCheck?: (event: { id: string; title: string; phase: 'start' } | { id: string; title: string; phase: 'end'; result: CheckResult }) => void;
  /** The recorder runs on Node.js; any image with it will do. */
  recorderImage?: string;
  /** The session's id, its resources' label (default: a new one). */
  session?: string;
  /**
   * Takes the removal of the session's containers instead of waiting for it: a batch starts the
   * next submission meanwhile, and waits for every removal at its end.
   */
  teardown?: (removal: Promise<void>) => void;
  /**
   * A batch slot whose network and script containers this session uses and leaves for the next
   * (session/slot.ts); the caller closes it. Without one, the session makes its own and removes it.
   */
  slot?: GradingSlot;
}

/** The submission's files and intake's warnings, read now when given as a path. */
async function submissionOf(submission: CheckSessionOptions['submission']): Promise<Pick<SubmissionFiles, 'files' | 'warnings'>> {
  if (typeof submission !== 'string') return submission;
  return readSubmission(submission, await submissionKind(submission));
}

/**
 * The services a submission's checks run in: the lab's own, or those of its compose file, read from
 * the submission's files (paths relative to it, so problems name `docker-compose.yml:5:1`).
 */
export function submissionServices(lab: Lab, files: readonly ArchiveEntry[]): LabServices {
  const name = lab.compose === undefined ? undefined : posix.normalize(lab.compose);
  const file = name === undefined ? undefined : files.find((f) => f.path === name);
  const read = (path: string): string | undefined => files.find((f) => f.path === path)?.data.toString('utf8');
  return labServices(lab, file && parseComposeFile(file.data.toString('utf8'), file.path, { redisService: lab.redisService, purpose: 'grade', read }));
}

/**
 * The student services' environment as the submission's compose file sets it (environment: and
 * env_file:, before labs adds the contract's REDIS_IP to every student service), and where (see
 * CheckContext's serviceEnvironments); undefined for a lab without a compose file or one unread.
 */
export function serviceEnvironments(lab: Lab, files: readonly ArchiveEntry[], services: Record<string, ServiceSpec>): CheckContext['serviceEnvironments'] {
  const name = lab.compose === undefined ? undefined : posix.normalize(lab.compose);
  const file = name === undefined ? undefined : files.find((f) => f.path === name);
  if (file === undefined) return undefined;
  const read = (path: string): string | undefined => files.find((f) => f.path === path)?.data.toString('utf8');
  const own = parseComposeFile(file.data.toString('utf8'), file.path, { redisService: lab.redisService, purpose: 'grade', read });
  if (own.services === undefined || own.source === undefined) return undefined;
  const { source } = own;
  const student = Object.values(services).filter((s) => s.student && own.services![s.name] !== undefined);
  return Object.fromEntries(
    student.map((s) => [
      s.name,
      { environment: own.services![s.name]!.environment, at: `${file.path}:${source.locate(['services', s.name, 'environment'], 'key').line}` },
    ]),
  );
}

/**
 * What every check of a compose lab says when the student's compose file cannot be used (missing,
 * not YAML, not what Compose accepts, a service missing): no check can run without the containers it
 * defines. The student's input, so failed checks (exit 1) with the same words in every output mode
 * and in a batch's feedback, never an error; a lab's own broken file is LAB_INVALID when it loads.
 */
export function unusableComposeOutcome(labId: string, unusable: UnusableComposeFile): CheckOutcome {
  const { file } = unusable;
  const restore = `\`labs start ${labId} --dir .\` in your folder copies the course's file (only files that are missing)`;
  if (unusable.missing) {
    return outcome(false, `not run: there is no ${file}, and lab ${labId} runs its containers from it`, {
      diagnosis: [`add ${file} next to your scripts: every check runs the containers it defines. ${restore}`],
    });
  }
  const errors = unusable.problems.filter((p) => p.severity === 'error');
  const first = errors[0] ?? unusable.problems[0];
  const more = errors.length > 1 ? ` (and ${plural(errors.length - 1, 'more problem')} in ${file})` : '';
  return outcome(false, `not run: ${first ? formatProblem(first) : `${file} cannot be used`}${more}`, {
    // The errors only: a note on a key labs ignores is no reason the file cannot be used.
    details: errors.length > 1 ? errors.map((p) => formatProblem(p)) : [],
    diagnosis: [
      `fix ${file} at the line:col given: every check runs the containers it defines, so none can run until it is valid. To start again instead, rename yours: ${restore}`,
    ],
  });
}

/**
 * The script containers of `service` (the lab's first student service), lent one at a time to the
 * address check's move (session/ports.ts); undefined for a lab without one (the move then takes a
 * placeholder).
 */
function idleHostsOf(hosts: ScriptHosts, service: string | undefined): IdleScriptHost | undefined {
  if (service === undefined) return undefined;
  return { acquire: () => hosts.acquire(service), release: (host) => hosts.release(host) };
}

/**
 * One check on a clean Redis; Redis refusing the grader's own commands fails the check, with why. A
 * check judged from the wire that fails while the wire log has a blind spot (see checks/evidence.ts)
 * throws WIRE_UNREADABLE instead: the grader does not know what happened.
 */
async function runCheckKind(ctx: CheckContext, spec: CheckSpec): Promise<CheckOutcome> {
  const from = Date.now();
  const result = await judgedOrRefused(ctx, spec);
  if (!result.passed && judgedFromWire(spec)) {
    const spots = blindSpots(ctx.wire, from, Date.now());
    if (spots.length) throw blindError(spots, spec.id);
  }
  return result;
}

/**
 * The script run that shut Redis down, as the wire shows: one of its connections closed with a
 * SHUTDOWN never answered (Redis obeys it by closing every connection; a refused one is answered
 * with an error). Waits up to `wireMs` for the recorder's close lines, which reach the grader just
 * after the grader's own connection fails. Undefined when no script did.
 */
async function shutDownBy(ctx: Pick<CheckContext, 'wire' | 'signal'>, wireMs = 1000): Promise<string | undefined> {
  const find = (): string | undefined =>
    [...ctx.wire.connections.values()]
      .filter((c) => c.unanswered.includes('SHUTDOWN'))
      .map((c) => ctx.wire.ownerOf(c))
      .find((run) => run !== undefined);
  await waitFor(() => find() !== undefined, wireMs, ctx.signal);
  return find();
}

/**
 * The kind's outcome on an emptied Redis; Redis refusing the grader's own commands (its emptying
 * included) fails it, with why; so does Redis gone because a script shut it down (the wire shows
 * it: the student's doing, not the grader's blindness). A kind's WIRE_UNREADABLE gets the check's id.
 */
async function judgedOrRefused(ctx: CheckContext, spec: CheckSpec): Promise<CheckOutcome> {
  try {
    await ctx.probe.flushAll();
    return await runKind(ctx, spec);
  } catch (error) {
    // A kind that finds its own evidence contradictory (checks/evidence.ts) does not know its check's id.
    if (isLabsError(error) && error.code === 'WIRE_UNREADABLE') throw blindError(error.details, spec.id);
    const shutdown = isLabsError(error) && error.code === 'CONTAINER_GONE' ? await shutDownBy(ctx) : undefined;
    if (shutdown !== undefined) {
      return outcome(
        false,
        `${ctx.lab.redisService} was shut down by ${shutdown}: the wire shows its SHUTDOWN, which Redis obeyed, so this check could not run`,
        {
          diagnosis: [`a script must never stop Redis: remove the SHUTDOWN (redis-py's shutdown()) from the script that ran as ${shutdown}`],
        },
      );
    }
    const refusal = redisRefusal(error);
    if (refusal === undefined) throw error;
    const redis = ctx.lab.redisService;
    return outcome(false, `${redis} refused the grader's own commands: ${refusal}`, {
      diagnosis: [
        /READONLY/.test(refusal)
          ? `${redis} runs as a read-only replica: remove --replicaof (or slaveof) from its command; keep command: ["--save", "1", "1"]`
          : `${redis} is configured so that it refuses ordinary commands: run it with the lab's command, ["--save", "1", "1"], and nothing else`,
      ],
    });
  }
}

/**
 * How many containers of each pool of student services (see run/hosts.ts) the checks run at once,
 * from what each kind says it needs (its `hosts`); `poolOf` says which pool a service's scripts run in.
 */
export function hostsNeeded(lab: Lab, specs: Lab['checks'], poolOf: (service: string) => string = (s) => s): Record<string, number> {
  const counts: Record<string, number> = {};
  const need = (service: string | undefined, n: number): void => {
    if (service) counts[service] = Math.max(counts[service] ?? 0, n);
  };
  const pool = (service: string | undefined): string | undefined => (service === undefined ? undefined : poolOf(service));
  const consumer = pool(lab.scripts.consumer?.service);
  const producer = pool(lab.scripts.producer?.service);
  for (const spec of specs) {
    const wanted = hostsOf(spec);
    const consumers = wanted.consumer ?? 0;
    const producers = wanted.producer ?? 0;
    if (wanted.together && consumer !== undefined && producer === consumer) need(consumer, consumers + producers);
    else {
      if (consumers) need(consumer, consumers);
      if (producers) need(producer, producers);
    }
  }
  return counts;
}

/** The lab's checks with these ids (all when `only` is undefined), in lab order; USAGE naming an id the lab does not have. */
export function selectChecks(lab: Lab, only: readonly string[] | undefined): CheckSpec[] {
  if (only === undefined) return lab.checks;
  const unknown = only.filter((id) => !lab.checks.some((c) => c.id === id));
  if (unknown.length) {
    throw new LabsError('USAGE', `${lab.id} has no check ${unknown.map((u) => `"${u}"`).join(', ')}`, {
      hint: `its checks: ${lab.checks.map((c) => c.id).join(', ')}`,
    });
  }
  return lab.checks.filter((c) => only.includes(c.id));
}

/**
 * Grades one submission end to end (ARCHITECTURE.md, "The life of a session"): its files, an
 * isolated environment (in `slot`, or a slot of its own), every check of the lab (or `only` those) in
 * lab order, a CheckReport; in `finally` whatever happens, what is the session's own is removed and
 * what `slot` keeps is detached from it. A compose file that cannot be used gives a
 * report of failed checks without starting anything. Defaults: a new seed (0 to 1e9, printed),
 * `scriptTimeoutMs` 15 000, `mode` 'check', `recorderImage` 'node:20' (the base of the recorder's image).
 * Throws USAGE (an unknown check id, a submission path that is not there), INTERRUPTED (`signal`),
 * WIRE_UNREADABLE (the grader could not see what a check judges), CONTAINER_GONE (Redis went away),
 * DOCKER_UNREACHABLE / DOCKER_FAILED / IMAGE_* (the engine).
 */
export async function runCheckSession(options: CheckSessionOptions): Promise<CheckReport> {
  const { runtime, lab } = options;
  const seed = options.seed ?? newSeed();
  const random = seededRandom(seed);
  const specs = selectChecks(lab, options.only);
  const submission = await submissionOf(options.submission);
  const { files } = submission;
  // A requirements.txt that lets pip install redis-py 8 is a warning, not lost points: the grader runs the lab's pinned image.
  const warnings = [...submission.warnings, ...requirementsFilesOf(lab).flatMap((path) => redisPinNotes(files, path))];
  const resolved = submissionServices(lab, files);
  if (resolved.unusable) {
    const failed = unusableComposeOutcome(lab.id, resolved.unusable);
    return buildReport(
      lab.id,
      seed,
      specs.map((spec) => scoreCheck(spec, failed, 0)),
      warnings,
    );
  }
  const { services } = resolved;
  // The compose file's notes (keys labs ignores, a build not run) are notes on the submission too.
  const notes = resolved.notes.map((p) => formatProblem(p));
  await runtime.ping();
  const identity = { lab: lab.id, session: options.session ?? newSessionId(), mode: options.mode ?? 'check', owner: currentOwner() } as const;
  // A session of its own keeps nothing: its slot carries its identity and goes with it.
  const slot = options.slot ?? GradingSlot.forLab(runtime, lab, identity);
  let hosts: ScriptHosts | undefined;
  let warming: Promise<unknown> = Promise.resolve();
  const own = async <T>(work: Promise<T>): Promise<T> =>
    work.catch(async (error: unknown) => {
      if (!options.slot) await slot.close();
      throw error;
    });
  const [labNetwork, recorder] = await own(
    Promise.all([slot.labNetwork(options.signal), slot.recorder(options.recorderImage ?? 'node:20', options.onImage, options.signal)]),
  );
  const wire = new WireLog();
  // The recorder marks where this session's lines start while the rest of the environment starts
  // (it took 0.05 to 0.1 s after it): nothing of the session reaches the recorder before its first check.
  const marking = slot.record((text) => wire.feed(text));
  // Awaited once the environment is up, or on the way out when it is not.
  marking.catch(() => undefined);
  const env = await own(
    provisionIsolated({
      runtime,
      lab,
      services,
      identity,
      files,
      confine: confinement,
      recorderImage: options.recorderImage ?? 'node:20',
      labNetwork,
      recorder,
      redisHome: await own(slot.redisHome()),
      signal: options.signal,
      onEvent: options.onImage,
      // The containers the scripts run in start (or, kept by the slot, get this submission's files)
      // as soon as the network is there, while Redis starts: one per replica that runs at the same
      // time as another of its service.
      onNetwork: (early) => {
        const started = slot.hosts ?? new ScriptHosts(early, slot.identity);
        if (slot.hosts) started.begin(early);
        slot.hosts = started;
        hosts = started;
        warming = started.warm(hostsNeeded(lab, specs, (s) => started.poolOf(s))).catch(() => undefined);
        return () => started.settle();
      },
    }).catch(async (error: unknown) => {
      // Marked or not, the recorder's lines are no longer this session's.
      await marking.then(
        (made) => made.stop(),
        () => undefined,
      );
      throw error;
    }),
  );
  hosts ??= new ScriptHosts(env, slot.identity);
  // Every verdict reads the recorder's log: a session that lost it grades nothing (an infra error).
  let recording: Recording | undefined;
  const results: CheckResult[] = [];
  let probe: Probe | undefined;
  try {
    recording = await marking;
    const line = await openFollowingProbe(env.redis.address);
    probe = line.probe;
    const scriptHosts = hosts;
    const studentService = Object.values(env.services).find((s) => s.student)?.name;
    const ctx: CheckContext = {
      lab,
      startScript: (script) => startScript({ hosts: scriptHosts, ...script }),
      probe,
      redis: redisPort(env, line.reopen, options.signal, idleHostsOf(scriptHosts, studentService)),
      http: httpPort(env.redis.direct),
      studentService,
      serviceEnvironments: serviceEnvironments(lab, files, services),
      wire,
      tokens: tokenSource(random),
      codec: codecFor(lab.runtime),
      phrasing: lab.runtime === 'node' ? phrasings.node : lab.files.some((f) => f.role === 'worker') ? phrasings.worker : phrasings.consume,
      queue: defaultQueue,
      signal: options.signal,
      scriptTimeoutMs: options.scriptTimeoutMs ?? 15_000,
      runs: [],
    };
    for (const [index, spec] of specs.entries()) {
      options.signal?.throwIfAborted();
      const title = spec.title ?? spec.id;
      options.onCheck?.({ id: spec.id, title, phase: 'start' });
      // What the next check's rename of Redis takes is readied while this one runs.
      const next = specs[index + 1];
      if (next && renamesRedis(next)) ctx.redis.readyRename();
      const started = Date.now();
      ctx.checkId = spec.id;
      try {
        const outcome = await runCheckKind(ctx, spec);
        const result = scoreCheck(spec, outcome, Date.now() - started);
        results.push(result);
        options.onCheck?.({ id: spec.id, title, phase: 'end', result });
      } finally {
        // Whatever a check left running ends with it, and its connections with it, before the next.
        const runs = ctx.runs.splice(0);
        await Promise.all(runs.map((run) => run.stop().catch(() => undefined)));
        if (runs.length) await untilClientsGone(ctx).catch(() => false);
      }
    }
    const failure = recording.failure();
    if (failure !== undefined) throw failure;
    return buildReport(lab.id, seed, results, [...warnings, ...notes]);
  } catch (error) {
    if (options.signal?.aborted) throw new LabsError('INTERRUPTED', 'interrupted: the check was stopped and its containers removed', { cause: error });
    throw error;
  } finally {
    recording?.stop();
    // The next session of the slot must find no container of this one on its network.
    if (options.slot) await detachSession(runtime, env.network, identity.session).catch(() => options.slot!.spoil());
    const started = hosts;
    const removal = (async (): Promise<void> => {
      // Nothing may still be in the making when the session's containers are listed for removal.
      await Promise.all([warming, started.settle(), env.spare?.catch(() => undefined)]);
      await probe?.close().catch(() => undefined);
      // What the slot keeps stays for its next session; the rest goes now.
      await (options.slot ? closeLabNetwork(runtime, identity) : slot.close());
    })();
    if (options.slot) options.slot.track(removal);
    if (options.teardown) options.teardown(removal);
    else await removal;
  }
}
