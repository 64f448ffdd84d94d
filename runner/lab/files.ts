/**
 * The file system as the lab layer reads it: every read of lab.yaml, a compose file, its env files,
 * a variant, and every "is there a file here" and folder listing goes through a `LabFiles`, so that
 * what a validation read can be written down (`recordingFiles`) and checked again later
 * (`inputsUnchanged`): a cached `labs validate` or `labs list` (lab/cache.ts) is used only when
 * every answer the file system gave is still the same. In runner/lab only this module, cache.ts
 * (its own entries) and compose-spec.ts (the vendored schema, which the cache's code fingerprint
 * covers) import node:fs: `npm run lint` says so.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
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
  const recorded = async <T>(op: Input['op'], path: string, run: () => Promise<T>, describe: (value: T) => string): Promise<T> => {
    try {
      const value = await run();
      note(op, path, describe(value));
      return value;
    } catch (error) {
      note(op, path, failure(error));
      throw error;
    }
  };
  return {
    files: {
      readText: (path) => recorded('read', path, () => files.readText(path), sha256),
      readTextSync: (path) => {
        try {
          const text = files.readTextSync(path);
          note('read', path, sha256(text));
          return text;
        } catch (error) {
          note('read', path, failure(error));
          throw error;
        }
      },
      kind: (path) =>
        recorded(
          'kind',
          path,
          () => files.kind(path),
          (kind) => kind ?? 'none',
        ),
      list: (path) =>
        recorded(
          'list',
          path,
          () => files.list(path),
          (entries) => JSON.stringify(entries),
        ),
    },
    inputs: () => [...seen.values()],
  };
}

/** Whether `files` gives every answer in `inputs` again: the same text, kind and listing, or the same error. */
export async function inputsUnchanged(inputs: readonly Input[], files: LabFiles = diskFiles): Promise<boolean> {
  const { files: recorder, inputs: now } = recordingFiles(files);
  const again = async (input: Input): Promise<unknown> => {
    if (input.op === 'read') return recorder.readText(input.path);
    if (input.op === 'kind') return recorder.kind(input.path);
    return recorder.list(input.path);
  };
  await Promise.all(inputs.map((input) => again(input).catch(() => undefined)));
  const answers = new Map(now().map((input) => [`${input.op}\0${input.path}`, input.seen]));
  return inputs.every((input) => answers.get(`${input.op}\0${input.path}`) === input.seen);
}
