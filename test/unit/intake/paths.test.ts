import { describe, expect, it } from 'vitest';
import { entryPath, isIgnored, stripCommonTop } from '../../../runner/intake/paths.js';

describe('entryPath', () => {
  it('normalises separators and drops empty and "." segments', () => {
    expect(entryPath('./alice//producer.py')).toEqual({ ok: true, path: 'alice/producer.py' });
    expect(entryPath('alice\\consumer.py')).toEqual({ ok: true, path: 'alice/consumer.py' });
    expect(entryPath('alice/')).toEqual({ ok: true, path: 'alice' });
  });
  it('refuses names that lead outside the submission', () => {
    expect(entryPath('../../evil.py')).toEqual({ ok: false, problem: 'its path leads outside the submission (..)' });
    expect(entryPath('a/../../b')).toMatchObject({ ok: false });
    expect(entryPath('..\\evil.py')).toMatchObject({ ok: false });
    expect(entryPath('/etc/x')).toEqual({ ok: false, problem: 'its path is absolute' });
    expect(entryPath('\\\\server\\share')).toEqual({ ok: false, problem: 'its path is absolute' });
    expect(entryPath('C:/Windows/x')).toEqual({ ok: false, problem: 'its path is absolute (a drive letter)' });
    expect(entryPath('c:x')).toMatchObject({ ok: false });
    expect(entryPath('a\u0000b')).toEqual({ ok: false, problem: 'its name holds control characters' });
    expect(entryPath(`${'a'.repeat(256)}.py`)).toEqual({ ok: false, problem: 'its name is too long' });
  });
  it('keeps names that merely contain dots', () => {
    expect(entryPath('..hidden/x..py')).toEqual({ ok: true, path: '..hidden/x..py' });
  });
});

describe('isIgnored', () => {
  it('drops state, data and dependency folders at any depth, and OS litter', () => {
    for (const path of [
      '.git/config',
      'a/node_modules/x/index.js',
      'data/dump.rdb',
      'x/__pycache__/p.pyc',
      '__MACOSX/a/._p.py',
      'a/.DS_Store',
      'a/._producer.py',
      'Thumbs.db',
      '.venv/bin/python',
    ]) {
      expect(isIgnored(path, false), path).toBe(true);
    }
    expect(isIgnored('a/data', true)).toBe(true);
  });
  it("keeps the student's files, including a file named data and dotfiles", () => {
    for (const path of ['producer.py', 'data', 'database/x.py', '.env', 'src/.gitignore']) expect(isIgnored(path, false), path).toBe(false);
  });
});

describe('stripCommonTop', () => {
  const paths = (list: string[]): string[] => stripCommonTop(list.map((path) => ({ path }))).map((f) => f.path);
  it('strips one top folder every file sits under', () => {
    expect(paths(['alice-ex2/producer.py', 'alice-ex2/lib/q.py'])).toEqual(['producer.py', 'lib/q.py']);
    expect(paths(['a/b/c.py'])).toEqual(['b/c.py']);
  });
  it('leaves files alone when one is at the root or they have different tops', () => {
    expect(paths(['producer.py', 'lib/q.py'])).toEqual(['producer.py', 'lib/q.py']);
    expect(paths(['a/p.py', 'b/q.py'])).toEqual(['a/p.py', 'b/q.py']);
    expect(paths([])).toEqual([]);
  });
});
