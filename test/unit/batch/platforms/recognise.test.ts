import { describe, expect, it } from 'vitest';
import { type TopLevel, recognise } from '../../../../runner/batch/platforms/recognise.js';

const top = (files: string[], folders: Record<string, string[]> = {}): TopLevel => ({ files, folders: new Map(Object.entries(folders)) });

describe('recognising an export', () => {
  it('tells each platform by its top level', () => {
    expect(recognise(top(['submission_metadata.yml'], { submission_1: ['a.py'] })).shape).toBe('gradescope');
    expect(recognise(top(['ada_1_2_producer.py', 'notes.txt'])).shape).toBe('canvas');
    expect(recognise(top([], { 'hw-ada': ['.git/', 'p.py'], 'hw-bob': ['.git/'] })).shape).toBe('classroom');
    expect(recognise(top([], { 'hw-ada': ['.git/'] }), 'hw-submissions').shape).toBe('classroom');
    // Checkouts not named <assignment>-<username> are students' own folders.
    expect(recognise(top([], { ada: ['.git/', 'p.py'], bob: ['.git/'] })).shape).toBe('folders');
    expect(recognise(top(['ada.zip'], { bob: ['p.py'] })).shape).toBe('folders');
  });

  it('calls two shapes at once ambiguous, with the evidence for each', () => {
    const found = recognise(top(['ada_1_2_producer.py'], { bob: ['p.py'] }));
    expect(found.shape).toBeUndefined();
    expect(found.ambiguous?.map((a) => a.shape)).toEqual(['canvas', 'folders']);
    expect(found.ambiguous?.[0]?.evidence).toContain('ada_1_2_producer.py');
  });

  it('finds nothing in plain files', () => {
    expect(recognise(top(['grades.pdf']))).toEqual({ shape: undefined });
  });
});
