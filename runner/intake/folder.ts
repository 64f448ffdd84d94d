/** A submission as a folder (a workspace, a student's folder): walked in name order, links never followed. */
import { constants } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Collector, EntryKind } from './collect.js';

export async function readFolder(dir: string, collector: Collector): Promise<void> {
  const walk = async (relative: string): Promise<void> => {
    const names = (await readdir(join(dir, relative))).sort();
    for (const name of names) {
      if (collector.stopped) return;
      const path = relative === '' ? name : `${relative}/${name}`;
      try {
        // lstat, not stat: a link could point anywhere on the grader's disk.
        const info = await lstat(join(dir, path));
        const kind: EntryKind = info.isDirectory() ? 'directory' : info.isFile() ? 'file' : info.isSymbolicLink() ? 'symlink' : 'special';
        if (kind === 'directory') {
          if (collector.descends(path)) await walk(path);
          continue;
        }
        const admitted = collector.admit(path, kind, { declared: info.size });
        if (admitted !== undefined) await readBounded(join(dir, path), admitted, collector);
      } catch (error) {
        // One unreadable entry (no permission, a name that is not UTF-8) costs that entry only.
        collector.leaveOut(JSON.stringify(path), `it could not be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
      }
    }
  };
  await walk('');
}

/**
 * Only the named files of a folder (`names`, `/`-separated, relative to `dir`), in the order given:
 * one student's files among a platform's flat export. Each is still admitted by the collector under
 * its name, never followed if it is a link, and read bounded.
 */
export async function readFiles(dir: string, names: readonly string[], collector: Collector): Promise<void> {
  for (const name of names) {
    if (collector.stopped) return;
    try {
      const info = await lstat(join(dir, name));
      const kind: EntryKind = info.isFile() ? 'file' : info.isDirectory() ? 'directory' : info.isSymbolicLink() ? 'symlink' : 'special';
      const admitted = collector.admit(name, kind, { declared: info.size });
      if (admitted !== undefined) await readBounded(join(dir, name), admitted, collector);
    } catch (error) {
      collector.leaveOut(JSON.stringify(name), `it could not be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  }
}

/** Reads in chunks through the collector, so a file that grew since lstat is still bounded. */
async function readBounded(file: string, path: string, collector: Collector): Promise<void> {
  // O_NOFOLLOW and the fstat below: the entry may have been swapped for a link or a fifo since lstat.
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    if (!(await handle.stat()).isFile()) return;
    const reading = collector.read(path);
    for await (const chunk of handle.createReadStream({ highWaterMark: 64 * 1024, autoClose: false })) {
      if (!reading.add(chunk as Buffer)) return;
    }
    reading.done();
  } finally {
    await handle.close();
  }
}
