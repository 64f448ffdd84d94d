/**
 * Results of the lab layer kept between runs and reused only when nothing they were made from has
 * changed, as ESLint's and tsc's caches are: `labs validate` and `labs list` answer from here without
 * loading the YAML parser, zod or the Compose validator (about 0.25 s of a 2-core machine's
 * start-up), and compute as before on the first run and after any change.
 *
 * A result is reused when (1) it was made by the same code: the size and modification time of
 * every module of the lab layer, errors and paths, the generated Compose validator, the vendored
 * Compose schema, package.json and the installed packages' lock, and Node.js's version
 * (`codeFingerprint`), so a rebuild, `tsc` by hand, another `npm ci` or another Node.js starts
 * afresh; (2) it was asked with the same key (the command's targets); (3) every answer the file
 * system gave while it was made is the same now (lab/files.ts: each file read by its sha256, each
 * kind and folder listing). An entry that cannot be read, parsed or written only costs the time:
 * the result is then computed.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeSpecPath, generatedValidatorPath, packageRoot } from '../paths.js';
import { diskFiles, inputsUnchanged, recordingFiles, type Input, type LabFiles } from './files.js';

/** Entries kept in the cache folder at most; the oldest go first. */
const maxEntries = 64;

export interface CacheOptions {
  /** The cache folder (`cacheDir`); undefined turns caching off. */
  dir: string | undefined;
  /** The code's fingerprint; `codeFingerprint()` when not given. */
  code?: string;
  /** The file system the result is made from and checked against. */
  files?: LabFiles;
}

interface Entry {
  code: string;
  key: string;
  inputs: Input[];
  value: unknown;
}

/**
 * The cache folder: LABS_CACHE_DIR, else labs/ in XDG_CACHE_HOME or ~/.cache; undefined (no cache)
 * when LABS_NO_CACHE is set to anything but 0 or an empty string.
 */
export function cacheDir(env: NodeJS.ProcessEnv, home: () => string = homedir): string | undefined {
  if (env.LABS_NO_CACHE && env.LABS_NO_CACHE !== '0') return undefined;
  return env.LABS_CACHE_DIR || join(env.XDG_CACHE_HOME || join(home(), '.cache'), 'labs');
}

/**
 * What a cached result's code is: a sha256 of the path, size and modification time (ms) of each
 * module of the lab layer (this module's folder), of errors and paths beside it, and of the other
 * files validation's answers depend on (a missing file counts as missing), and Node.js's version.
 */
export async function codeFingerprint(): Promise<string> {
  const labDir = dirname(fileURLToPath(import.meta.url));
  const ext = extname(fileURLToPath(import.meta.url));
  const modules = (await readdir(labDir)).filter((name) => name.endsWith(ext) && !name.endsWith(`.d${ext}`)).sort();
  const paths = [
    ...modules.map((name) => join(labDir, name)),
    ...['errors', 'paths'].map((name) => join(dirname(labDir), `${name}${ext}`)),
    generatedValidatorPath,
    composeSpecPath,
    join(packageRoot, 'package.json'),
    join(packageRoot, 'node_modules', '.package-lock.json'),
  ];
  const lines = await Promise.all(
    paths.map(async (path) => {
      const info = await stat(path).catch(() => undefined);
      return info === undefined ? `${path} missing` : `${path} ${info.size} ${info.mtimeMs}`;
    }),
  );
  return createHash('sha256')
    .update([`node ${process.version}`, ...lines].join('\n'))
    .digest('hex');
}

/**
 * `compute(files)`'s result (a JSON value) for `name` and `key`, from the cache when it holds one
 * made by the same code from the same inputs; otherwise computed, with every read through `files`
 * written down, and stored. What `compute` throws is thrown, and not stored.
 */
export async function cachedByInputs<T>(name: string, key: unknown, compute: (files: LabFiles) => Promise<T>, options: CacheOptions): Promise<T> {
  const files = options.files ?? diskFiles;
  if (options.dir === undefined) return compute(files);
  const code = options.code ?? (await codeFingerprint());
  const keyText = JSON.stringify(key);
  const file = join(options.dir, `${name}-${createHash('sha256').update(`${code}\0${keyText}`).digest('hex').slice(0, 24)}.json`);

  const cached = await readEntry(file);
  if (cached !== undefined && cached.code === code && cached.key === keyText && (await inputsUnchanged(cached.inputs, options.files))) {
    return cached.value as T;
  }
  const recorder = recordingFiles(files);
  const value = await compute(recorder.files);
  await writeEntry(options.dir, file, { code, key: keyText, inputs: recorder.inputs(), value });
  return value;
}

async function readEntry(file: string): Promise<Entry | undefined> {
  try {
    const entry = JSON.parse(await readFile(file, 'utf8')) as Partial<Entry>;
    return typeof entry.code === 'string' && typeof entry.key === 'string' && Array.isArray(entry.inputs) ? (entry as Entry) : undefined;
  } catch {
    return undefined;
  }
}

/** Written whole or not at all (a rename), so that two runs at once never read half an entry. */
async function writeEntry(dir: string, file: string, entry: Entry): Promise<void> {
  const partial = `${file}.${process.pid}.tmp`;
  try {
    await makeDir(dir);
    await writeFile(partial, JSON.stringify(entry));
    await rename(partial, file);
    await pruneOldest(dir);
  } catch {
    await rm(partial, { force: true }).catch(() => undefined);
  }
}

/**
 * `mkdir -p` that gives up: Node's mkdir({ recursive: true }) retries for ever where a folder exists
 * but answers ENOENT for a new child (procfs does), which would hang `labs validate` on such a
 * LABS_CACHE_DIR. Here the child is tried once more after its parent is made, and that error is final.
 */
async function makeDir(dir: string): Promise<void> {
  const code = await mkdir(dir).then(
    () => undefined,
    (error: NodeJS.ErrnoException) => error.code,
  );
  if (code === undefined || code === 'EEXIST') return;
  const parent = dirname(dir);
  if (code !== 'ENOENT' || parent === dir) throw new Error(`cannot make ${dir} (${code})`);
  await makeDir(parent);
  await mkdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
}

async function pruneOldest(dir: string): Promise<void> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json'));
  if (names.length <= maxEntries) return;
  const dated = await Promise.all(names.map(async (name) => ({ name, mtimeMs: (await stat(join(dir, name)).catch(() => undefined))?.mtimeMs ?? 0 })));
  dated.sort((a, b) => a.mtimeMs - b.mtimeMs);
  for (const { name } of dated.slice(0, dated.length - maxEntries)) await rm(join(dir, name), { force: true });
}
