// Own Jaro-Winkler instead of talisman's: talisman allocates four arrays per call and
// compares one-character strings; this one reuses typed scratch buffers and compares
// char codes. Same definition as talisman/metrics/jaro-winkler (prefix scale 0.1, up
// to 4 prefix characters, boost only when Jaro >= 0.7; a test checks they agree) and
// measured ~1.7x faster on names and address lines.

let matchedInShort = new Int32Array(64);
let matchedInLong = new Uint8Array(64);

/** Jaro similarity of two strings, in [0, 1]. Symmetric. */
export function jaro(a: string, b: string): number {
  if (a === b) return 1;
  return boundedJaro(a, b, 0);
}

/**
 * Jaro similarity, or -1 as soon as fewer than minMatches characters can still match
 * (callers that only need "score >= threshold" skip most of the work on dissimilar pairs).
 */
function boundedJaro(a: string, b: string, minMatches: number): number {
  // The shorter string drives the matching window; ties are broken by content so the
  // greedy matching, and so the score, does not depend on argument order.
  let short = a;
  let long = b;
  if (a.length > b.length || (a.length === b.length && a > b)) {
    short = b;
    long = a;
  }
  const ls = short.length;
  const ll = long.length;
  if (ls === 0) return 0;
  if (ll > matchedInLong.length) {
    matchedInLong = new Uint8Array(ll * 2);
    matchedInShort = new Int32Array(ll * 2);
  }
  const inShort = matchedInShort;
  const inLong = matchedInLong;
  inLong.fill(0, 0, ll);
  const range = Math.max((ll >> 1) - 1, 0);
  let matches = 0;
  for (let i = 0; i < ls; i++) {
    if (matches + ls - i < minMatches) return -1;
    inShort[i] = 0;
    const c = short.charCodeAt(i);
    const end = Math.min(i + range + 1, ll);
    for (let j = Math.max(i - range, 0); j < end; j++) {
      if (inLong[j] === 0 && long.charCodeAt(j) === c) {
        inLong[j] = 1;
        inShort[i] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  // Matched characters in order in each string; count positions where they differ.
  let transpositions = 0;
  let j = 0;
  for (let i = 0; i < ls; i++) {
    if (inShort[i] === 0) continue;
    while (inLong[j] === 0) j++;
    if (short.charCodeAt(i) !== long.charCodeAt(j)) transpositions++;
    j++;
  }
  const t = transpositions >> 1;
  return (matches / ls + matches / ll + (matches - t) / matches) / 3;
}

/** Jaro-Winkler similarity of two strings, in [0, 1]; 1 for equal strings. Symmetric. */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return 1;
  const j = jaro(a, b);
  if (j < 0.7) return j;
  const limit = Math.min(a.length, b.length, 4);
  let prefix = 0;
  while (prefix < limit && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return j + prefix * 0.1 * (1 - j);
}

/**
 * Whether jaroWinkler(a, b) >= threshold, stopping early when the characters left to
 * match cannot reach it: Jaro is at most (m/|short| + m/|long| + 1) / 3 with m matches,
 * and the Winkler boost of the common prefix is known up front.
 */
export function jaroWinklerAtLeast(a: string, b: string, threshold: number): boolean {
  if (a === b) return true;
  const ls = Math.min(a.length, b.length);
  const ll = Math.max(a.length, b.length);
  if (ls === 0) return threshold <= 0;
  const limit = Math.min(ls, 4);
  let prefix = 0;
  while (prefix < limit && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  const boost = prefix * 0.1;
  let minMatches = 0;
  // The upper bound rises with m; find the fewest matches that could reach the threshold.
  for (; minMatches <= ls; minMatches++) {
    const j = (minMatches / ls + minMatches / ll + 1) / 3;
    if (j + boost * (1 - j) >= threshold - 1e-12) break;
  }
  if (minMatches > ls) return false;
  const j = boundedJaro(a, b, minMatches);
  if (j < 0) return false;
  return (j < 0.7 ? j : j + boost * (1 - j)) >= threshold;
}
