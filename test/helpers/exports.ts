/**
 * Platforms' exports made in temp folders, in the shapes runner/batch/platforms/ reads (see their
 * docstrings for where each shape comes from): Canvas's flat download, Gradescope's export with
 * `submission_metadata.yml`, and GitHub Classroom's clone, real git repositories made with git.
 * Each as an unpacked folder or as the zip the platform hands out.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { type ZipItem, writeTree, zipBuffer } from '../unit/intake/build.js';

export type Files = Record<string, string | Buffer>;

export interface CanvasUpload {
  /** Canvas's name part, `lovelaceada`. */
  name: string;
  userId: number;
  submissionId: number;
  late?: boolean;
  /** The files as Canvas names them after the prefix: `producer-1.py` for a second upload. */
  files: Files;
}

/** Canvas's "Download Submissions": `<dir>/submissions(.zip)`, every file flat at the top. */
export async function canvasExport(dir: string, uploads: CanvasUpload[], options: { zip?: boolean; extra?: Files } = {}): Promise<string> {
  const flat: Files = { ...options.extra };
  for (const u of uploads) {
    for (const [file, data] of Object.entries(u.files)) flat[`${u.name}_${u.late ? 'LATE_' : ''}${u.userId}_${u.submissionId}_${file}`] = data;
  }
  return place(dir, 'submissions', flat, options.zip);
}

export interface GradescopeSubmission {
  id: number;
  submitters: { name: string; sid?: string; email?: string }[];
  createdAt?: string;
  /** Absent: the metadata lists the submission and the export has no folder for it. */
  files?: Files;
}

/** The metadata as Gradescope's export writes it: Ruby symbols as keys, a BigDecimal score. */
export function gradescopeMetadata(submissions: GradescopeSubmission[]): string {
  const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;
  return submissions
    .map((s) =>
      [
        `:submission_${s.id}:`,
        '  :submitters:',
        ...s.submitters.flatMap((p) => [
          `  - :name: ${quote(p.name)}`,
          ...(p.sid !== undefined ? [`    :sid: ${quote(p.sid)}`] : []),
          ...(p.email !== undefined ? [`    :email: ${quote(p.email)}`] : []),
        ]),
        `  :created_at: ${s.createdAt ?? '2026-11-20 10:02:03.123456000 -08:00'}`,
        '  :score: !ruby/object:BigDecimal 18:0.0',
        '  :status: processed',
      ].join('\n'),
    )
    .join('\n')
    .concat('\n');
}

/** Gradescope's "Export Submissions": `assignment_<id>_export/` with the metadata and a folder per submission. */
export async function gradescopeExport(dir: string, submissions: GradescopeSubmission[], options: { zip?: boolean; extra?: Files } = {}): Promise<string> {
  const top = 'assignment_4242_export';
  const files: Files = { [`${top}/submission_metadata.yml`]: gradescopeMetadata(submissions) };
  for (const [path, data] of Object.entries(options.extra ?? {})) files[`${top}/${path}`] = data;
  for (const s of submissions) for (const [path, data] of Object.entries(s.files ?? {})) files[`${top}/submission_${s.id}/${path}`] = data;
  return place(dir, 'gradescope_export', files, options.zip);
}

export interface ClassroomRepo {
  username: string;
  files: Files;
}

/**
 * `gh classroom clone student-repos`: `<dir>/<assignment>-submissions/<assignment>-<username>/`, each a
 * git repository with one commit of `files`. Returns the folder and each username's commit.
 */
export async function classroomExport(dir: string, assignment: string, repos: ClassroomRepo[]): Promise<{ path: string; commits: Map<string, string> }> {
  const path = join(dir, `${assignment}-submissions`);
  const commits = new Map<string, string>();
  for (const repo of repos) {
    const at = join(path, `${assignment}-${repo.username}`);
    await mkdir(at, { recursive: true });
    await writeTree(at, repo.files);
    const git = (args: string[]) =>
      execa('git', args, { cwd: at, env: { GIT_AUTHOR_DATE: '2026-11-20T10:00:00Z', GIT_COMMITTER_DATE: '2026-11-20T10:00:00Z' } });
    await git(['init', '-q', '-b', 'main']);
    await git(['add', '-A']);
    await git(['-c', 'user.name=Student', '-c', 'user.email=student@example.edu', 'commit', '-q', '--allow-empty', '-m', 'submission']);
    commits.set(repo.username, (await git(['rev-parse', 'HEAD'])).stdout.trim());
  }
  return { path, commits };
}

/** A folder `<dir>/<name>` holding `files`, or the zip `<dir>/<name>.zip` of them. */
async function place(dir: string, name: string, files: Files, zip = false): Promise<string> {
  if (!zip) return writeTree(join(dir, name), files);
  const items: ZipItem[] = Object.entries(files).map(([path, data]) => ({ name: path, data }));
  const file = join(dir, `${name}.zip`);
  await writeFile(file, await zipBuffer(items));
  return file;
}

/** A Canvas gradebook as exported: header, Points Possible, a Manual Posting row, then students. */
export function canvasGradebookCsv(
  students: { name: string; id: number; sis?: string; login?: string }[],
  assignments: { name: string; id: number; points: number }[] = [],
): string {
  const header = [
    'Student',
    'ID',
    'SIS User ID',
    'SIS Login ID',
    'Section',
    ...assignments.map((a) => `${a.name} (${a.id})`),
    'Current Points',
    'Final Points',
    'Current Score',
    'Final Score',
  ];
  const points = [
    '    Points Possible',
    '',
    '',
    '',
    '',
    ...assignments.map((a) => a.points.toFixed(2)),
    '(read only)',
    '(read only)',
    '(read only)',
    '(read only)',
  ];
  const posting = ['', '', '', '', '', ...assignments.map(() => 'Manual Posting'), '', '', '', ''];
  const rows = students.map((s) => [
    s.name,
    String(s.id),
    s.sis ?? '',
    s.login ?? (s.sis ? `${s.sis}@example.edu` : ''),
    'Section 1',
    ...assignments.map(() => ''),
    '0.00',
    '0.00',
    '',
    '',
  ]);
  const field = (v: string): string => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return `${[header, points, posting, ...rows].map((r) => r.map(field).join(',')).join('\r\n')}\r\n`;
}
