/**
 * `--roster FILE`: the class list a platform exports, to tell who has no submission at all (a
 * platform's export holds only those who submitted). Pure.
 *
 * Columns read by their header, any case: Gradescope's roster export (`First Name`, `Last Name`,
 * `SID`, `Email`, `Role`: only `Student` rows count when there is a Role), GitHub Classroom's
 * `classroom_roster.csv` (`identifier`, `github_username`, `name`), Canvas's gradebook (`Student`,
 * `ID`, `SIS User ID`), or any CSV with one of those id columns. Assumed: a student is present when
 * any one id of their row equals the same id of a graded submitter; Classroom's `identifier` is
 * whatever the instructor typed, so it is shown as a name, never matched.
 */
import { parse } from 'csv-parse/sync';
import { LabsError } from '../errors.js';
import type { Submitter } from '../intake/export.js';

export interface RosterStudent {
  /** As the roster shows them, for the instructor. */
  name: string;
  /** Each id the row gives, by the submitter field it is matched against. */
  ids: Partial<Record<'sid' | 'email' | 'username' | 'canvasUserId', string>>;
}

/** Header (lower case) → the submitter field that column holds. */
const idColumns: Record<string, keyof RosterStudent['ids']> = {
  sid: 'sid',
  'student id': 'sid',
  'sis user id': 'sid',
  email: 'email',
  'email address': 'email',
  github_username: 'username',
  'github username': 'username',
  id: 'canvasUserId',
};

/** The roster's students. Throws USAGE when it is not CSV or has none of the id columns. */
export function readRoster(text: string, where: string): RosterStudent[] {
  let rows: Record<string, string>[];
  try {
    rows = parse(text, {
      bom: true,
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      relax_column_count: true,
      skip_empty_lines: true,
    });
  } catch (error) {
    throw new LabsError('USAGE', `the roster ${where} is not a CSV file: ${(error as Error).message}`, {
      hint: 'give the roster your platform exports (a CSV with a header)',
      cause: error,
    });
  }
  const header = Object.keys(rows[0] ?? {});
  if (!header.some((h) => h in idColumns)) {
    throw new LabsError('USAGE', `the roster ${where} has none of the columns SID, Email, github_username or ID`, {
      hint: "give Gradescope's roster export, GitHub Classroom's classroom_roster.csv or Canvas's gradebook",
    });
  }
  return (
    rows
      .filter((row) => !('role' in row) || /^student$/i.test(row.role?.trim() ?? ''))
      .map((row) => {
        const ids: RosterStudent['ids'] = {};
        for (const [column, field] of Object.entries(idColumns)) {
          const value = row[column]?.trim();
          if (value) ids[field] ??= field === 'email' ? value.toLowerCase() : value;
        }
        // `||`, not `??`: an empty cell is "", and Classroom leaves `name` empty for a student who never linked an account.
        const name = row.name || row.student || [row['first name'], row['last name']].filter(Boolean).join(' ') || row.identifier || '';
        return { name: name.trim(), ids };
      })
      // A row with a name and no id (a Classroom student who never linked a GitHub account) can match
      // no submission: missing. A row with neither is a header row of Canvas's (`Manual Posting`).
      .filter((student) => (student.name !== '' || Object.keys(student.ids).length > 0) && !/^points possible$/i.test(student.name))
  );
}

/** The roster's students no graded submitter is: each of their ids compared with the submitter's same id. */
export function missingFromRoster(roster: readonly RosterStudent[], submitters: readonly Submitter[]): RosterStudent[] {
  const have = new Set(
    submitters.flatMap((s) => [
      s.sid && `sid:${s.sid}`,
      s.email && `email:${s.email.toLowerCase()}`,
      s.username && `username:${s.username.toLowerCase()}`,
      s.canvasUserId && `canvasUserId:${s.canvasUserId}`,
    ]),
  );
  return roster.filter((student) => !Object.entries(student.ids).some(([field, id]) => have.has(`${field}:${field === 'username' ? id.toLowerCase() : id}`)));
}
