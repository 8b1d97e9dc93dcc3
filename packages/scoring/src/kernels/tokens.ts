/** Distinct non-empty space-separated tokens of a value. */
export function tokenSet(value: string): ReadonlySet<string> {
  const tokens = new Set<string>();
  for (const token of value.split(' ')) if (token !== '') tokens.add(token);
  return tokens;
}

/** Jaccard similarity of two token sets: |A ∩ B| / |A ∪ B|; 0 when both are empty. */
export function tokenJaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 0;
  let common = 0;
  for (const token of a) if (b.has(token)) common++;
  return common / (a.size + b.size - common);
}

/**
 * Most distinct tokens {@link tokenOverlap} pairs up directly; past it the cost of
 * comparing every token with every other grows faster than building sets.
 */
const DIRECT_TOKENS = 32;
const startsA = new Int32Array(DIRECT_TOKENS);
const endsA = new Int32Array(DIRECT_TOKENS);
const startsB = new Int32Array(DIRECT_TOKENS);
const endsB = new Int32Array(DIRECT_TOKENS);

/**
 * Jaccard similarity of the distinct space-separated tokens of two values: the same
 * number as tokenJaccard(tokenSet(a), tokenSet(b)). Tokens are located in the strings
 * and compared by char code in scratch buffers, not cut out into sets: a cache of a
 * set per distinct address line grew a comparison worker's heap by ~30 MB per 1M
 * pairs of 1M records, and its scavenges took the other worker's core.
 */
export function tokenOverlap(a: string, b: string): number {
  const na = distinctTokens(a, startsA, endsA);
  const nb = na < 0 ? -1 : distinctTokens(b, startsB, endsB);
  if (na < 0 || nb < 0) return tokenJaccard(tokenSet(a), tokenSet(b));
  if (na === 0 && nb === 0) return 0;
  let common = 0;
  for (let i = 0; i < na; i++) {
    for (let j = 0; j < nb; j++) {
      if (sameToken(a, startsA[i], endsA[i], b, startsB[j], endsB[j])) {
        common++;
        break;
      }
    }
  }
  return common / (na + nb - common);
}

/** Writes the bounds of the distinct tokens of s; their number, or -1 past DIRECT_TOKENS. */
function distinctTokens(s: string, starts: Int32Array, ends: Int32Array): number {
  let n = 0;
  let i = 0;
  while (i < s.length) {
    while (i < s.length && s.charCodeAt(i) === 32) i++;
    if (i === s.length) break;
    const start = i;
    while (i < s.length && s.charCodeAt(i) !== 32) i++;
    let seen = false;
    for (let k = 0; k < n && !seen; k++) seen = sameToken(s, starts[k], ends[k], s, start, i);
    if (seen) continue;
    if (n === DIRECT_TOKENS) return -1;
    starts[n] = start;
    ends[n] = i;
    n++;
  }
  return n;
}

function sameToken(a: string, startA: number, endA: number, b: string, startB: number, endB: number): boolean {
  if (endA - startA !== endB - startB) return false;
  for (let i = startA, j = startB; i < endA; i++, j++) if (a.charCodeAt(i) !== b.charCodeAt(j)) return false;
  return true;
}

/**
 * A 32-bit set of a value's tokens (a hash bit per token). Values whose masks do
 * not meet share no token, so their Jaccard similarity is 0 without building or
 * probing token sets (most random pairs of address lines).
 */
export function tokenMask(value: string): number {
  let mask = 0;
  let hash = 0;
  let length = 0;
  for (let i = 0; i <= value.length; i++) {
    const c = i < value.length ? value.charCodeAt(i) : 32;
    if (c === 32) {
      if (length > 0) mask |= 1 << (hash & 31);
      hash = 0;
      length = 0;
    } else {
      hash = Math.imul(hash ^ c, 0x01000193);
      length++;
    }
  }
  return mask;
}
