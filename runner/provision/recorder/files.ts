/**
 * The files of the wire recorder container: the proxy script and the RESP parser it is built on,
 * taken from this package's own dependencies so that any image with Node.js can run it offline.
 */
import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { packageRoot } from '../../paths.js';
import type { ArchiveEntry } from '../archive.js';

const require = createRequire(import.meta.url);

async function packageFiles(name: string): Promise<ArchiveEntry[]> {
  const root = dirname(require.resolve(`${name}/package.json`));
  const entries: ArchiveEntry[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (/\.(js|cjs|json)$/.test(entry.name)) entries.push({ path: `node_modules/${name}/${relative(root, full)}`, data: await readFile(full) });
    }
  };
  await walk(root);
  return entries;
}

export const recorderScript = 'resp-proxy.cjs';

export async function recorderFiles(): Promise<ArchiveEntry[]> {
  // Compiled into dist/, the script itself stays in the source tree.
  const script = join(packageRoot, 'runner', 'provision', 'recorder', recorderScript);
  return [
    { path: recorderScript, data: await readFile(script) },
    ...(await packageFiles('redis-parser')),
    ...(await packageFiles('redis-errors')),
  ];
}
