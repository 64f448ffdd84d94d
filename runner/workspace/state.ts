/**
 * A workspace is a folder with `.labs/workspace.json` (which lab it is for) and, while its lab runs,
 * `.labs/session.json` (which session owns the containers). Commands find it from --dir or by
 * walking up from the current directory, as git finds its repository.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { LabsError } from '../errors.js';

export interface WorkspaceInfo {
  lab: string;
  /**
   * The folder of a course's own lab (not one this package ships), absolute: found again from any
   * folder the workspace is in, even outside the course's.
   */
  labDir?: string;
  createdAt: string;
  labsVersion: string;
}

export interface SessionState {
  session: string;
  /** `starting` until provisioning finished; `prune` only spares a `ready` workspace. */
  status: 'starting' | 'ready';
  owner: string;
  startedAt: string;
}

export interface Workspace {
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

export async function writeWorkspaceInfo(dir: string, info: WorkspaceInfo): Promise<void> {
  await mkdir(join(dir, stateDir), { recursive: true });
  // Keeps the state out of a student's git repository without touching their own .gitignore.
  await writeFile(join(dir, stateDir, '.gitignore'), '*\n');
  await writeFile(workspaceFile(dir), `${JSON.stringify(info, null, 2)}\n`);
}

export async function readSession(dir: string): Promise<SessionState | undefined> {
  try {
    return JSON.parse(await readFile(sessionFile(dir), 'utf8')) as SessionState;
  } catch {
    return undefined;
  }
}

export async function writeSession(dir: string, state: SessionState): Promise<void> {
  await mkdir(join(dir, stateDir), { recursive: true });
  await writeFile(sessionFile(dir), `${JSON.stringify(state, null, 2)}\n`);
}

export async function clearSession(dir: string): Promise<void> {
  await rm(sessionFile(dir), { force: true });
}

/** The workspace at --dir, or the one containing `cwd`. */
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
