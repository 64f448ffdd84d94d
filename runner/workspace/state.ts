/**
 * A workspace is a folder with `.labs/workspace.json` (which lab it is for) and, while its lab runs,
 * `.labs/session.json` (which session owns the containers). Commands find it from --dir or by
 * walking up from the current directory, as git finds its repository.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { LabsError } from '../errors.js';

/** `.labs/workspace.json`: written once by `labs start`, read by every command run in the workspace. */
export interface WorkspaceInfo {
  /** The lab's id. */
  lab: string;
  /**
   * The folder of a course's own lab (not one this package ships), absolute: found again from any
   * folder the workspace is in, even outside the course's.
   */
  labDir?: string;
  /** ISO 8601, when `labs start` first made the workspace. */
  createdAt: string;
  /** The version of labs (package.json) that made it. */
  labsVersion: string;
}

/** `.labs/session.json`: the session whose containers the lab runs in, from `labs start` to `labs stop`. */
export interface SessionState {
  /** The session id its containers, networks and volumes are labelled with (`labs.session`). */
  session: string;
  /** `starting` until provisioning finished; `prune` only spares a `ready` workspace. */
  status: 'starting' | 'ready';
  /** The `labs.owner` label of the process that started it (host and pid). */
  owner: string;
  /** ISO 8601. */
  startedAt: string;
}

/** A workspace found on disk. */
export interface Workspace {
  /** Its folder, absolute. */
  dir: string;
  info: WorkspaceInfo;
}

const stateDir = '.labs';

function workspaceFile(dir: string): string {
  return join(dir, stateDir, 'workspace.json');
}

function sessionFile(dir: string): string {
  return join(dir, stateDir, 'session.json');
}

/**
 * The workspace record in `dir`, or undefined when it has none. Throws WORKSPACE_INVALID when the
 * file is there but cannot be read or is not JSON.
 */
export async function readWorkspaceInfo(dir: string): Promise<WorkspaceInfo | undefined> {
  try {
    return JSON.parse(await readFile(workspaceFile(dir), 'utf8')) as WorkspaceInfo;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new LabsError('WORKSPACE_INVALID', `${workspaceFile(dir)} cannot be read: ${(error as Error).message}`, {
      hint: 'delete the .labs folder and run `labs start <lab>` again (your files are kept)',
    });
  }
}

/** Makes `dir/.labs/` (with a `.gitignore` of `*`) and writes the workspace record; file-system errors are thrown as they come. */
export async function writeWorkspaceInfo(dir: string, info: WorkspaceInfo): Promise<void> {
  await mkdir(join(dir, stateDir), { recursive: true });
  // Keeps the state out of a student's git repository without touching their own .gitignore.
  await writeFile(join(dir, stateDir, '.gitignore'), '*\n');
  await writeFile(workspaceFile(dir), `${JSON.stringify(info, null, 2)}\n`);
}

/** The session record in `dir`, or undefined when there is none or it cannot be read. */
export async function readSession(dir: string): Promise<SessionState | undefined> {
  try {
    return JSON.parse(await readFile(sessionFile(dir), 'utf8')) as SessionState;
  } catch {
    return undefined;
  }
}

/** Records the session the workspace's containers belong to: `starting` before they are made, `ready` once they are. */
export async function writeSession(dir: string, state: SessionState): Promise<void> {
  await mkdir(join(dir, stateDir), { recursive: true });
  await writeFile(sessionFile(dir), `${JSON.stringify(state, null, 2)}\n`);
}

/** Forgets the session (`labs stop`, or a first start that failed); nothing to remove is fine. */
export async function clearSession(dir: string): Promise<void> {
  await rm(sessionFile(dir), { force: true });
}

/**
 * The workspace at --dir, or the nearest one at or above `cwd`. Throws WORKSPACE_NOT_FOUND when there
 * is none, WORKSPACE_INVALID when its record cannot be read.
 */
export async function findWorkspace(options: { dir?: string; cwd: string }): Promise<Workspace> {
  if (options.dir) {
    const dir = resolve(options.cwd, options.dir);
    const info = await readWorkspaceInfo(dir);
    if (!info) {
      throw new LabsError('WORKSPACE_NOT_FOUND', `${dir} is not a labs workspace (no .labs/workspace.json)`, {
        hint: 'run `labs start <lab> --dir ' + options.dir + '` to make it one',
      });
    }
    return { dir, info };
  }
  let dir = resolve(options.cwd);
  for (;;) {
    if (existsSync(workspaceFile(dir))) {
      const info = await readWorkspaceInfo(dir);
      if (info) return { dir, info };
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new LabsError('WORKSPACE_NOT_FOUND', `no labs workspace in ${resolve(options.cwd)} or above it`, {
    hint: 'cd into the folder `labs start` made (e.g. ./exercise-1), pass --dir DIR, or run `labs start <lab>` first',
  });
}
