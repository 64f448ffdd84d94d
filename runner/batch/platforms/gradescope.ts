/**
 * Gradescope's "Export Submissions": a zip holding `submission_metadata.yml` and one folder per
 * submission (`submission_123456/`, the files as uploaded). Pure: the metadata's text and the folder
 * names in, submissions out.
 *
 * Where this comes from: Gradescope documents the autograder's `submission_metadata.json` (an id,
 * `created_at`, and `users`, "Multiple users will be listed in the case of group submissions":
 * gradescope-autograders.readthedocs.io, "Submission Metadata"); the export's YAML is not documented.
 * Its shape here is the one instructors' scripts read: a map from the folder's name as a Ruby symbol
 * (`:submission_123456:`) to `:submitters:` (each `:name:`, `:sid:`, `:email:`) and `:created_at:`.
 * Assumed: a key with or without the leading colon names the same thing; the student id is the
 * submitter's `sid`, or their e-mail address when they have no sid; every submitter of a group gets
 * the group's result.
 */
import { parse } from 'yaml';
import { LabsError } from '../../errors.js';
import type { Submitter } from '../../intake/export.js';
import { quoted, studentIdProblem } from './ids.js';
import type { Unattributed } from './canvas.js';

export const metadataFile = 'submission_metadata.yml';

export interface GradescopeSubmission {
  /** The submission's folder in the export (`submission_123456`). */
  folder: string;
  submitters: Submitter[];
  submittedAt?: string;
  /** The export has no folder by that name: graded as a submission with no files. */
  noFolder: boolean;
}

/** A Ruby symbol key (`:sid`) or a plain one: the same name. */
const key = (k: string): string => k.replace(/^:/, '');

function field(record: unknown, name: string): unknown {
  if (!record || typeof record !== 'object') return undefined;
  for (const [k, v] of Object.entries(record)) if (key(k) === name) return v;
  return undefined;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value.trim() || undefined : typeof value === 'number' ? String(value) : value instanceof Date ? value.toISOString() : undefined;

/**
 * The submissions `submission_metadata.yml` lists, matched with the export's folders (`folders`,
 * top-level names without `/`). A folder the metadata does not name, and a submitter with neither a
 * usable sid nor e-mail, are in `unattributed`. Throws USAGE when the YAML cannot be read or is not
 * a map of submissions.
 */
export function gradescopeSubmissions(
  yamlText: string,
  folders: readonly string[],
  where: string,
): { submissions: GradescopeSubmission[]; unattributed: Unattributed[] } {
  let metadata: unknown;
  try {
    // Ruby's YAML may tag values (`!ruby/object:BigDecimal`): read as their plain scalar, never run.
    metadata = parse(yamlText, { logLevel: 'error', maxAliasCount: 100 });
  } catch (error) {
    throw new LabsError('USAGE', `${where} is not YAML Gradescope writes: ${(error as Error).message}`, {
      hint: 'give the export as Gradescope made it, or pass --from folders for a folder per student',
      cause: error,
    });
  }
  if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new LabsError('USAGE', `${where} does not map submissions to their submitters`, { hint: 'give the export as Gradescope made it' });
  }
  const present = new Set(folders);
  const submissions: GradescopeSubmission[] = [];
  const unattributed: Unattributed[] = [];
  for (const [rawKey, record] of Object.entries(metadata)) {
    const folder = key(rawKey);
    const submitters: Submitter[] = [];
    const raw = field(record, 'submitters');
    for (const person of Array.isArray(raw) ? raw : []) {
      const sid = text(field(person, 'sid'));
      const email = text(field(person, 'email'));
      const name = text(field(person, 'name'));
      const id = [sid, email].find((candidate) => candidate !== undefined && studentIdProblem(candidate) === undefined);
      if (!id) {
        const tried = [sid && `sid ${quoted(sid)}: ${studentIdProblem(sid)}`, email && `e-mail ${quoted(email)}: ${studentIdProblem(email)}`].filter(Boolean);
        unattributed.push({
          entry: `${folder}/ (${quoted(name ?? 'a submitter')})`,
          why: tried.length ? `no usable student id (${tried.join('; ')})` : 'the submitter has neither sid nor e-mail',
        });
        continue;
      }
      submitters.push({ student: id, ...(name && { name }), ...(sid && { sid }), ...(email && { email }) });
    }
    if (submitters.length === 0) {
      if (!unattributed.some((u) => u.entry.startsWith(`${folder}/`)))
        unattributed.push({ entry: `${folder}/`, why: `${metadataFile} names no submitter for it` });
      continue;
    }
    const submittedAt = text(field(record, 'created_at'));
    submissions.push({ folder, submitters, ...(submittedAt && { submittedAt }), noFolder: !present.has(folder) });
  }
  const listed = new Set(submissions.map((s) => s.folder).concat(unattributed.map((u) => u.entry.split('/')[0]!)));
  for (const folder of folders) if (!listed.has(folder)) unattributed.push({ entry: `${folder}/`, why: `${metadataFile} does not list it` });
  return { submissions: submissions.sort((a, b) => (a.folder < b.folder ? -1 : a.folder > b.folder ? 1 : 0)), unattributed };
}
