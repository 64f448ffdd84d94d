/** Tar archives built in memory, for copying files into containers through the engine's API. */
import { pack } from 'tar-stream';

export interface ArchiveEntry {
  path: string;
  data: Buffer;
  mode?: number;
}

export async function tarArchive(entries: ArchiveEntry[]): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on('data', (chunk: unknown) => void chunks.push(chunk as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    archive.on('end', resolve);
    archive.on('error', reject);
  });
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
  archive.finalize();
  await done;
  return Buffer.concat(chunks);
}
