/**
 * The submissions of a batch, whatever made it: a platform's export (Canvas, Gradescope, GitHub
 * Classroom) as its .zip or unpacked folder, or a folder with one folder or archive per student.
 * The shape is recognised from the top level (recognise.ts) unless `--from` names it; each student's
 * part of an export is read later, through intake's limits (intake/export.ts). Every entry that is
 * nobody's is returned in `unattributed`, named, never dropped silently.
 */
import { lstat, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { LabsError } from '../../errors.js';
import { type ExportContainer, type ExportPart, type ExportShape, readExportPart } from '../../intake/export.js';
import { listZip } from '../../intake/zip.js';
import { type Discovered, type Submission, checkStudentIds, compare, discoverSubmissions } from '../discover.js';
import { type Unattributed, canvasStudents } from './canvas.js';
import { classroomRepos, headCommit, labFolder } from './classroom.js';
import { gradescopeSubmissions, metadataFile } from './gradescope.js';
import { type TopLevel, isHidden, isLitter, recognise } from './recognise.js';

export interface DiscoveredBatch extends Discovered {
  shape: ExportShape;
  /** Entries of an export that could not be attributed to a student, each with why. */
  unattributed: Unattributed[];
}

export interface DiscoverOptions {
  /** `--from`: the shape to read, instead of recognising it. */
  from?: ExportShape;
  /** The lab's id: a Classroom repository may hold the lab in a folder of that name. */
  labId: string;
  /** The names of the lab's files (`producer.py`): in a Canvas download, one ending in `-N` is the lab's, not a resubmitted copy. */
  labFiles?: readonly string[];
}

/** An export listed with at most this many entries; past it the export is refused, not half read. */
const maxExportEntries = 200_000;

const fromHint = 'pass --from canvas, --from gradescope, --from classroom or --from folders to say which it is';

/**
 * The submissions at `path` (a folder, or a platform's .zip), sorted by student. Throws USAGE when
 * the path is missing or neither, when its shape is ambiguous or unrecognised (the hint says which
 * `--from` to pass), when it holds no submission, and when ids are unsafe or collide.
 */
export async function discoverBatch(path: string, options: DiscoverOptions): Promise<DiscoveredBatch> {
  const container = await containerOf(path);
  const list = await lister(container);
  let root = '';
  let top = await list('');
  let found = recognise(top, basename(path).replace(/\.zip$/i, ''));
  // A zip's or folder's single top folder (`assignment_1_export/`, `hw1-submissions/`) is the export.
  const only = [...top.folders.keys()];
  if (top.files.length === 0 && only.length === 1 && (found.shape === undefined || found.shape === 'folders')) {
    const inner = await list(`${only[0]}/`);
    const innerFound = recognise(inner, only[0]);
    if (innerFound.shape !== undefined && innerFound.shape !== 'folders' && (!options.from || options.from === innerFound.shape)) {
      root = `${only[0]}/`;
      // A hidden name beside that folder is still named.
      top = { ...inner, hidden: [...(top.hidden ?? []), ...(inner.hidden ?? []).map((name) => `${root}${name}`)] };
      found = innerFound;
    }
  }
  const shape = options.from ?? found.shape;
  if (!shape) {
    if (found.ambiguous) {
      throw new LabsError('USAGE', `${path} could be read more than one way`, {
        hint: fromHint,
        details: found.ambiguous.map((a) => `--from ${a.shape}: ${a.evidence}`),
      });
    }
    const entries = [...top.files, ...[...top.folders.keys()].map((f) => `${f}/`)].sort(compare);
    throw new LabsError('USAGE', `no submissions in ${path}`, {
      hint: `put one folder, .zip, .tar.gz or .tgz per student in it, or give a platform's export: a Canvas download holds files named <name>_<user id>_<submission id>_<file>, a Gradescope export a ${metadataFile}, a Classroom clone <assignment>-<username> repositories; or ${fromHint}`,
      details: entries.length ? [`not submissions: ${entries.join(', ')}`] : [],
    });
  }
  if (shape === 'folders') {
    if (container.kind === 'zip') {
      throw new LabsError('USAGE', `${path} is a zip, and a batch of a folder or archive per student is read from a folder`, {
        hint: `unzip it and grade the folder, or ${fromHint}`,
      });
    }
    return { ...(await discoverSubmissions(path)), shape, unattributed: [] };
  }
  const rootName = root ? root.slice(0, -1) : basename(path).replace(/\.zip$/i, '');
  const { submissions, unattributed: others } =
    shape === 'canvas'
      ? canvas(container, root, top, new Set(options.labFiles))
      : shape === 'gradescope'
        ? await gradescope(container, root, top)
        : await classroom(container, root, rootName, top, options.labId);
  const unattributed = [
    ...(top.odd ?? []).map((entry) => ({ entry, why: 'its path is absolute or leads outside the export' })),
    ...(top.hidden ?? [])
      .sort(compare)
      .map((entry) => ({ entry, why: 'its name starts with "." (hidden): only what an OS leaves (.DS_Store, ._*) is left out without a word' })),
    ...others,
  ];
  if (submissions.length === 0) {
    throw new LabsError('USAGE', `no ${platformName[shape]} submissions in ${path}`, {
      hint: unattributed.length ? `none of its entries is one (below); ${fromHint}` : fromHint,
      details: unattributed.map((u) => `${u.entry}: ${u.why}`),
    });
  }
  checkStudentIds(
    submissions.flatMap((s) => s.submitters!.map((who) => ({ student: who.student, entry: s.facts!.sources[0] ?? who.student }))),
    path,
  );
  return { submissions: submissions.sort((a, b) => compare(a.student, b.student)), skipped: [], shape, unattributed };
}

/** Each shape as the instructor calls it, in messages ("no Canvas submissions in …"). */
export const platformName: Record<ExportShape, string> = { canvas: 'Canvas', gradescope: 'Gradescope', classroom: 'GitHub Classroom', folders: 'student' };

async function containerOf(path: string): Promise<ExportContainer> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    const problem = error.code === 'ENOENT' ? 'does not exist' : `cannot be read (${error.code ?? String(error)})`;
    throw new LabsError('USAGE', `the submissions ${path} ${problem}`, { hint: 'pass a folder of submissions, or the .zip a platform exported', cause: error });
  });
  if (info.isDirectory()) return { path, kind: 'folder' };
  if (info.isFile() && /\.zip$/i.test(path)) return { path, kind: 'zip' };
  throw new LabsError('USAGE', `${path} is neither a folder nor a .zip`, { hint: 'pass a folder of submissions, or the .zip a platform exported' });
}

/** Lists a folder of the export (`''` the top, else `name/`): its files, and its folders with what they hold. */
async function lister(container: ExportContainer): Promise<(under: string) => Promise<TopLevel>> {
  if (container.kind === 'folder') {
    const children = async (dir: string): Promise<{ name: string; folder: boolean }[]> =>
      // withFileTypes reports a link as a link: a link is never walked into, nor read as a student's.
      (await readdir(join(container.path, dir), { withFileTypes: true }).catch(() => [])).map((d) => ({ name: d.name, folder: d.isDirectory() }));
    return async (under) => {
      const top: TopLevel = { files: [], folders: new Map(), hidden: [] };
      for (const entry of await children(under)) {
        if (isLitter(entry.name)) continue;
        if (isHidden(entry.name)) top.hidden!.push(entry.folder ? `${entry.name}/` : entry.name);
        else if (!entry.folder) top.files.push(entry.name);
        else
          top.folders.set(
            entry.name,
            (await children(`${under}${entry.name}`)).map((c) => (c.folder ? `${c.name}/` : c.name)),
          );
      }
      return top;
    };
  }
  const { names, truncated } = await listZip(container.path, maxExportEntries).catch((error: unknown) => {
    throw new LabsError('USAGE', `${container.path} cannot be read as a zip: ${(error as Error).message}`, { hint: 'download the export again', cause: error });
  });
  if (truncated)
    throw new LabsError('USAGE', `${container.path} holds more than ${maxExportEntries} entries`, { hint: 'split the export, or grade it unpacked' });
  return async (under) => {
    const top: TopLevel = { files: [], folders: new Map(), odd: [], hidden: [] };
    for (const name of names) {
      if (!name.startsWith(under)) continue;
      const [first, second, ...rest] = name.slice(under.length).split('/');
      if (first === '' || first === '.' || first === '..') {
        if (name !== under) top.odd!.push(name);
        continue;
      }
      if (first === undefined || isLitter(first)) continue;
      if (isHidden(first)) {
        const shown = second === undefined ? first : `${first}/`;
        if (!top.hidden!.includes(shown)) top.hidden!.push(shown);
        continue;
      }
      if (second === undefined) {
        top.files.push(first);
        continue;
      }
      const inside = top.folders.get(first) ?? [];
      top.folders.set(first, inside);
      const child = second && (rest.length ? `${second}/` : second);
      if (child && !inside.includes(child)) inside.push(child);
    }
    top.files = top.files.filter((f) => !top.folders.has(f));
    return top;
  };
}

type Found = { submissions: Submission[]; unattributed: Unattributed[] };

function canvas(container: ExportContainer, root: string, top: TopLevel, labFiles: ReadonlySet<string>): Found {
  // Sorted, so that which copy is "earlier" never depends on the order a disk or zip lists them in.
  const { students, unattributed } = canvasStudents([...top.files].sort(compare), labFiles);
  for (const folder of top.folders.keys()) unattributed.push({ entry: `${folder}/`, why: "Canvas's download is flat: a folder in it is nobody's" });
  const submissions = students.map((s): Submission => {
    const part: ExportPart = s.archive
      ? { type: 'archive', entry: root + s.archive.entry, kind: s.archive.kind }
      : { type: 'files', files: new Map([...s.files].map(([entry, name]) => [root + entry, name])) };
    return {
      student: s.userId,
      source: container.path,
      kind: container.kind,
      part,
      submitters: [{ student: s.userId, name: s.name, canvasUserId: s.userId }],
      facts: { late: s.late, sources: s.sources, ...(s.superseded.length && { superseded: s.superseded }) },
    };
  });
  return { submissions, unattributed };
}

async function gradescope(container: ExportContainer, root: string, top: TopLevel): Promise<Found> {
  const where = `${container.path}: ${root}${metadataFile}`;
  const text = (await readSmall(container, [root + metadataFile], 20 * 1024 * 1024)).get(root + metadataFile);
  if (text === undefined) throw new LabsError('USAGE', `${where} cannot be read`, { hint: 'download the export again' });
  const found = gradescopeSubmissions(text, [...top.folders.keys()], where);
  for (const file of top.files) if (file !== metadataFile) found.unattributed.push({ entry: file, why: "a file beside the submission folders is nobody's" });
  const submissions = found.submissions.map((s): Submission => ({
    student: s.submitters[0]!.student,
    source: container.path,
    kind: container.kind,
    part: s.noFolder
      ? { type: 'none', why: `${metadataFile} lists ${s.folder}, but the export holds no folder ${s.folder}/: graded as no files` }
      : { type: 'prefix', prefix: `${root}${s.folder}/` },
    submitters: s.submitters,
    facts: { ...(s.submittedAt && { submittedAt: s.submittedAt }), sources: s.noFolder ? [] : [`${s.folder}/`] },
  }));
  return { submissions, unattributed: found.unattributed };
}

async function classroom(container: ExportContainer, root: string, rootName: string, top: TopLevel, labId: string): Promise<Found> {
  const found = classroomRepos(rootName, [...top.folders.keys()]);
  for (const file of top.files) found.unattributed.push({ entry: file, why: "a file beside the repositories is nobody's" });
  const submissions: Submission[] = [];
  for (const repo of found.repos) {
    const children = top.folders.get(repo.folder) ?? [];
    const lab = labFolder(
      children.filter((c) => c.endsWith('/')).map((c) => c.slice(0, -1)),
      labId,
    );
    const at = `${root}${repo.folder}/`;
    submissions.push({
      student: repo.username,
      source: container.path,
      kind: container.kind,
      part: { type: 'prefix', prefix: lab ? `${at}${lab}/` : at },
      submitters: [{ student: repo.username, username: repo.username }],
      facts: { commit: await commitOf(container, at), sources: [lab ? `${repo.folder}/${lab}/` : `${repo.folder}/`] },
    });
  }
  return { submissions, unattributed: found.unattributed };
}

/** The commit a repository of the export is checked out at, or a sentence saying why it is not known. */
async function commitOf(container: ExportContainer, repo: string): Promise<string> {
  const git = `${repo}.git/`;
  if (container.kind === 'folder') {
    const info = await lstat(join(container.path, repo, '.git')).catch(() => undefined);
    if (!info?.isDirectory()) return 'unknown: no .git folder';
  }
  const first = await readSmall(container, [`${git}HEAD`, `${git}packed-refs`], 1024 * 1024);
  const head = first.get(`${git}HEAD`);
  const ref = /^ref: (refs\/[A-Za-z0-9._/-]+)\s*$/.exec(head ?? '')?.[1];
  const loose = ref && !ref.includes('..') ? (await readSmall(container, [`${git}${ref}`], 1024)).get(`${git}${ref}`) : undefined;
  return headCommit(head, () => loose, first.get(`${git}packed-refs`)) ?? 'unknown: .git does not say';
}

/** Small files of the export by their names in it, read through intake's collector; absent when unreadable. */
async function readSmall(container: ExportContainer, entries: string[], maxBytes: number): Promise<Map<string, string>> {
  const names = new Map(entries.map((entry, i) => [entry, `f${i}`]));
  const read = await readExportPart(container, { type: 'files', files: names }, basename(container.path), {
    maxFileBytes: maxBytes,
    maxTotalBytes: maxBytes * entries.length,
  });
  const out = new Map<string, string>();
  for (const [entry, name] of names) {
    const file = read.files.find((f) => f.path === name);
    if (file) out.set(entry, file.data.toString('utf8'));
  }
  return out;
}
