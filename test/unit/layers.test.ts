import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

async function sources(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(join(root, dir), { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) found.push(relative(root, join(entry.parentPath, entry.name)));
  }
  return found;
}

const importsOf = async (file: string): Promise<string[]> =>
  [...(await readFile(join(root, file), 'utf8')).matchAll(/^import\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]!);

describe('the seams between layers hold', () => {
  it('only runner/provision/docker.ts imports dockerode: everything else depends on ContainerRuntime', async () => {
    const importers: string[] = [];
    for (const file of await sources('runner')) if ((await importsOf(file)).includes('dockerode')) importers.push(file);
    expect(importers).toEqual(['runner/provision/docker.ts']);
  });

  it('check kinds reach the environment only through their context: no imports from runner/provision', async () => {
    const offending: string[] = [];
    for (const file of await sources('runner/checks')) {
      for (const spec of await importsOf(file)) if (/\/provision\//.test(spec)) offending.push(`${file} imports ${spec}`);
    }
    expect(offending).toEqual([]);
  });
});
