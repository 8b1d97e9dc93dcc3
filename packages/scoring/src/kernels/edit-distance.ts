import talismanLevenshtein from 'talisman/metrics/levenshtein.js';
import talismanDamerauLevenshtein from 'talisman/metrics/damerau-levenshtein.js';

// Level tests only ask "distance <= k", so the bounded variants are used: on short
// names talisman's `limited` measured ~14M pairs/s against ~11M for fast-levenshtein's
// full distance and ~4M for talisman's unbounded one. The common k = 1 is a single
// allocation-free scan (own code: it showed as the top kernel in vectorizer profiles).

/** Levenshtein distance (insert, delete, substitute). */
export function levenshtein(a: string, b: string): number {
  return talismanLevenshtein(a, b);
}

/** Whether the Levenshtein distance of a and b is at most maxDistance. */
export function levenshteinWithin(a: string, b: string, maxDistance: number): boolean {
  if (maxDistance === 1) return withinOneEdit(a, b, false);
  return talismanLevenshtein.limited(maxDistance, a, b) <= maxDistance;
}

/**
 * Damerau-Levenshtein distance in its optimal-string-alignment form: an adjacent
 * transposition costs 1 and no substring is edited twice (talisman's implementation,
 * after softwx, is OSA: "ca" -> "abc" is 3).
 */
export function damerauLevenshtein(a: string, b: string): number {
  return talismanDamerauLevenshtein(a, b);
}

/** Whether the optimal-string-alignment distance of a and b is at most maxDistance. */
export function damerauLevenshteinWithin(a: string, b: string, maxDistance: number): boolean {
  if (maxDistance === 1) return withinOneEdit(a, b, true);
  return talismanDamerauLevenshtein.limited(maxDistance, a, b) <= maxDistance;
}

/**
 * Whether b is a or one edit away from it: one substitution, insertion or deletion,
 * or (when transpositions count) one swap of adjacent characters.
 */
function withinOneEdit(a: string, b: string, transpositions: boolean): boolean {
  const la = a.length;
  const lb = b.length;
  if (la === lb) {
    let i = 0;
    while (i < la && a.charCodeAt(i) === b.charCodeAt(i)) i++;
    if (i === la) return true;
    // First mismatch at i: a substitution, or a swap of i and i + 1.
    if (
      transpositions &&
      i + 1 < la &&
      a.charCodeAt(i) === b.charCodeAt(i + 1) &&
      a.charCodeAt(i + 1) === b.charCodeAt(i) &&
      a.charCodeAt(i) !== a.charCodeAt(i + 1)
    ) {
      i += 2;
    } else {
      i += 1;
    }
    while (i < la && a.charCodeAt(i) === b.charCodeAt(i)) i++;
    return i === la;
  }
  if (la === lb + 1) return deletesToOther(a, b);
  if (lb === la + 1) return deletesToOther(b, a);
  return false;
}

/** Whether deleting one character of `long` (one longer than `short`) gives `short`. */
function deletesToOther(long: string, short: string): boolean {
  let i = 0;
  while (i < short.length && long.charCodeAt(i) === short.charCodeAt(i)) i++;
  while (i < short.length && long.charCodeAt(i + 1) === short.charCodeAt(i)) i++;
  return i === short.length;
}
