/**
 * Student ids taken from what a platform's export holds (a Canvas file name, Gradescope's metadata, a
 * repository's folder name): they become file names (`feedback/<student>.md`), so only a plain,
 * short name of ASCII letters, digits and `._@+-` is one; anything else is refused with why, and the
 * student's entries are named in the report as not attributed, never written anywhere.
 */

/** An id of at most this many characters: enough for an e-mail address, short of any file-name limit. */
export const maxIdLength = 100;

const plainId = /^[A-Za-z0-9_@+][A-Za-z0-9._@+-]*$/;

/**
 * `candidate` as a student id, or why it cannot be one (a clause: "it holds …"). Refused: empty,
 * longer than `maxIdLength`, any character outside `[A-Za-z0-9._@+-]` (separators, NUL and other
 * control characters, spaces, non-ASCII letters, which macOS and Windows disks fold differently), a
 * first character `.` or `-` (a hidden file, an option), and `..` anywhere.
 */
export function studentIdProblem(candidate: string): string | undefined {
  if (candidate === '') return 'it is empty';
  if (candidate.length > maxIdLength) return `it is longer than ${maxIdLength} characters`;
  if (candidate.includes('..')) return 'it holds ".."';
  if (!plainId.test(candidate)) return 'only ASCII letters, digits and . _ @ + - may make a student id, and not a leading . or -';
  return undefined;
}

/** JSON quoting, so a name with control characters or a NUL reads plainly in a report. */
export const quoted = (name: string): string => JSON.stringify(name.length > 120 ? `${name.slice(0, 117)}…` : name);
