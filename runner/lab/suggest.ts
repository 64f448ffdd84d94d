/**
 * "Did you mean …?" for misspelled keys, enum values, lab ids and service names. Transpositions
 * count as one edit (Damerau), since swapped letters are the most common typo in a key.
 */

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * The candidate closest to `word`, or undefined when none is close enough to be a plausible typo:
 * within max(2, a third of the word's length), or a shortening of exactly one candidate ("redis" for
 * "redis-db"). Case is ignored; ties keep the candidates' order.
 */
export function nearest(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(2, Math.floor(word.length / 3));
  const lower = word.toLowerCase();
  const list = [...candidates];
  const extending = lower.length >= 3 ? list.filter((c) => c.toLowerCase().startsWith(lower)) : [];
  if (extending.length === 1) return extending[0];
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of list) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** `did you mean "x"? ` (with a trailing space, to start a hint), or "" when nothing is close. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const match = nearest(word, candidates);
  return match === undefined || match === word ? '' : `did you mean "${match}"? `;
}

/** ` (did you mean "x"?)` to end a message, or "" when nothing is close. */
export function meantSuffix(word: string, candidates: Iterable<string>): string {
  const match = nearest(word, candidates);
  return match === undefined || match === word ? '' : ` (did you mean "${match}"?)`;
}
