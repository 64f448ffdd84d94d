/**
 * The file system as the lab layer reads it: every read of lab.yaml, a compose file, its env files,
 * a variant, and every "is there a file here" and folder listing goes through a `LabFiles`, so that
 * what a validation read can be written down (`recordingFiles`) and checked again later
 * (`inputsUnchanged`): a cached `labs validate` or `labs list` (lab/cache.ts) is used only when
 * every answer the file system gave is still the same. In runner/lab only this module, cache.ts
 * (its own entries), compose-spec.ts (the vendored schema, which the cache's code fingerprint
 * covers) and new-lab.ts (`labs new` writes a lab; nothing of it is cached) import node:fs:
 * `npm run lint` says so (eslint.config.js, `labFileSystem`).
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';

/** What is at a path: a regular file, a folder, something else (a socket, a device), or nothing. */
export type PathKind = 'file' | 'dir' | 'other' | undefined;

export interface DirEntry {
  name: string;
  kind: Exclude<PathKind, undefined>;
}

/** Reads as node:fs does, with node:fs's errors (`code` ENOENT, EACCES…). */
export interface LabFiles {
  /** A file's text as UTF-8; throws as readFile does. */
  readText(path: string): Promise<string>;
  /** The same, synchronously (a compose file's env_file entries are read while it is checked). */
  readTextSync(path: string): string;
  /** What is at `path` (following links, as stat does); undefined when nothing can be seen there. */
  kind(path: string): Promise<PathKind>;
  /** A folder's entries, in the order readdir gives them; throws as readdir does. */
  list(path: string): Promise<DirEntry[]>;
}

const entryKind = (e: { isFile(): boolean; isDirectory(): boolean }): DirEntry['kind'] => (e.isFile() ? 'file' : e.isDirectory() ? 'dir' : 'other');

/** The real file system. */
export const diskFiles: LabFiles = {
  readText: (path) => readFile(path, 'utf8'),
  readTextSync: (path) => readFileSync(path, 'utf8'),
  kind: (path) => stat(path).then(entryKind, () => undefined),
  list: async (path) => (await readdir(path, { withFileTypes: true })).map((e) => ({ name: e.name, kind: entryKind(e) })),
};

/**
 * The same answers by synchronous calls: checking a cached result's few dozen inputs this way takes
 * a third of the time the thread pool's round trips take, and nothing else runs meanwhile.
 */
const diskFilesNow: LabFiles = {
  readText: async (path) => readFileSync(path, 'utf8'),
  readTextSync: (path) => readFileSync(path, 'utf8'),
  kind: async (path) => {
    try {
      return entryKind(statSync(path));
    } catch {
      return undefined;
    }
  },
  list: async (path) => readdirSync(path, { withFileTypes: true }).map((e) => ({ name: e.name, kind: entryKind(e) })),
};

/**
 * One answer the file system gave: `seen` is the sha256 of the text read, the kind, or the listing,
 * or the error's code. A JSON value, stored with a cached result.
 */
export interface Input {
  op: 'read' | 'kind' | 'list';
  path: string;
  seen: string;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const failure = (error: unknown): string => `error:${(error as NodeJS.ErrnoException).code ?? String(error)}`;
const describe = {
  read: (text: string): string => sha256(text),
  kind: (kind: PathKind): string => kind ?? 'none',
  list: (entries: DirEntry[]): string => JSON.stringify(entries),
};

/** A `seen` no file system gives: the answer changed while a result was being made from it. */
const changedMeanwhile = 'changed while read';

/**
 * `files`, writing down every answer it gives. A path asked twice with two answers (a file edited
 * during a validation) is written down as an answer that never matches, so that result is not reused.
 */
export function recordingFiles(files: LabFiles = diskFiles): { files: LabFiles; inputs: () => Input[] } {
  const seen = new Map<string, Input>();
  const note = (op: Input['op'], path: string, value: string): void => {
    const key = `${op}\0${path}`;
    const before = seen.get(key)?.seen;
    seen.set(key, { op, path, seen: before === undefined || before === value ? value : changedMeanwhile });
  };
  const recorded = async <T>(op: Input['op'], path: string, value: Promise<T>, describe: (value: T) => string): Promise<T> => {
    try {
      const answer = await value;
      note(op, path, describe(answer));
      return answer;
    } catch (error) {
      note(op, path, failure(error));
      throw error;
    }
  };
  return {
    files: {
      readText: (path) => recorded('read', path, files.readText(path), describe.read),
      readTextSync: (path) => {
        try {
          const text = files.readTextSync(path);
          note('read', path, describe.read(text));
          return text;
        } catch (error) {
          note('read', path, failure(error));
          throw error;
        }
      },
      kind: (path) => recorded('kind', path, files.kind(path), describe.kind),
      list: (path) => recorded('list', path, files.list(path), describe.list),
    },
    inputs: () => [...seen.values()],
  };
}

/** The answer `files` gives now to what `input` asked, written as `recordingFiles` writes it. */
async function answerNow(input: Input, files: LabFiles): Promise<string> {
  try {
    if (input.op === 'read') return describe.read(await files.readText(input.path));
    if (input.op === 'kind') return describe.kind(await files.kind(input.path));
    return describe.list(await files.list(input.path));
  } catch (error) {
    return failure(error);
  }
}

/**
 * Whether `files` (the disk by default) gives every answer in `inputs` again: the same text, kind
 * and listing, or the same error. Stops at the first that differs.
 */
export async function inputsUnchanged(inputs: readonly Input[], files: LabFiles = diskFilesNow): Promise<boolean> {
  for (const input of inputs) {
    if ((await answerNow(input, files)) !== input.seen) return false;
  }
  return true;
}
