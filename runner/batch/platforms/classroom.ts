/**
 * GitHub Classroom's `gh classroom clone student-repos`: one folder per student repository, named
 * `<assignment>-<username>`, in a folder named `<assignment>-submissions`. Pure: names in, students out.
 *
 * Where this comes from: the gh-classroom extension's README ("clone student-repos … Clone student
 * repos for an assignment") and GitHub Classroom's naming of a student's repository as the
 * assignment's slug, a hyphen and the GitHub username. GitHub usernames are ASCII letters, digits
 * and single hyphens, at most 39 characters. Assumed: the assignment's slug is the name of the
 * folder holding the repositories without `-submissions`, or else the longest prefix ending in `-`
 * that every repository shares (two or more repositories); the lab's files sit at the repository's
 * root or in a folder named after the lab's id (any case).
 */
import type { Unattributed } from './canvas.js';

export interface ClassroomRepo {
  /** The repository's folder in the export. */
  folder: string;
  username: string;
}

const username = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;

/** The assignment's slug with its trailing `-`, or undefined when the names do not tell it. */
export function classroomPrefix(rootName: string | undefined, folders: readonly string[]): string | undefined {
  const fromRoot = rootName?.match(/^(.+)-submissions$/)?.[1];
  if (fromRoot) return `${fromRoot}-`;
  if (folders.length < 2) return undefined;
  let common = folders[0]!;
  for (const folder of folders) while (!folder.startsWith(common)) common = common.slice(0, -1);
  const cut = common.lastIndexOf('-');
  return cut > 0 ? common.slice(0, cut + 1) : undefined;
}

/**
 * The repositories of a Classroom clone (`folders`, top-level folder names), each with its
 * username; a folder not named `<assignment>-<username>` is in `unattributed`.
 */
export function classroomRepos(
  rootName: string | undefined,
  folders: readonly string[],
): { repos: ClassroomRepo[]; unattributed: Unattributed[]; prefix?: string } {
  const prefix = classroomPrefix(rootName, folders);
  const repos: ClassroomRepo[] = [];
  const unattributed: Unattributed[] = [];
  for (const folder of folders) {
    const user = prefix !== undefined && folder.startsWith(prefix) ? folder.slice(prefix.length) : undefined;
    if (prefix === undefined)
      unattributed.push({
        entry: `${folder}/`,
        why: 'the assignment\'s name cannot be told from one repository: grade the "<assignment>-submissions" folder gh classroom made',
      });
    else if (user === undefined) unattributed.push({ entry: `${folder}/`, why: `its name does not start with the assignment's "${prefix}"` });
    else if (!username.test(user)) unattributed.push({ entry: `${folder}/`, why: `"${user}" is not a GitHub username` });
    else repos.push({ folder, username: user });
  }
  return { repos: repos.sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0)), unattributed, ...(prefix && { prefix }) };
}

/** The repository's folder that holds the lab: a top-level folder named after the lab's id (any case), else the root. */
export function labFolder(children: readonly string[], labId: string): string | undefined {
  return children.find((child) => child.toLowerCase() === labId.toLowerCase());
}

/**
 * The commit a checkout is at, from its `.git/HEAD` and refs (`packedRefs`: `.git/packed-refs`):
 * 40 (or 64) hex digits, or undefined when the files do not say.
 */
export function headCommit(head: string | undefined, readRef: (ref: string) => string | undefined, packedRefs: string | undefined): string | undefined {
  const line = head?.trim();
  if (!line) return undefined;
  if (/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(line)) return line;
  const ref = /^ref: (refs\/[A-Za-z0-9._/-]+)$/.exec(line)?.[1];
  if (!ref || ref.includes('..')) return undefined;
  const loose = readRef(ref)?.trim();
  if (loose && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(loose)) return loose;
  for (const packed of packedRefs?.split('\n') ?? []) {
    const [hash, name] = packed.trim().split(' ');
    if (name === ref && hash && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(hash)) return hash;
  }
  return undefined;
}
