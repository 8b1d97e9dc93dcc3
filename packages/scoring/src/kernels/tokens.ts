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
