#!/usr/bin/env node
// Writes schema/lab.schema.json from the built zod schema (run `npm run build` first).
// `--check` writes nothing and exits 1 when the committed file is out of date (for CI).
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'schema', 'lab.schema.json');
const { labJsonSchemaText } = await import('../dist/runner/lab/json-schema.js');
const text = labJsonSchemaText();

if (process.argv.includes('--check')) {
  const current = await readFile(target, 'utf8').catch(() => '');
  if (current !== text) {
    console.error(`${target} is out of date: run \`npm run schema\``);
    process.exit(1);
  }
  console.log(`${target} is up to date`);
} else {
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, text);
  console.log(`wrote ${target}`);
}
