import { describe, expect, it } from 'vitest';
import { classroomPrefix, classroomRepos, headCommit, labFolder } from '../../../../runner/batch/platforms/classroom.js';

describe('GitHub Classroom clones', () => {
  it('tells the assignment from the -submissions folder, else from what every repository shares', () => {
    expect(classroomPrefix('queues-lab-submissions', ['queues-lab-octocat'])).toBe('queues-lab-');
    expect(classroomPrefix('repos', ['queues-lab-octocat', 'queues-lab-mona-lisa'])).toBe('queues-lab-');
    // Two usernames sharing a start must not eat into the username.
    expect(classroomPrefix('repos', ['hw-ann-1', 'hw-ann-2'])).toBe('hw-ann-');
    expect(classroomPrefix('repos', ['hw-octocat'])).toBeUndefined();
  });

  it('takes the username after the prefix, and names every folder that is not <assignment>-<username>', () => {
    const { repos, unattributed } = classroomRepos('hw1-submissions', ['hw1-octocat', 'hw1-mona-lisa', 'other-repo', 'hw1-bad_name', 'hw1--x']);
    expect(repos).toEqual([
      { folder: 'hw1-mona-lisa', username: 'mona-lisa' },
      { folder: 'hw1-octocat', username: 'octocat' },
    ]);
    expect(unattributed.map((u) => u.entry)).toEqual(['other-repo/', 'hw1-bad_name/', 'hw1--x/']);
  });

  it('finds the lab in a folder named after it, any case', () => {
    expect(labFolder(['Exercise-1', 'docs'], 'exercise-1')).toBe('Exercise-1');
    expect(labFolder(['docs'], 'exercise-1')).toBeUndefined();
  });

  it('reads the commit from HEAD, a loose ref or packed-refs', () => {
    const a = 'a'.repeat(40);
    const b = 'b'.repeat(40);
    expect(headCommit(`${a}\n`, () => undefined, undefined)).toBe(a);
    expect(headCommit('ref: refs/heads/main\n', (ref) => (ref === 'refs/heads/main' ? `${b}\n` : undefined), undefined)).toBe(b);
    expect(headCommit('ref: refs/heads/main\n', () => undefined, `# pack-refs with: peeled\n${a} refs/heads/main\n`)).toBe(a);
    expect(headCommit('ref: refs/heads/../../x\n', () => b, undefined)).toBeUndefined();
    expect(headCommit(undefined, () => b, undefined)).toBeUndefined();
  });
});
