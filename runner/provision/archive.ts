/** Tar archives built in memory, for copying files into containers through the engine's API. */
import { type Pack, pack } from 'tar-stream';

export interface ArchiveEntry {
  path: string;
  data: Buffer;
  mode?: number;
}

/** The archive `fill` writes, in memory. */
async function packed(fill: (archive: Pack) => void): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on('data', (chunk: unknown) => void chunks.push(chunk as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    archive.on('end', resolve);
    archive.on('error', reject);
  });
  fill(archive);
  archive.finalize();
  await done;
  return Buffer.concat(chunks);
}

export function tarArchive(entries: ArchiveEntry[]): Promise<Buffer> {
  return packed((archive) => {
    const dirs = new Set<string>();
    for (const entry of entries) {
      const parts = entry.path.split('/').slice(0, -1);
      for (let i = 1; i <= parts.length; i += 1) {
        const dir = parts.slice(0, i).join('/');
        if (dirs.has(dir)) continue;
        dirs.add(dir);
        archive.entry({ name: `${dir}/`, type: 'directory', mode: 0o755 });
      }
      archive.entry({ name: entry.path, mode: entry.mode ?? 0o644 }, entry.data);
    }
  });
}

/**
 * Directories owned by `uid`:`gid`, as paths under `/`. Extracted at `/` into a container that is
 * created and not yet started, each gives the volume mounted there to that owner: the engine mounts
 * a container's volumes for the copy and keeps the owners the archive names.
 */
export function ownedDirectories(paths: string[], uid: number, gid: number): Promise<Buffer> {
  return packed((archive) => {
    for (const path of paths) archive.entry({ name: `${path.replace(/^\/+|\/+$/g, '')}/`, type: 'directory', mode: 0o755, uid, gid });
  });
}
