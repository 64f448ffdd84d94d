/**
 * A student's workspace end to end: start (scaffold, provision, remember the session), status,
 * finding a service's container, stop. The CLI calls these and only renders what they return.
 */
import { resolve } from 'node:path';
import { LabsError } from '../errors.js';
import { resolveServices } from '../lab/compose.js';
import { findLab, loadLabAt } from '../lab/registry.js';
import { didYouMean } from '../lab/suggest.js';
import type { Lab, ServiceSpec } from '../lab/types.js';
import type { ContainerSummary, ContainerRuntime } from '../provision/runtime.js';
import { type Environment, type ProvisionEvent, provision } from '../provision/environment.js';
import { Label, type SessionIdentity, currentOwner, newSessionId } from '../provision/labels.js';
import { type Removed, removeByLabel } from '../provision/teardown.js';
import { isShippedLab } from '../lab/roots.js';
import { packageVersion } from '../paths.js';
import { type ScaffoldResult, scaffold } from './scaffold.js';
import { type Workspace, clearSession, findWorkspace, readSession, readWorkspaceInfo, writeSession, writeWorkspaceInfo } from './state.js';

/** What `labs start` is given. */
export interface StartOptions {
  runtime: ContainerRuntime;
  /** The lab's id. */
  lab: string;
  /** Defaults to ./<lab> under cwd. */
  dir?: string;
  cwd: string;
  onEvent?: (event: ProvisionEvent) => void;
  signal?: AbortSignal;
}

/** What `labs start` did, for the CLI to render. */
export interface StartResult {
  lab: Lab;
  /** The workspace's folder, absolute. */
  dir: string;
  /** What became of each starter file. */
  files: ScaffoldResult;
  /** The services started, by name (from the lab, or a compose lab's from the workspace's compose file). */
  services: Record<string, ServiceSpec>;
  environment: Environment;
  /** Every container was already running. */
  reused: boolean;
  /**
   * Services whose container had already ended when start finished (a script that crashes on
   * import, such as a worker with an ImportError): exit code and the last lines of its log.
   */
  exited: ExitedService[];
}

/** A service whose container had ended by the time `labs start` returned. */
export interface ExitedService {
  service: string;
  exitCode: number;
  /** The last lines of its output (up to 5), as `docker logs --tail` gives them. */
  lastLines: string[];
}

/**
 * `labs start`: copies the starter files that are missing into the workspace (never overwrites) and
 * starts the lab's services, reusing what already runs. Throws LAB_UNKNOWN / LAB_INVALID,
 * WORKSPACE_INVALID (its compose file cannot be used), and the engine's errors.
 */
export async function startWorkspace(options: StartOptions): Promise<StartResult> {
  const dir = resolve(options.cwd, options.dir ?? options.lab);
  const existing = await readWorkspaceInfo(dir);
  // Started again from the workspace, a course's own lab is where the workspace recorded it.
  const lab = existing?.lab === options.lab ? await workspaceLab({ dir, info: existing }) : await findLab(options.lab, { cwd: options.cwd });
  if (existing && existing.lab !== lab.id) {
    throw new LabsError('WORKSPACE_INVALID', `${dir} is the workspace of ${existing.lab}, not ${lab.id}`, {
      hint: `choose another folder with --dir, or run \`labs start ${existing.lab}\` there`,
    });
  }
  await options.runtime.ping();
  const files = await scaffold(lab, dir);
  if (!existing) {
    const labDir = isShippedLab(lab.dir) ? {} : { labDir: lab.dir };
    await writeWorkspaceInfo(dir, { lab: lab.id, ...labDir, createdAt: new Date().toISOString(), labsVersion: packageVersion() });
  }

  const services = await resolveServices(lab, dir, (text) => options.onEvent?.({ type: 'note', text }));
  const previous = await readSession(dir);
  const identity: SessionIdentity = {
    lab: lab.id,
    session: previous?.session ?? newSessionId(),
    mode: 'workspace',
    owner: currentOwner(),
    workspace: dir,
  };
  await writeSession(dir, { session: identity.session, status: 'starting', owner: identity.owner, startedAt: new Date().toISOString() });
  let reused = true;
  let environment: Environment;
  try {
    environment = await provision({
      runtime: options.runtime,
      lab,
      services,
      identity,
      workspaceDir: dir,
      mountStudentFiles: true,
      signal: options.signal,
      onEvent: (event) => {
        if (event.type === 'container' && event.action !== 'reused') reused = false;
        options.onEvent?.(event);
      },
    });
  } catch (error) {
    if (!previous) await clearSession(dir);
    throw error;
  }
  await writeSession(dir, { session: identity.session, status: 'ready', owner: identity.owner, startedAt: new Date().toISOString() });
  // A script that crashes on import ends within its first second (Python with Flask: about 0.3 s
  // here); looked at at once, it may still be running, and "running" would be a lie a moment later.
  if (!reused) await new Promise((done) => setTimeout(done, exitGraceMs));
  return { lab, dir, files, services, environment, reused, exited: await exitedServices(options.runtime, environment) };
}

/** How long after starting its containers `labs start` looks for services that already ended. */
const exitGraceMs = 1000;

/** The services of `environment` whose container is no longer running, with how they ended. */
async function exitedServices(runtime: ContainerRuntime, environment: Environment): Promise<ExitedService[]> {
  const ended = await Promise.all(
    Object.values(environment.containers).map(async (c): Promise<ExitedService | undefined> => {
      const state = await runtime.inspectContainer(c.id);
      if (state.running) return undefined;
      const lastLines = (await runtime.logsTail(c.id, 5)).split('\n').filter((l) => l.trim() !== '');
      return { service: c.service, exitCode: state.exitCode, lastLines };
    }),
  );
  return ended.filter((e): e is ExitedService => e !== undefined);
}

/**
 * The lab of a workspace: a course's own from the folder it was started from (`labDir`), else by id
 * (LAB_UNKNOWN / LAB_INVALID as findLab).
 */
export async function workspaceLab(workspace: Workspace): Promise<Lab> {
  const { labDir, lab } = workspace.info;
  return labDir === undefined ? findLab(lab, { cwd: workspace.dir }) : loadLabAt(labDir, { cwd: workspace.dir });
}

/** `labs status`: each service of the workspace's lab, with its container if one exists. */
export interface WorkspaceStatus {
  workspace: Workspace;
  lab: Lab;
  /** The session in `.labs/session.json`, undefined when the lab is not started (or the file is lost). */
  session: string | undefined;
  /** The lab's services, then any other service a container of the workspace is labelled with. */
  services: { service: string; container: ContainerSummary | undefined }[];
}

/** Containers of this workspace: its session's, or any labelled with its path (a lost session file). */
async function workspaceContainers(runtime: ContainerRuntime, workspace: Workspace): Promise<ContainerSummary[]> {
  const session = await readSession(workspace.dir);
  const filter = session ? `${Label.session}=${session.session}` : `${Label.workspace}=${workspace.dir}`;
  return (await runtime.listContainers([filter])).filter((c) => c.labels[Label.service]);
}

/** What runs of the workspace that holds `cwd` (or `dir`); throws WORKSPACE_NOT_FOUND outside one. */
export async function workspaceStatus(runtime: ContainerRuntime, options: { dir?: string; cwd: string }): Promise<WorkspaceStatus> {
  const workspace = await findWorkspace(options);
  const lab = await workspaceLab(workspace);
  const session = await readSession(workspace.dir);
  const containers = await workspaceContainers(runtime, workspace);
  let names: string[];
  try {
    names = Object.keys(await resolveServices(lab, workspace.dir));
  } catch {
    names = [];
  }
  for (const c of containers) if (!names.includes(c.labels[Label.service]!)) names.push(c.labels[Label.service]!);
  return {
    workspace,
    lab,
    session: session?.session,
    services: names.map((service) => ({ service, container: containers.find((c) => c.labels[Label.service] === service) })),
  };
}

/** The running container of a service in the workspace, or an error that lists the services. */
export async function serviceContainer(
  runtime: ContainerRuntime,
  options: { dir?: string; cwd: string; service: string },
): Promise<{ container: ContainerSummary; lab: Lab; workspace: Workspace }> {
  const status = await workspaceStatus(runtime, options);
  const entry = status.services.find((s) => s.service === options.service);
  const known = status.services.map((s) => s.service);
  if (!entry) {
    throw new LabsError('SERVICE_UNKNOWN', `${status.lab.id} has no service "${options.service}"`, {
      hint: `${didYouMean(options.service, known)}services: ${known.join(', ')}`,
    });
  }
  if (!entry.container || entry.container.state !== 'running') {
    throw new LabsError('NOT_RUNNING', `service ${options.service} is not running${entry.container ? ` (${entry.container.state})` : ''}`, {
      hint: `run \`labs start ${status.lab.id}\` in ${status.workspace.dir}`,
    });
  }
  return { container: entry.container, lab: status.lab, workspace: status.workspace };
}

/** `labs stop`: removes the workspace's containers and network; its files and ./data stay. */
export async function stopWorkspace(runtime: ContainerRuntime, options: { dir?: string; cwd: string }): Promise<{ workspace: Workspace; removed: Removed }> {
  const workspace = await findWorkspace(options);
  const session = await readSession(workspace.dir);
  const removed: Removed = { containers: 0, networks: 0, volumes: 0 };
  // Both filters: the session's resources, and any labelled with this workspace from a lost session file.
  const filters = [`${Label.workspace}=${workspace.dir}`];
  if (session) filters.unshift(`${Label.session}=${session.session}`);
  for (const filter of filters) {
    const r = await removeByLabel(runtime, filter);
    removed.containers += r.containers;
    removed.networks += r.networks;
    removed.volumes += r.volumes;
  }
  await clearSession(workspace.dir);
  return { workspace, removed };
}
