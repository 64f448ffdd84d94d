import { describe, it, expect } from 'vitest';
import { parseYaml } from '../../../runner/lab/yaml.js';
import { formatProblem } from '../../../runner/lab/problem.js';

const text = `id: x
services:
  redis-db:
    image:
    ports: [6379, "6380:6380"]
files:
  - path: a.py
  - path: b.py
`;

describe('parseYaml', () => {
  const source = parseYaml(text, 'lab.yaml');

  it('maps a path to its value, or to its key when asked or when the value is empty', () => {
    expect(source.locate(['id'])).toEqual({ line: 1, col: 5 });
    expect(source.locate(['id'], 'key')).toEqual({ line: 1, col: 1 });
    expect(source.locate(['services', 'redis-db', 'image'])).toEqual({ line: 4, col: 5 });
    expect(source.locate(['services', 'redis-db', 'ports', 1])).toEqual({ line: 5, col: 19 });
    expect(source.locate(['files', 1, 'path'])).toEqual({ line: 8, col: 11 });
  });

  it('falls back to the nearest existing ancestor', () => {
    expect(source.locate(['services', 'redis-db', 'command'])).toEqual({ line: 3, col: 3 });
    expect(source.locate(['services', 'nope', 'image'])).toEqual({ line: 2, col: 1 });
    expect(source.locate(['files', 7, 'path'])).toEqual({ line: 6, col: 1 });
    expect(source.locate([])).toEqual({ line: 1, col: 1 });
  });

  it('keeps numbers and empty values as data', () => {
    expect(source.value).toEqual({
      id: 'x',
      services: { 'redis-db': { image: null, ports: [6379, '6380:6380'] } },
      files: [{ path: 'a.py' }, { path: 'b.py' }],
    });
    expect(source.syntaxProblems).toEqual([]);
  });

  it('turns syntax errors into located problems and gives no value', () => {
    const broken = parseYaml('a: 1\nb: [1, 2\nc: 3\n', 'x.yaml');
    expect(broken.value).toBeUndefined();
    expect(broken.syntaxProblems.length).toBeGreaterThan(0);
    expect(formatProblem(broken.syntaxProblems[0]!)).toMatch(/^x\.yaml:\d+:\d+: /);
    const twoDocs = parseYaml('a: 1\n---\nb: 2\n', 'x.yaml');
    expect(twoDocs.syntaxProblems.map((p) => formatProblem(p))).toEqual(['x.yaml:2:1: the file holds more than one YAML document: remove the "---" separator']);
  });
});

describe('formatProblem', () => {
  it('leaves out an empty path and marks warnings', () => {
    const base = { file: '/r/labs/a/lab.yaml', line: 3, col: 7, severity: 'error' as const };
    expect(formatProblem({ ...base, path: 'services.x', message: 'm' })).toBe('/r/labs/a/lab.yaml:3:7 services.x: m');
    expect(formatProblem({ ...base, path: '', message: 'm' }, '/r')).toBe('labs/a/lab.yaml:3:7: m');
    expect(formatProblem({ ...base, path: '', message: 'm', severity: 'warning' }, '/elsewhere')).toBe('/r/labs/a/lab.yaml:3:7: warning: m');
  });
});
