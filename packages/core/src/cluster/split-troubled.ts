import { clusterPairs } from './cluster.js';

/** The scored pairs of the troubled components (troubled_pairs of the SQL job), ordered by (left, right). */
export interface TroubledPairs {
  readonly left: Uint32Array;
  readonly right: Uint32Array;
  readonly weight: Float64Array;
}

/**
 * The root of every row: its component's label, except in the components the
 * SQL found troubled, which are clustered again by clusterPairs' average
 * linkage on their own pairs (rows renumbered in ascending order, so its ties
 * fall as in link()); each part is rooted at its smallest row.
 */
export function splitTroubled(labels: Uint32Array, troubled: TroubledPairs, minWeight: number): Uint32Array {
  if (troubled.left.length === 0) return labels;
  const rows = [...new Set([...troubled.left, ...troubled.right])].sort((a, b) => a - b);
  const local = new Map<number, number>(rows.map((row, i) => [row, i]));
  const left = Uint32Array.from(troubled.left, (row) => local.get(row)!);
  const right = Uint32Array.from(troubled.right, (row) => local.get(row)!);
  const parts = clusterPairs(rows.length, [{ left, right }], [troubled.weight], minWeight, { method: 'averageLinkage' });
  const roots = labels.slice();
  // members of each part ascend, so the first is the part's smallest row.
  for (let g = 0; g < parts.groupCount; g++) {
    const smallest = rows[parts.members[parts.start[g]]];
    for (let k = parts.start[g]; k < parts.start[g + 1]; k++) roots[rows[parts.members[k]]] = smallest;
  }
  return roots;
}
