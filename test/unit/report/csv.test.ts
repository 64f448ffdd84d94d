import { describe, expect, it } from 'vitest';
import { csvField, gradebookCsv, neutraliseFormula } from '../../../runner/report/csv.js';
import { graded, makeLab, notGraded } from './batch-fixture.js';

const lab = makeLab();

describe('gradebookCsv', () => {
  it('header: student, total, max, the check ids in lab order, status; LF line endings, one final newline', () => {
    const csv = gradebookCsv(lab, [graded('a')]);
    expect(csv.split('\n')[0]).toBe('student,total,max,producer,delivery,blocking,latency,status');
    expect(csv).not.toContain('\r');
    expect(csv.endsWith('\n')).toBe(true);
    expect(csv.split('\n')).toHaveLength(3);
  });

  it('rows sorted by student (code-point order), each check’s score in its column', () => {
    const csv = gradebookCsv(lab, [graded('carol', ['delivery']), graded('Bob'), graded('alice', ['producer', 'latency'])]);
    expect(csv.split('\n').slice(1, -1)).toEqual(['Bob,10,10,2,4,2,2,graded', 'alice,6,10,0,4,2,0,graded', 'carol,6,10,2,0,2,2,graded']);
  });

  it('infra-error and timeout rows: total and check columns empty (never 0), max still the lab’s max', () => {
    const csv = gradebookCsv(lab, [notGraded('dan', 'infra-error', 'no Docker'), notGraded('eve', 'timeout', 'too slow')]);
    expect(csv.split('\n').slice(1, -1)).toEqual(['dan,,10,,,,,infra-error', 'eve,,10,,,,,timeout']);
  });

  it('a check missing from a report (the lab changed) is an empty cell, not 0', () => {
    const short = graded('a');
    short.report!.checks = short.report!.checks.filter((c) => c.id !== 'latency');
    expect(gradebookCsv(lab, [short]).split('\n')[1]).toBe('a,10,10,2,4,2,,graded');
  });

  it('RFC 4180: a comma, quote or line break quotes the field and doubles its quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('Smith, Jane')).toBe('"Smith, Jane"');
    expect(csvField('the "best"')).toBe('"the ""best"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    const csv = gradebookCsv(lab, [graded('Smith, "JJ"')]);
    expect(csv.split('\n')[1]).toBe('"Smith, ""JJ""",10,10,2,4,2,2,graded');
  });

  it('formula injection: a leading = + - @ (or tab, CR) gets a leading apostrophe, then quoting applies', () => {
    for (const lead of ['=', '+', '-', '@', '\t']) expect(neutraliseFormula(`${lead}x`)).toBe(`'${lead}x`);
    expect(neutraliseFormula('a=1')).toBe('a=1');
    const rows = gradebookCsv(lab, [graded('=HYPERLINK("http://evil","x")'), graded('@SUM(1)'), graded('-2+3'), graded('+1')]).split('\n');
    expect(rows).toContain(`"'=HYPERLINK(""http://evil"",""x"")",10,10,2,4,2,2,graded`);
    expect(rows).toContain(`'@SUM(1),10,10,2,4,2,2,graded`);
    expect(rows).toContain(`'-2+3,10,10,2,4,2,2,graded`);
    expect(rows).toContain(`'+1,10,10,2,4,2,2,graded`);
  });

  it('fractional points without float noise', () => {
    const frac = makeLab({
      checks: [
        { id: 'a', kind: 'producer', points: 0.1 },
        { id: 'b', kind: 'delivery', points: 0.2 },
      ],
    });
    expect(gradebookCsv(frac, [graded('s', [], {}, frac)]).split('\n')[1]).toBe('s,0.3,0.3,0.1,0.2,graded');
  });
});
