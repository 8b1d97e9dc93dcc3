// Own Jaro-Winkler instead of talisman's: talisman allocates four arrays per call and
// compares one-character strings; this one reuses typed scratch buffers and compares
// char codes. Same definition as talisman/metrics/jaro-winkler (prefix scale 0.1, up
// to 4 prefix characters, boost only when Jaro >= 0.7; a test checks they agree) and
// measured ~1.7x faster on names and address lines.

let matchedInShort = new Int32Array(64);
let matchedInLong = new Uint8Array(64);
/** Next position of the same character in the longer string (see matchByPositions). */
let nextSame = new Int32Array(64);
/**
 * Per UTF-16 code unit, the first position of the longer string not yet matched
 * or passed (-1: none); all -1 between calls. Made on the first long value.
 */
let cursorOf: Int32Array | undefined;

/**
 * Longest string matched by scanning its window (see boundedJaro); longer ones
 * are matched through per-character position lists, with the same result. Where
 * the two cost the same on FEBRL3's names and address lines cut to one length
 * (ns per jaroWinklerAtLeast, scan / lists: 8 chars 318 / 317, 12: 659-728 /
 * 597-648, 16: 576-735 / 408, 24: 1,893-1,977 / 828-1,023, 64: 10,448 / 2,740).
 */
export const JARO_SCAN_MAX_LENGTH = 12;

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
    nextSame = new Int32Array(ll * 2);
  }
  const inShort = matchedInShort;
  const inLong = matchedInLong;
  inLong.fill(0, 0, ll);
  const range = Math.max((ll >> 1) - 1, 0);
  const matches = ll <= JARO_SCAN_MAX_LENGTH ? matchByScan(short, long, range, minMatches) : matchByPositions(short, long, range, minMatches);
  if (matches <= 0) return matches;
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

/**
 * Marks the Jaro matches of short and long (|short| <= |long|) in the scratch
 * arrays: each character of short, in order, takes the first unmatched equal
 * character of long within `range` of its position. Returns their number, or -1
 * as soon as fewer than minMatches can still be reached. Scans the window, so
 * costs |short| x (2 range + 1): fine for names, quadratic for long values.
 */
function matchByScan(short: string, long: string, range: number, minMatches: number): number {
  const ls = short.length;
  const ll = long.length;
  const inShort = matchedInShort;
  const inLong = matchedInLong;
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
  return matches;
}

/**
 * The same matches as matchByScan in O(|short| + |long|): the window is half the
 * longer string, so scanning it made a pair of 1,000-character values cost ~250k
 * steps (200 records of such names took 61 s to link). Each character's positions
 * in long are chained in ascending order, and a cursor per character walks its
 * chain. The window's lower end only moves right, and the scan always takes the
 * first unmatched position in the window, so every position behind the cursor is
 * matched or below the window for good, and the position at the cursor is the
 * one the scan would find, if it is inside the window.
 */
function matchByPositions(short: string, long: string, range: number, minMatches: number): number {
  const ls = short.length;
  const ll = long.length;
  const inShort = matchedInShort;
  const inLong = matchedInLong;
  const next = nextSame;
  const cursor = (cursorOf ??= new Int32Array(1 << 16).fill(-1));
  for (let j = ll - 1; j >= 0; j--) {
    const c = long.charCodeAt(j);
    next[j] = cursor[c];
    cursor[c] = j;
  }
  let matches = 0;
  for (let i = 0; i < ls; i++) {
    if (matches + ls - i < minMatches) {
      matches = -1;
      break;
    }
    inShort[i] = 0;
    const c = short.charCodeAt(i);
    let p = cursor[c];
    while (p >= 0 && p < i - range) p = next[p];
    if (p >= 0 && p <= i + range) {
      inLong[p] = 1;
      inShort[i] = 1;
      matches++;
      p = next[p];
    }
    cursor[c] = p;
  }
  // Only the characters of long were set: put them back for the next call.
  for (let j = 0; j < ll; j++) cursor[long.charCodeAt(j)] = -1;
  return matches;
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
 * A 32-bit set of the characters of s (code mod 32; characters may share a bit).
 * Two masks bound the Jaro matches of two strings in O(1): see maxJaroMatches.
 */
export function characterMask(s: string): number {
  let mask = 0;
  for (let i = 0; i < s.length; i++) mask |= 1 << (s.charCodeAt(i) & 31);
  return mask;
}

/**
 * An upper bound on the Jaro matches of a and b from their lengths and character
 * masks: every bit set in a's mask but not in b's stands for at least one character
 * of a that b lacks, so it cannot match (shared bits only make the bound looser).
 * Random pairs (u sampling) rarely share enough characters to reach a name
 * threshold, and this rejects them before the quadratic matching loop.
 */
export function maxJaroMatches(lengthA: number, maskA: number, lengthB: number, maskB: number): number {
  return Math.min(lengthA - bitCount(maskA & ~maskB), lengthB - bitCount(maskB & ~maskA));
}

function bitCount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/**
 * Whether jaroWinkler(a, b) >= threshold, stopping early when the characters left to
 * match cannot reach it: Jaro is at most (m/|short| + m/|long| + 1) / 3 with m matches,
 * and the Winkler boost of the common prefix is known up front. `maxMatches`, when
 * the caller knows a bound (maxJaroMatches), rejects before any matching.
 */
export function jaroWinklerAtLeast(a: string, b: string, threshold: number, maxMatches = Infinity): boolean {
  if (a === b) return true;
  const ls = Math.min(a.length, b.length);
  const ll = Math.max(a.length, b.length);
  if (ls === 0) return threshold <= 0;
  const limit = Math.min(ls, 4);
  let prefix = 0;
  while (prefix < limit && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  const boost = prefix * 0.1;
  // With a known bound on the matches, most dissimilar pairs stop here.
  const cap = Math.min(ls, maxMatches);
  if (cap <= 0) return threshold <= 0;
  const capped = (cap / ls + cap / ll + 1) / 3;
  if (capped + boost * (1 - capped) < threshold - 1e-12) return false;
  let minMatches = 0;
  // The upper bound rises with m; find the fewest matches that could reach the threshold.
  for (; minMatches <= ls; minMatches++) {
    const j = (minMatches / ls + minMatches / ll + 1) / 3;
    if (j + boost * (1 - j) >= threshold - 1e-12) break;
  }
  if (minMatches > ls || minMatches > maxMatches) return false;
  const j = boundedJaro(a, b, minMatches);
  if (j < 0) return false;
  return (j < 0.7 ? j : j + boost * (1 - j)) >= threshold;
}
