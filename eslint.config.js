// ESLint for labs: typescript-eslint's recommended rules, Prettier's layout (eslint-config-prettier
// turns off what Prettier owns), and two rules of ARCHITECTURE.md: the layers' direction ("Layers": a
// module imports from its own layer and the layers above it, never below) and one import of each
// outside system ("Where outside systems are touched").
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** The layers in order (folders under runner/); each may import only from itself and the ones before it. */
const layers = ['lab', 'intake', 'provision', 'run', 'checks', 'rubric', 'report', 'session', 'workspace', 'batch', 'cli'];

/** The one module that may import each outside system. */
const outside = [
  { name: 'dockerode', only: 'runner/provision/docker.ts' },
  { name: 'ioredis', only: 'runner/checks/probe.ts' },
  { name: 'bullmq', only: 'runner/batch/queue.ts' },
  { name: 'chokidar', only: 'runner/workspace/watch.ts' },
  { name: 'node:http', only: 'runner/session/ports.ts' },
  { name: 'http', only: 'runner/session/ports.ts' },
];

/**
 * The modules of runner/lab that may import node:fs: every file a validation reads goes through
 * lab/files.ts, so that a cached result knows what it was made from (lab/cache.ts); `labs new`
 * (new-lab.ts) writes a lab, and nothing is cached from it.
 */
const labFileSystem = ['runner/lab/files.ts', 'runner/lab/cache.ts', 'runner/lab/compose-spec.ts', 'runner/lab/new-lab.ts'];

/** no-restricted-imports for the files of one layer: the layers below it, and outside systems not theirs. */
function layerRule(layer, file) {
  const below = layers.slice(layers.indexOf(layer) + 1);
  const patterns = below.length
    ? [
        {
          regex: `(^|/)(${below.join('|')})/`,
          message: `runner/${layer} is below these layers (ARCHITECTURE.md, "Layers"): move the shared part down, or pass it in`,
        },
      ]
    : [];
  const paths = outside.filter((o) => o.only !== file).map((o) => ({ name: o.name, message: `${o.name} is imported by ${o.only} only` }));
  if (layer === 'lab' && !labFileSystem.includes(file)) {
    for (const name of ['fs', 'fs/promises', 'node:fs', 'node:fs/promises']) {
      paths.push({ name, message: 'runner/lab reads files through a LabFiles (lab/files.ts), so that a cached result knows what it read' });
    }
  }
  return ['error', { paths, patterns }];
}

export default tseslint.config(
  // Student starter files and fixtures are the students' code, with their TODOs.
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'schema/', 'templates/', 'test/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Control characters are matched on purpose: terminal escapes, file names, XML and HTML output.
      'no-control-regex': 'off',
    },
  },
  ...layers.map((layer) => ({ files: [`runner/${layer}/**/*.ts`], rules: { 'no-restricted-imports': layerRule(layer) } })),
  ...outside.map((o) => {
    const layer = o.only.split('/')[1];
    return { files: [o.only], rules: { 'no-restricted-imports': layerRule(layer, o.only) } };
  }),
  ...labFileSystem.map((file) => ({ files: [file], rules: { 'no-restricted-imports': layerRule('lab', file) } })),
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
