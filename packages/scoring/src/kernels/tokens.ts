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
