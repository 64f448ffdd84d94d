import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../../runner/lab/problem.js';
import { validatePaths } from '../../../runner/lab/registry.js';
import { simpleLab, simpleStarter, tempRoot, write, writeLab } from './fixture.js';

describe('labs validate and the known-bad variants', () => {
  it('checks every variant.yaml with the lab, located, with suggestions', async () => {
    const root = await tempRoot();
    const dir = await writeLab(root, { yaml: simpleLab, starter: simpleStarter });
    const variants = join(root, 'templates', 'exercise-9', 'variants');
    await write(join(variants, 'good', 'variant.yaml'), 'description: fine\nmust_fail: [delivery]\n');
    await write(join(variants, 'typo', 'variant.yaml'), 'description: oops\nmust_fail: [delivry]\n');
    await write(join(variants, 'missing', 'consumer.py'), 'print(1)\n');
    const report = await validatePaths([dir], root);
    const lines = report.problems.map((p) => formatProblem(p, root));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^templates\/exercise-9\/variants\/missing\/variant\.yaml:1:1: missing: write variant\.yaml/);
    expect(lines[1]).toMatch(/^templates\/exercise-9\/variants\/typo\/variant\.yaml:2:\d+ must_fail\.0: .*did you mean "delivery"/);
    expect(report.checked.filter((f) => f.endsWith('variant.yaml'))).toHaveLength(3);
  });
});
