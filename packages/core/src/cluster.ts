import { createHash } from 'node:crypto';
import { StaticDisjointSet } from 'mnemonist';
import type { PairChunk } from '@mpi/blocking';

/**
 * Identity groups as arrays: `members` lists rows group by group (each group's
 * rows ascending), `start[g]..start[g+1]` delimits group g, and groups are
 * ordered by their smallest row. With rows in canonical order this makes group
 * numbering and ids a pure function of the records.
 */
export interface Clustering {
  readonly groupCount: number;
  /** Group index of every row. */
  readonly groupOf: Uint32Array;
  readonly start: Uint32Array;
  readonly members: Uint32Array;
}

/** Match weight (log2 odds) equivalent to a match probability threshold. */
export function thresholdWeight(probability: number): number {
  if (probability <= 0) return -Infinity;
  if (probability >= 1) return Infinity;
  return Math.log2(probability / (1 - probability));
}

/**
 * Connected components of the pairs whose match weight reaches `minWeight`
 * (union-find). Every row is in exactly one group; unlinked rows are singletons.
 */
export function clusterPairs(
  size: number,
  chunks: readonly PairChunk[],
  weights: readonly Float64Array[],
  minWeight: number,
): Clustering {
  const sets = new StaticDisjointSet(size);
  for (let c = 0; c < chunks.length; c++) {
    const { left, right } = chunks[c];
    const weight = weights[c];
    for (let k = 0; k < weight.length; k++) if (weight[k] >= minWeight) sets.union(left[k], right[k]);
  }
  // Number groups by smallest row: the first time a root is met in row order.
  const groupOfRoot = new Int32Array(size).fill(-1);
  const groupOf = new Uint32Array(size);
  let groupCount = 0;
  for (let r = 0; r < size; r++) {
    const root = sets.find(r);
    if (groupOfRoot[root] < 0) groupOfRoot[root] = groupCount++;
    groupOf[r] = groupOfRoot[root];
  }
  // Counting sort of rows by group keeps rows ascending within each group.
  const start = new Uint32Array(groupCount + 1);
  for (let r = 0; r < size; r++) start[groupOf[r] + 1]++;
  for (let g = 0; g < groupCount; g++) start[g + 1] += start[g];
  const cursor = start.slice(0, groupCount);
  const members = new Uint32Array(size);
  for (let r = 0; r < size; r++) members[cursor[groupOf[r]]++] = r;
  return { groupCount, groupOf, start, members };
}

/**
 * The identity id of a group, derived from its first member's source and
 * record id only, so it is stable across thread counts, chunking and input
 * order, and reveals no record value.
 */
export function identityId(source: string, recordId: string): string {
  return 'P' + createHash('sha256').update(source).update('\u0000').update(recordId).digest('hex').slice(0, 16);
}
