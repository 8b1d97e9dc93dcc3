// Clustering that honours reviewers' decisions: a "match" is a must-link, a
// "non-match" a cannot-link, whatever the scores say.
import type { PairChunk } from '@mpi/blocking';
import { clusterPairs, type ClusteringMethod } from '@mpi/core/advanced';
import { matchProbability } from '@mpi/scoring';

/** A decided pair, by rows of the table. */
export interface RowDecision {
  readonly left: number;
  readonly right: number;
  readonly match: boolean;
}

/** Groups as rows: groupOf[row], groups numbered by their smallest row, so numbering is a function of the records. */
export interface Groups {
  readonly count: number;
  readonly groupOf: Uint32Array;
}

const pairKey = (a: number, b: number) => (a < b ? `${a}:${b}` : `${b}:${a}`);

/**
 * The identity groups of the scored pairs with the decisions applied: a decided
 * pair's weight becomes +Infinity (match) or -Infinity (non-match) before
 * clustering, so must-links join first. A group that still holds a cannot-link
 * pair (chained through others) is clustered again greedily, strongest link
 * first, never joining two parts with a cannot-link between them. Without
 * decisions this is exactly clusterPairs, so an index's groups equal link()'s.
 */
export function clusterWithDecisions(
  size: number,
  chunks: readonly PairChunk[],
  weights: readonly Float64Array[],
  minWeight: number,
  method: ClusteringMethod,
  decisions: readonly RowDecision[],
): Groups {
  const decided = new Map<string, boolean>();
  for (const d of decisions) if (d.left !== d.right) decided.set(pairKey(d.left, d.right), d.match);
  let allChunks = chunks;
  let allWeights = weights;
  if (decided.size > 0) {
    const seen = new Set<string>();
    allWeights = chunks.map((chunk, c) => {
      const weight = Float64Array.from(weights[c]);
      for (let k = 0; k < weight.length; k++) {
        const key = pairKey(chunk.left[k], chunk.right[k]);
        const match = decided.get(key);
        if (match === undefined) continue;
        weight[k] = match ? Infinity : -Infinity;
        seen.add(key);
      }
      return weight;
    });
    // Decided pairs blocking did not produce join as an extra chunk.
    const extra = decisions.filter((d) => d.left !== d.right && !seen.has(pairKey(d.left, d.right)));
    const unique = [...new Map(extra.map((d) => [pairKey(d.left, d.right), d])).values()];
    if (unique.length > 0) {
      allChunks = [...chunks, { left: Uint32Array.from(unique, (d) => d.left), right: Uint32Array.from(unique, (d) => d.right) }];
      allWeights = [...allWeights, Float64Array.from(unique, (d) => (d.match ? Infinity : -Infinity))];
    }
  }
  const clustering = clusterPairs(size, allChunks, allWeights, minWeight, { method });
  const cannot = decisions.filter((d) => !d.match && d.left !== d.right);
  const violated = new Set<number>();
  for (const d of cannot) if (clustering.groupOf[d.left] === clustering.groupOf[d.right]) violated.add(clustering.groupOf[d.left]);
  if (violated.size === 0) return { count: clustering.groupCount, groupOf: clustering.groupOf };

  const root = new Uint32Array(size);
  for (let r = 0; r < size; r++) root[r] = clustering.groupOf[r];
  const reclustered = splitViolations(size, allChunks, allWeights, minWeight, method, clustering.groupOf, violated, cannot);
  for (const [row, newRoot] of reclustered) root[row] = newRoot;
  return renumber(size, root);
}

/** Greedy constrained re-clustering of the groups in `violated`; returns a root (>= size) per row in them. */
function splitViolations(
  size: number,
  chunks: readonly PairChunk[],
  weights: readonly Float64Array[],
  minWeight: number,
  method: ClusteringMethod,
  groupOf: Uint32Array,
  violated: Set<number>,
  cannot: readonly RowDecision[],
): Map<number, number> {
  const inside = (row: number) => violated.has(groupOf[row]);
  const links: { l: number; r: number; w: number }[] = [];
  const scored = new Map<string, number>();
  for (let c = 0; c < chunks.length; c++) {
    const { left, right } = chunks[c];
    for (let k = 0; k < left.length; k++) {
      const l = left[k];
      const r = right[k];
      if (!inside(l) || groupOf[l] !== groupOf[r]) continue;
      scored.set(pairKey(l, r), weights[c][k]);
      if (weights[c][k] >= minWeight) links.push({ l, r, w: weights[c][k] });
    }
  }
  // Strongest first; ties by rows, so the result is a function of the scored pairs alone.
  links.sort((a, b) => b.w - a.w || a.l - b.l || a.r - b.r);
  const forbidden = new Set(cannot.map((d) => pairKey(d.left, d.right)));
  const members = new Map<number, number[]>();
  const parent = new Map<number, number>();
  const find = (row: number): number => {
    let at = row;
    while (parent.has(at) && parent.get(at) !== at) at = parent.get(at)!;
    return at;
  };
  const membersOf = (root: number) => members.get(root) ?? [root];
  const threshold = matchProbability(minWeight);
  for (const { l, r } of links) {
    const a = find(l);
    const b = find(r);
    if (a === b) continue;
    const groupA = membersOf(a);
    const groupB = membersOf(b);
    let clash = false;
    let sum = 0;
    let count = 0;
    for (const x of groupA) {
      for (const y of groupB) {
        const key = pairKey(x, y);
        if (forbidden.has(key)) clash = true;
        const w = scored.get(key);
        if (w !== undefined) {
          sum += matchProbability(w);
          count++;
        }
      }
    }
    if (clash || (method === 'averageLinkage' && count > 0 && sum / count < threshold)) continue;
    parent.set(b, a);
    members.set(a, [...groupA, ...groupB]);
    members.delete(b);
  }
  const roots = new Map<number, number>();
  for (let row = 0; row < size; row++) if (inside(row)) roots.set(row, size + find(row));
  return roots;
}

/** Groups numbered by their smallest row. */
function renumber(size: number, root: Uint32Array): Groups {
  const number = new Map<number, number>();
  const groupOf = new Uint32Array(size);
  for (let r = 0; r < size; r++) {
    let g = number.get(root[r]);
    if (g === undefined) number.set(root[r], (g = number.size));
    groupOf[r] = g;
  }
  return { count: number.size, groupOf };
}
