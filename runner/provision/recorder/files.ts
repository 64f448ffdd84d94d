/**
 * The files of the wire recorder container: the proxy script and the modules of the RESP decoder it
 * is built on, taken from this package's own dependencies so that any image with Node.js can run it
 * offline.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, sep } from 'node:path';
import { packageRoot } from '../../paths.js';
import type { ArchiveEntry } from '../archive.js';

const require = createRequire(import.meta.url);

export const recorderScript = 'resp-proxy.cjs';

/** The modules the recorder requires (module ids as in the script). */
const recorderModules = [
  '@jsonjoy.com/json-pack/lib/resp/RespStreamingDecoder',
  '@jsonjoy.com/json-pack/lib/resp/RespDecoder',
  '@jsonjoy.com/json-pack/lib/resp/extensions',
];

const marker = `${sep}node_modules${sep}`;

/**
 * Every file those modules load, each with the package.json of its package, at the path under
 * `node_modules/` where Node's resolution from the recorder's folder finds it: a package nested under
 * another keeps its nesting, one hoisted above this package's own node_modules is put at the top.
 * Loading them here once is how their closure is known (about 15 files, 70 kB).
 */
function recorderModuleFiles(): string[] {
  const files = new Set<string>();
  const visit = (module: NodeJS.Module | undefined): void => {
    if (!module || files.has(module.filename)) return;
    files.add(module.filename);
    for (const child of module.children) visit(child);
  };
  for (const id of recorderModules) {
    const path = require.resolve(id);
    require(path);
    visit(require.cache[path]);
  }
  const manifests = new Set<string>();
  for (const file of files) {
    const at = file.lastIndexOf(marker) + marker.length;
    const rest = file.slice(at).split(sep);
    const name = rest[0]!.startsWith('@') ? rest.slice(0, 2) : rest.slice(0, 1);
    manifests.add(join(file.slice(0, at), ...name, 'package.json'));
  }
  return [...files, ...manifests];
}

/** Where a host file goes under the recorder's folder (a path with forward slashes). */
function recorderPath(file: string): string {
  // The first node_modules of the path is the root the recorder's own node_modules stands for,
  // unless this package itself is installed inside it (then its own node_modules is the root).
  const own = `${packageRoot}${marker}`;
  const rest = file.startsWith(own) ? file.slice(own.length) : file.slice(file.indexOf(marker) + marker.length);
  return `node_modules/${rest.split(sep).join('/')}`;
}

export async function recorderFiles(): Promise<ArchiveEntry[]> {
  // Compiled into dist/, the script itself stays in the source tree.
  const script = join(packageRoot, 'runner', 'provision', 'recorder', recorderScript);
  const modules = recorderModuleFiles().sort();
  return [
    { path: recorderScript, data: await readFile(script) },
    ...(await Promise.all(modules.map(async (file) => ({ path: recorderPath(file), data: await readFile(file) })))),
  ];
}
