import type { Comparison, EncodedColumn, ScoringTable } from '../types.js';
import { groupsOf, type SamplingMode, type SourceGroups } from './random-pairs.js';

/**
 * How many pairs of the comparison space have a column present on both sides,
 * and how many of those agree exactly on it.
 */
export interface ExactAgreement {
  readonly present: number;
  readonly agreeing: number;
}

/**
 * Counts, from the value frequencies of a dictionary-encoded column, the pairs
 * of the comparison space that agree exactly on it (`link`: pairs across
 * sources; otherwise all pairs). The exact level's u is agreeing / present with
 * no sampling error. Why: a sample of 200k random pairs sees a level with u near
 * 3e-5 (an exact birth date in a population born over 80 years) about 6 times,
 * so one seed saw it once and gave that level a match weight 2.6 bits too high:
 * F1 at 1M records 0.982 with seeds 1 and 2, 0.942 with seed 3.
 * O(records + dictionary), exact in doubles below 2^53 pairs.
 */
export function exactAgreement(column: EncodedColumn, source: Uint16Array, mode: SamplingMode): ExactAgreement {
  const { ids } = column;
  // One count per dictionary value, reused for each source (reset row by row after
  // use) rather than a Map per source: integers in a typed array, no hashing.
  const counts = new Uint32Array(column.dictionary.length);
  const all = agreementWithin(ids, counts, null, 0);
  if (mode !== 'link') return all;
  const groups = groupsOf(ids.length, source);
  let samePresent = 0;
  let sameAgreeing = 0;
  for (let s = 0; s + 1 < groups.start.length; s++) {
    const within = agreementWithin(ids, counts, groups, s);
    samePresent += within.present;
    sameAgreeing += within.agreeing;
  }
  return { present: all.present - samePresent, agreeing: all.agreeing - sameAgreeing };
}

/** Exact agreement among all pairs of the rows (all rows, or those of source s); leaves counts zeroed. */
function agreementWithin(ids: Uint32Array, counts: Uint32Array, groups: SourceGroups | null, s: number): ExactAgreement {
  const from = groups ? groups.start[s] : 0;
  const to = groups ? groups.start[s + 1] : ids.length;
  let present = 0;
  let agreeing = 0;
  // Each new record with value v agrees with the counts[v] records seen before it.
  for (let k = from; k < to; k++) {
    const id = ids[groups ? groups.order[k] : k];
    if (id === 0) continue;
    present++;
    agreeing += counts[id]++;
  }
  for (let k = from; k < to; k++) counts[ids[groups ? groups.order[k] : k]] = 0;
  return { present: (present * (present - 1)) / 2, agreeing };
}

/** Whether a comparison's first level after the null level is `exact`: its u is then counted, not sampled (see exactAgreement). */
export function hasExactFirstLevel(comparison: Comparison): boolean {
  return comparison.levels[1]?.test.type === 'exact';
}

/**
 * The exact agreement of each comparison whose first level after the null level
 * is `exact` (a pair is at that level exactly when its two values are equal);
 * undefined for the others. One count per column, shared by comparisons on it.
 */
export function exactAgreements(table: ScoringTable, comparisons: readonly Comparison[], mode: SamplingMode): (ExactAgreement | undefined)[] {
  const byColumn = new Map<string, ExactAgreement>();
  return comparisons.map((comparison) => {
    if (!hasExactFirstLevel(comparison)) return undefined;
    let agreement = byColumn.get(comparison.column);
    if (agreement === undefined) byColumn.set(comparison.column, (agreement = exactAgreement(table.columns[comparison.column], table.source, mode)));
    return agreement;
  });
}
