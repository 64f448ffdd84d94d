#!/usr/bin/env node
// Writes dist/compose-spec-validate.cjs: ajv's standalone code of the Compose Specification's
// schema (schema/compose-spec/), so `labs` does not compile the 75 kB schema at every start (about
// 190 ms). Run after tsc (`npm run build`); runner/lab/compose-spec.ts uses the file only when it
// was made from the schema it reads (the sha256 below), and compiles the schema itself otherwise.
import { writeFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';

const { composeSpecAjvOptions, composeSpecSchema, generatedValidatorPath } = await import('../dist/runner/lab/compose-spec.js');
const { schema, sha256 } = composeSpecSchema();
const ajv = new Ajv({ ...composeSpecAjvOptions, code: { source: true } });
const code = standalone.default(ajv, ajv.compile(schema));
await writeFile(generatedValidatorPath, `${code}\nmodule.exports.schemaSha256 = ${JSON.stringify(sha256)};\n`);
console.log(`wrote ${generatedValidatorPath} (${Math.round(code.length / 1024)} kB, schema sha256 ${sha256.slice(0, 12)})`);
