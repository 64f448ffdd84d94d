import { describe, expect, it } from 'vitest';
import { canvasStudents, parseCanvasName, resubmission } from '../../../../runner/batch/platforms/canvas.js';

describe("Canvas's download names", () => {
  it('parses <name>_[LATE_]<user id>_<submission id>_<file name>', () => {
    expect(parseCanvasName('lovelaceada_1001_55501_producer.py')).toEqual({
      name: 'lovelaceada',
      late: false,
      userId: '1001',
      submissionId: '55501',
      file: 'producer.py',
    });
    expect(parseCanvasName('hopper_grace_LATE_1002_55502_my_consumer.py')).toEqual({
      name: 'hopper_grace',
      late: true,
      userId: '1002',
      submissionId: '55502',
      file: 'my_consumer.py',
    });
    expect(parseCanvasName('producer.py')).toBeUndefined();
    expect(parseCanvasName('notes_1001.txt')).toBeUndefined();
  });

  it("takes Canvas's -N before the extension as a later copy of the same file", () => {
    expect(resubmission('producer-2.py')).toEqual({ base: 'producer.py', copy: 2 });
    expect(resubmission('producer.py')).toEqual({ base: 'producer.py', copy: 0 });
    expect(resubmission('Makefile-1')).toEqual({ base: 'Makefile', copy: 1 });
    expect(resubmission('exercise-one.py')).toEqual({ base: 'exercise-one.py', copy: 0 });
  });

  it("keeps a lab's own file whose name ends in -N under that name (a regression: part-1.py was graded as part.py)", () => {
    const lab = new Set(['part-1.py', 'part-2.py']);
    expect(resubmission('part-1.py', lab)).toEqual({ base: 'part-1.py', copy: 0 });
    // Canvas's copy of the lab's file is still a copy.
    expect(resubmission('part-1-1.py', lab)).toEqual({ base: 'part-1.py', copy: 1 });
    const { students } = canvasStudents(['ada_1001_55501_part-1.py', 'ada_1001_55501_part-2.py', 'ada_1001_55501_part-2-1.py'], lab);
    expect(students[0]!.files).toEqual(
      new Map([
        ['ada_1001_55501_part-1.py', 'part-1.py'],
        ['ada_1001_55501_part-2-1.py', 'part-2.py'],
      ]),
    );
    expect(students[0]!.superseded).toEqual(['ada_1001_55501_part-2.py']);
  });

  it('groups files per user id, keeps the latest copy under its original name, records LATE and names what is nobody’s', () => {
    const { students, unattributed } = canvasStudents([
      'lovelaceada_1001_55501_producer.py',
      'lovelaceada_1001_55501_producer-1.py',
      'lovelaceada_1001_55501_producer-2.py',
      'lovelaceada_1001_55501_consumer.py',
      'hopper_LATE_1002_55502_submission.zip',
      'readme.txt',
    ]);
    expect(students).toEqual([
      {
        userId: '1001',
        name: 'lovelaceada',
        late: false,
        files: new Map([
          ['lovelaceada_1001_55501_producer-2.py', 'producer.py'],
          ['lovelaceada_1001_55501_consumer.py', 'consumer.py'],
        ]),
        sources: [
          'lovelaceada_1001_55501_producer.py',
          'lovelaceada_1001_55501_producer-1.py',
          'lovelaceada_1001_55501_producer-2.py',
          'lovelaceada_1001_55501_consumer.py',
        ],
        superseded: ['lovelaceada_1001_55501_producer.py', 'lovelaceada_1001_55501_producer-1.py'],
      },
      {
        userId: '1002',
        name: 'hopper',
        late: true,
        files: new Map([['hopper_LATE_1002_55502_submission.zip', 'submission.zip']]),
        archive: { entry: 'hopper_LATE_1002_55502_submission.zip', kind: 'zip' },
        sources: ['hopper_LATE_1002_55502_submission.zip'],
        superseded: [],
      },
    ]);
    expect(unattributed).toEqual([{ entry: 'readme.txt', why: 'its name is not Canvas\'s "<name>_[LATE_]<user id>_<submission id>_<file name>"' }]);
  });

  it('never takes a path from a name: the user id is digits, and the file part stays a name intake checks', () => {
    const { students } = canvasStudents(['x_1_2_../../etc/passwd', 'ü名前_3_4_/abs/path.py', 'evil_5_6_a\u0000b.py']);
    expect(students.map((s) => s.userId)).toEqual(['1', '3', '5']);
    // The file parts are read through intake's collector, which refuses them by name (test/unit/batch/platforms/discover.test.ts).
    expect(students.flatMap((s) => [...s.files.values()])).toEqual(['../../etc/passwd', '/abs/path.py', 'a\u0000b.py']);
  });
});
