import { resolveRule, type InternalBlockingRule, type KeyBlockingRule, type SortedNeighbourhoodRule } from './compile-rule.js';
import type { BlockingRule, BlockingTable, CompiledBlockingRule, LinkMode } from './types.js';

function sourceCount(source: Uint16Array, size: number): number {
  let max = -1;
  for (let r = 0; r < size; r++) if (source[r] > max) max = source[r];
  return max + 1;
}

/**
 * Size of the comparison space: n(n-1)/2 for dedupe and link_and_dedupe; for
 * link, only the pairs whose records come from different sources.
 */
export function totalPairs(table: BlockingTable, mode: LinkMode): number {
  const n = table.size;
  if (n < 2 || mode !== 'link') return comparisonSpace([n], mode);
  const perSource = new Float64Array(sourceCount(table.source, n));
  for (let r = 0; r < n; r++) perSource[table.source[r]]++;
  return comparisonSpace(perSource, mode);
}

/** totalPairs from the records of each source. */
export function comparisonSpace(perSource: ArrayLike<number>, mode: LinkMode): number {
  let n = 0;
  for (let s = 0; s < perSource.length; s++) n += perSource[s];
  if (n < 2) return 0;
  const all = (n * (n - 1)) / 2;
  if (mode !== 'link') return all;
  let sameSource = 0;
  for (let s = 0; s < perSource.length; s++) sameSource += (perSource[s] * (perSource[s] - 1)) / 2;
  return all - sameSource;
}

function countKeyRule(rule: KeyBlockingRule, source: Uint16Array, link: boolean, sources: number): number {
  const { order, blockStart, keyCount } = rule;
  const perSource = new Float64Array(sources);
  let pairs = 0;
  for (let k = 1; k <= keyCount; k++) {
    const start = blockStart[k];
    const s = blockStart[k + 1] - start;
    if (s < 2) continue;
    if (!link) {
      pairs += (s * (s - 1)) / 2;
      continue;
    }
    // Cross-source pairs of the block: (s^2 - sum of s_i^2) / 2.
    let squares = 0;
    for (let i = start; i < start + s; i++) perSource[source[order[i]]]++;
    for (let i = start; i < start + s; i++) {
      const src = source[order[i]];
      const c = perSource[src];
      if (c !== 0) {
        squares += c * c;
        perSource[src] = 0;
      }
    }
    pairs += (s * s - squares) / 2;
  }
  return pairs;
}

/** Pairs a sorted-neighbourhood rule makes over `m` records with a key (not in link mode): position p pairs with min(window - 1, m - 1 - p) later positions. */
export function sortedNeighbourhoodPairs(m: number, window: number): number {
  const reach = window - 1;
  let pairs = 0;
  const full = Math.max(0, m - reach);
  pairs += full * reach;
  for (let p = full; p < m; p++) pairs += m - 1 - p;
  return pairs;
}

function countSortedNeighbourhood(rule: SortedNeighbourhoodRule, source: Uint16Array, link: boolean, sources: number): number {
  const { order, window } = rule;
  const m = order.length;
  const reach = window - 1;
  if (!link) return sortedNeighbourhoodPairs(m, window);
  // Sliding window over positions p+1 .. p+reach, counting records per source in it.
  const inWindow = new Float64Array(sources);
  let hi = 0; // window is (p, hi)
  let size = 0;
  let pairs = 0;
  for (let p = 0; p < m; p++) {
    if (hi <= p) {
      hi = p + 1;
    } else {
      inWindow[source[order[p]]]--; // p leaves the window as the anchor
      size--;
    }
    const end = Math.min(m, p + 1 + reach);
    for (; hi < end; hi++) {
      inWindow[source[order[hi]]]++;
      size++;
    }
    pairs += size - inWindow[source[order[p]]];
  }
  return pairs;
}

/** Pairs one compiled rule produces on its own in the given mode, counted without materialising them. */
export function countCompiledRulePairs(rule: InternalBlockingRule, table: BlockingTable, mode: LinkMode): number {
  const link = mode === 'link';
  const sources = link ? sourceCount(table.source, table.size) : 0;
  return rule.kind === 'key'
    ? countKeyRule(rule, table.source, link, sources)
    : countSortedNeighbourhood(rule, table.source, link, sources);
}

/**
 * For each rule, the number of candidate pairs it produces alone (before pairs
 * of earlier rules are removed), from block sizes and a window scan: no pair is
 * materialised. Rules compiled on this table (compileBlockingRule) are counted
 * without deriving their keys again, so a caller that counts, then generates,
 * can compile once and pass the compiled rules to both.
 */
export function countRulePairs(
  table: BlockingTable,
  rules: readonly (BlockingRule | CompiledBlockingRule)[],
  mode: LinkMode,
): number[] {
  return rules.map((rule) => countCompiledRulePairs(resolveRule(table, rule), table, mode));
}
