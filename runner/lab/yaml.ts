/**
 * YAML with positions: every problem found later (schema, cross-field rules) is reported at the
 * line and column of the key or value it is about, so documents are parsed once with a LineCounter
 * and paths are mapped back to nodes.
 */
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document, type YAMLError } from 'yaml';
import type { Problem } from './types.js';
import { dottedPath, type DocPath } from './problem.js';

export interface Position {
  line: number;
  col: number;
}

/** Whether a problem is about a key (an unknown key: point at the key) or its value. */
export type Target = 'key' | 'value';

export interface ProblemOptions {
  target?: Target;
  severity?: Problem['severity'];
}

export interface YamlSource {
  file: string;
  /** The document as plain data; undefined when syntax errors make its structure untrustworthy. */
  value: unknown;
  /** Stage 1: YAML syntax errors (and warnings), each at its own line:col. */
  syntaxProblems: Problem[];
  /** Where the node at `path` is; the nearest existing ancestor when it does not exist. */
  locate(path: DocPath, target?: Target): Position;
  problem(path: DocPath, message: string, options?: ProblemOptions): Problem;
}

const syntaxMessages: Record<string, string> = {
  MULTIPLE_DOCS: 'the file holds more than one YAML document: remove the "---" separator',
};

/**
 * `merge`: apply YAML merge keys (`<<: *defaults`), which Compose files use with `x-` anchors; off by
 * default, as in YAML 1.2, whose core schema does not have them.
 */
export function parseYaml(text: string, file: string, options: { merge?: boolean } = {}): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: options.merge ?? false });
  const at = (offset: number): Position => lineCounter.linePos(offset);

  const locate = (path: DocPath, target: Target = 'value'): Position => {
    const offset = locateOffset(doc, path, target);
    return offset === undefined ? { line: 1, col: 1 } : at(offset);
  };
  const problem = (path: DocPath, message: string, options: ProblemOptions = {}): Problem => ({
    file,
    ...locate(path, options.target),
    path: dottedPath(path),
    message,
    severity: options.severity ?? 'error',
  });
  const fromYamlError = (error: YAMLError, severity: Problem['severity']): Problem => ({
    file,
    ...at(error.pos[0]),
    path: '',
    message: syntaxMessages[error.code] ?? error.message,
    severity,
  });

  const syntaxProblems = [...doc.errors.map((e) => fromYamlError(e, 'error')), ...doc.warnings.map((w) => fromYamlError(w, 'warning'))];
  return { file, value: doc.errors.length > 0 ? undefined : doc.toJS(), syntaxProblems, locate, problem };
}

function keyMatches(key: unknown, segment: string | number): boolean {
  return isScalar(key) && String(key.value) === String(segment);
}

function isEmptyValue(node: unknown): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null && node.source === '');
}

function startOf(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range?.[0];
}

/**
 * Walks the document along `path`. A fully resolved path gives the key's offset (target 'key', or a
 * value left empty, like `image:`) or the value's; an unresolved one gives the offset of the deepest
 * node that exists, so a missing key is reported at its parent's key.
 */
function locateOffset(doc: Document, path: DocPath, target: Target): number | undefined {
  let node: unknown = doc.contents;
  let anchor = startOf(node);
  for (const [index, segment] of path.entries()) {
    const last = index === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((item) => keyMatches(item.key, segment));
      if (pair === undefined) return anchor;
      const keyOffset = startOf(pair.key);
      if (last && (target === 'key' || isEmptyValue(pair.value))) return keyOffset;
      anchor = keyOffset;
      node = pair.value;
      if (last) return startOf(node) ?? keyOffset;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item === undefined) return anchor;
      anchor = startOf(item) ?? anchor;
      node = item;
      if (last) return anchor;
    } else {
      return anchor;
    }
  }
  return anchor;
}
