import { readFile, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { courseDirFor, newLab, renameId, setTopScalar } from '../../../runner/lab/new-lab.js';
import { findLab, listLabs, validatePaths } from '../../../runner/lab/registry.js';
import { shippedLabsRoot } from '../../../runner/paths.js';
import { caught, simpleLab, simpleStarter, tempRoot, write, writeLab } from './fixture.js';

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

describe('labs new', () => {
  it('makes a minimal lab that validates, with a starter, a solution and a known-bad variant', async () => {
    const course = await tempRoot();
    const result = await newLab({ id: 'queue-basics', courseDir: course, title: 'Queue basics' });
    expect(result.labDir).toBe(join(course, 'labs', 'queue-basics'));
    expect(result.files).toEqual([
      'labs/queue-basics/lab.yaml',
      'templates/queue-basics/solution/consumer.py',
      'templates/queue-basics/solution/producer.py',
      'templates/queue-basics/starter/consumer.py',
      'templates/queue-basics/starter/producer.py',
      'templates/queue-basics/variants/consumer-exits-when-empty/consumer.py',
      'templates/queue-basics/variants/consumer-exits-when-empty/variant.yaml',
    ]);
    const report = await validatePaths([result.labDir]);
    expect(report.problems).toEqual([]);
    const lab = await findLab('queue-basics', { cwd: course });
    expect(lab.title).toBe('Queue basics');
    expect(lab.checks.map((c) => c.kind)).toEqual(['producer', 'delivery']);
    // The comments an author reads first are kept.
    expect(await readFile(join(result.labDir, 'lab.yaml'), 'utf8')).toMatch(/^# A new lab, made by `labs new`/);
  });

  it('copies a lab with its id renamed everywhere, not inside a longer id', async () => {
    const course = await tempRoot();
    const result = await newLab({ id: 'my-ex1', courseDir: course, from: await findLab('exercise-1') });
    const yaml = await readFile(join(result.labDir, 'lab.yaml'), 'utf8');
    expect(yaml).toMatch(/^id: my-ex1$/m);
    expect(yaml).toMatch(/^title: "Exercise 1: a task queue with HotQueue's consume method"$/m);
    const shipped = await readdir(join(shippedLabsRoot, '..', 'templates', 'exercise-1', 'variants'));
    expect((await readdir(join(result.templatesDir, 'variants'))).sort()).toEqual(shipped.sort());
    expect((await validatePaths([result.labDir])).problems).toEqual([]);
    expect(renameId('labs start exercise-1; labs start exercise-1-node; exercise-1.', 'exercise-1', 'my-ex1')).toBe(
      'labs start my-ex1; labs start exercise-1-node; my-ex1.',
    );
  });

  it('refuses an id that cannot be one, a lab that exists (shipped or the course’s) and a folder in the way; leaves nothing behind', async () => {
    const course = await tempRoot();
    const invalid = await caught(newLab({ id: 'Bad Id', courseDir: course }));
    expect(invalid.code).toBe('USAGE');
    expect(invalid.message).toBe('"Bad Id" cannot be a lab id: use lower-case letters, digits, "-", "_" or "."');
    const shipped = await caught(newLab({ id: 'exercise-2', courseDir: course }));
    expect(shipped.code).toBe('LAB_EXISTS');
    expect(shipped.message).toBe(`a lab "exercise-2" exists already: ${join(shippedLabsRoot, 'exercise-2')}`);
    expect(shipped.hint).toBe('choose another id, or copy it: `labs new <new-id> --from exercise-2`');
    expect(shipped.exitCode).toBe(2);
    await newLab({ id: 'mine', courseDir: course });
    expect((await caught(newLab({ id: 'mine', courseDir: course }))).message).toBe(`a lab "mine" exists already: ${join(course, 'labs', 'mine')}`);
    await write(join(course, 'templates', 'half', 'starter', 'x.py'), '');
    const inTheWay = await caught(newLab({ id: 'half', courseDir: course }));
    expect(inTheWay.message).toBe(`${join(course, 'templates', 'half')} exists already`);
    expect(await exists(join(course, 'labs', 'half'))).toBe(false);
  });

  it('a copy of a lab that does not validate is refused and removed', async () => {
    const course = await tempRoot();
    await writeLab(course, { yaml: simpleLab.replace('kind: delivery', 'kind: delivry'), starter: simpleStarter });
    const broken = {
      ...(await findLab('exercise-1')),
      id: 'exercise-9',
      dir: join(course, 'labs', 'exercise-9'),
      templatesDir: join(course, 'templates', 'exercise-9'),
    };
    const error = await caught(newLab({ id: 'copy', courseDir: course, from: broken }));
    expect(error.code).toBe('LAB_INVALID');
    expect(error.details[0]).toMatch(/^labs\/copy\/lab.yaml:\d+:\d+ checks.0.kind: "delivry" is not one of/);
    expect(await exists(join(course, 'labs', 'copy'))).toBe(false);
    expect(await exists(join(course, 'templates', 'copy'))).toBe(false);
  });
});

describe('a course’s own labs folder', () => {
  it('is found from a folder inside the course, and its lab hides a shipped one of the same id', async () => {
    const course = await tempRoot();
    await writeLab(course, {
      id: 'exercise-1',
      yaml: simpleLab.replace('exercise-9', 'exercise-1').replace('The consume method', 'Ours'),
      starter: simpleStarter,
    });
    const inside = join(course, 'exercise-1', 'deeper');
    await write(join(inside, 'x'), '');
    expect(await courseDirFor(inside)).toBe(course);
    expect((await findLab('exercise-1', { cwd: inside })).title).toBe('Ours');
    expect((await findLab('exercise-1')).title).not.toBe('Ours');
    const listed = await listLabs({ cwd: inside });
    expect(listed.find((l) => l.id === 'exercise-1')).toMatchObject({
      title: 'Ours',
      dir: join(course, 'labs', 'exercise-1'),
      hides: join(shippedLabsRoot, 'exercise-1'),
    });
    // The course's exercise-1 takes the shipped one's place: the same ids, none twice.
    const shipped = (await listLabs({ cwd: tmpdir() })).map((l) => l.id);
    expect(shipped).toContain('exercise-1');
    expect(listed.map((l) => l.id)).toEqual(shipped);
  });

  it('is not a labs/ folder without a lab in it (a student’s folder of workspaces); then labs new writes in the current folder', async () => {
    const dir = await tempRoot();
    await write(join(dir, 'labs', 'exercise-1', 'consumer.py'), '');
    expect(await courseDirFor(join(dir, 'labs', 'exercise-1'))).toBe(join(dir, 'labs', 'exercise-1'));
    expect(await courseDirFor(dir, 'course')).toBe(join(dir, 'course'));
  });
});

describe('setTopScalar', () => {
  it('replaces one value and keeps every other byte, folded lines and comments included', () => {
    const text = '# c\nid: old # why\nsummary: >-\n  one\n  two\n';
    expect(setTopScalar(text, 'id', 'new')).toBe('# c\nid: new # why\nsummary: >-\n  one\n  two\n');
    expect(setTopScalar(text, 'title', 'A: "b"')).toBe(`title: 'A: "b"'\n${text}`);
  });
});
