import * as crypto from 'node:crypto';
import { StaticDisjointSet } from 'mnemonist';
import type { PairChunk } from '@mpi/types';
import { matchProbability } from '@mpi/scoring';
import type { ClusteringMethod } from '../defaults/clustering-method.js';

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

export type { ClusteringMethod };

/** Options of {@link clusterPairs}. */
export interface ClusterOptions {
  /** Default 'averageLinkage'. */
  readonly method?: ClusteringMethod;
}

/**
 * Identity groups from scored pairs. Every row is in exactly one group; unlinked
 * rows are singletons.
 *
 * 'connectedComponents': the transitive closure of the pairs whose match weight
 * reaches `minWeight` (union-find), as Splink does.
 *
 * 'averageLinkage' (default): transitive closure lets one false link chain two
 * people together even when the pairs between their other records say they
 * differ (a sibling linked to one of a person's records but scored far below the
 * threshold against the others). So a component that holds a pair scored below
 * `minWeight` is clustered again: its links in descending weight order, each
 * joining two groups only if the mean match probability of all scored pairs
 * between them still reaches the threshold. Components whose pairs all reach it
 * are kept whole, so the two methods differ only where the scores disagree.
 * The mean is of probabilities, not weights: one badly corrupted record scores
 * -20 against a sibling record yet +15 against the rest of its group, and
 * weights would let that single pair veto the join.
 * Measured (default settings): generated 1M records pairwise F1 0.959 -> 0.982
 * (precision 0.923 -> 0.967, recall 0.998 -> 0.998); FEBRL3 without national id
 * 0.9959 -> 0.9945 (its duplicates are corrupted independently, so a weakly
 * attached duplicate can score below the threshold against its siblings).
 */
export function clusterPairs(
  size: number,
  chunks: readonly PairChunk[],
  weights: readonly Float64Array[],
  minWeight: number,
  options: ClusterOptions = {},
): Clustering {
  const sets = new StaticDisjointSet(size);
  for (let c = 0; c < chunks.length; c++) {
    const { left, right } = chunks[c];
    const weight = weights[c];
    for (let k = 0; k < weight.length; k++) if (weight[k] >= minWeight) sets.union(left[k], right[k]);
  }
  const component = new Uint32Array(size);
  for (let r = 0; r < size; r++) component[r] = sets.find(r);
  const method = options.method ?? 'averageLinkage';
  const refined = method === 'averageLinkage' ? averageLinkage(size, chunks, weights, minWeight, component) : undefined;
  return numberGroups(size, refined ?? component);
}

/**
 * Re-clusters the components that hold a pair scored below `minWeight` (see
 * clusterPairs). Returns a root per row, or undefined when no component needs it.
 */
function averageLinkage(
  size: number,
  chunks: readonly PairChunk[],
  weights: readonly Float64Array[],
  minWeight: number,
  component: Uint32Array,
): Uint32Array | undefined {
  const troubled = new Uint8Array(size);
  let any = false;
  forEachPair(chunks, weights, (l, r, w) => {
    if (w < minWeight && component[l] === component[r]) {
      troubled[component[l]] = 1;
      any = true;
    }
  });
  if (!any) return undefined;

  // Scored pairs inside troubled components, as adjacency lists (CSR), and the links among them.
  const inside = (l: number) => troubled[component[l]] === 1;
  const degree = new Uint32Array(size + 1);
  let linkCount = 0;
  forEachPair(chunks, weights, (l, r, w) => {
    if (component[l] !== component[r] || !inside(l)) return;
    degree[l + 1]++;
    degree[r + 1]++;
    if (w >= minWeight) linkCount++;
  });
  for (let r = 0; r < size; r++) degree[r + 1] += degree[r];
  const cursor = degree.slice(0, size);
  const neighbour = new Uint32Array(degree[size]);
  const neighbourWeight = new Float64Array(degree[size]);
  const linkLeft = new Uint32Array(linkCount);
  const linkRight = new Uint32Array(linkCount);
  const linkWeight = new Float64Array(linkCount);
  let n = 0;
  forEachPair(chunks, weights, (l, r, w) => {
    if (component[l] !== component[r] || !inside(l)) return;
    neighbour[cursor[l]] = r;
    neighbourWeight[cursor[l]++] = w;
    neighbour[cursor[r]] = l;
    neighbourWeight[cursor[r]++] = w;
    if (w >= minWeight) {
      linkLeft[n] = l;
      linkRight[n] = r;
      linkWeight[n++] = w;
    }
  });
  // Strongest first; ties in row order, so the groups are a function of the scored pairs alone.
  const order = linkOrder(linkWeight, linkLeft, linkRight);

  const threshold = matchProbability(minWeight);
  const sets = new StaticDisjointSet(size);
  const members = new Map<number, number[]>();
  const membersOf = (root: number) => members.get(root) ?? [root];
  for (const i of order) {
    const a = sets.find(linkLeft[i]);
    const b = sets.find(linkRight[i]);
    if (a === b) continue;
    const groupA = membersOf(a);
    const groupB = membersOf(b);
    const [small, otherRoot] = groupA.length <= groupB.length ? [groupA, b] : [groupB, a];
    let sum = 0;
    let count = 0;
    for (const row of small) {
      for (let k = degree[row]; k < degree[row + 1]; k++) {
        if (sets.find(neighbour[k]) === otherRoot) {
          sum += matchProbability(neighbourWeight[k]);
          count++;
        }
      }
    }
    if (sum / count < threshold) continue;
    sets.union(a, b);
    const large = small === groupA ? groupB : groupA;
    for (const row of small) large.push(row);
    members.delete(a);
    members.delete(b);
    members.set(sets.find(a), large);
  }
  const roots = component.slice();
  for (let r = 0; r < size; r++) if (inside(r)) roots[r] = size + sets.find(r);
  return roots;
}

/**
 * Link indices by weight descending, then left and right row ascending: a
 * strict order (each pair is scored once), so any correct sort gives this one.
 * A merge sort of typed arrays rather than Array.prototype.sort of a JS array
 * of indices: the array and the sort's work copies of it sat on the V8 heap,
 * whose limit aborts the process when passed. clusterPairs on 8.4M pairs all in
 * troubled components: peak RSS 590 MiB above the input instead of 655-658,
 * 6.1-6.3 s instead of 6.3-6.7 (alternating runs); same groups.
 */
export function linkOrder(weight: Float64Array, left: Uint32Array, right: Uint32Array): Uint32Array {
  const n = weight.length;
  let order = new Uint32Array(n);
  let other = new Uint32Array(n);
  const before = (a: number, b: number): boolean =>
    weight[a] > weight[b] || (weight[a] === weight[b] && (left[a] < left[b] || (left[a] === left[b] && right[a] < right[b])));
  // Runs of RUN links sorted by insertion, then merged pairwise until one is left.
  const RUN = 16;
  for (let start = 0; start < n; start += RUN) {
    const end = Math.min(n, start + RUN);
    for (let i = start; i < end; i++) {
      let j = i;
      while (j > start && before(i, order[j - 1])) {
        order[j] = order[j - 1];
        j--;
      }
      order[j] = i;
    }
  }
  for (let width = RUN; width < n; width *= 2) {
    for (let start = 0; start < n; start += 2 * width) {
      const middle = Math.min(n, start + width);
      const end = Math.min(n, start + 2 * width);
      let i = start;
      let j = middle;
      let k = start;
      while (i < middle && j < end) other[k++] = before(order[j], order[i]) ? order[j++] : order[i++];
      while (i < middle) other[k++] = order[i++];
      while (j < end) other[k++] = order[j++];
    }
    [order, other] = [other, order];
  }
  return order;
}

function forEachPair(chunks: readonly PairChunk[], weights: readonly Float64Array[], visit: (l: number, r: number, w: number) => void): void {
  for (let c = 0; c < chunks.length; c++) {
    const { left, right } = chunks[c];
    const weight = weights[c];
    for (let k = 0; k < weight.length; k++) visit(left[k], right[k], weight[k]);
  }
}

/** Groups numbered by smallest row (the first time a root is met in row order), rows ascending within each. Roots are below 2 * size. */
export function numberGroups(size: number, root: Uint32Array): Clustering {
  // Roots are rows, or size + row for re-clustered components.
  const groupOfRoot = new Int32Array(2 * size).fill(-1);
  const groupOf = new Uint32Array(size);
  let groupCount = 0;
  for (let r = 0; r < size; r++) {
    if (groupOfRoot[root[r]] < 0) groupOfRoot[root[r]] = groupCount++;
    groupOf[r] = groupOfRoot[root[r]];
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
  return 'P' + sha256Hex(source + '\u0000' + recordId).slice(0, 16);
}

/**
 * SHA-256 of a string's UTF-8 bytes, in hex. Node's one-shot crypto.hash (from
 * 20.12) where there is one: a Hash object per group cost FEBRL4's 5,000 groups
 * ~31 ms in a fresh process against ~18 ms. Same digest either way.
 */
const sha256Hex: (text: string) => string =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (text) => (crypto as unknown as { hash(algorithm: string, data: string, encoding: 'hex'): string }).hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text).digest('hex');
