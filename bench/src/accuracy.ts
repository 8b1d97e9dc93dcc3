import { evaluate, type LinkResult, type Membership } from '@mpi/core';
import { clusterPairs, thresholdWeight, type Clustering } from '@mpi/core/advanced';

/**
 * Pair completeness of blocking: the share of true pairs of the comparison space
 * (link mode: across sources only) that are among the candidate pairs.
 */
export function pairCompleteness(result: LinkResult, person: Int32Array, crossSourceOnly: boolean) {
  let found = 0;
  for (const { left, right } of result.pairs.chunks) {
    for (let k = 0; k < left.length; k++) {
      const p = person[left[k]];
      if (p >= 0 && p === person[right[k]]) found++;
    }
  }
  const truePairs = countTruePairs(result, person, crossSourceOnly);
  return { truePairs, found, completeness: truePairs === 0 ? 1 : found / truePairs };
}

/** Number of true pairs: per person, all pairs (dedupe) or only pairs across sources (link). */
export function countTruePairs(result: LinkResult, person: Int32Array, crossSourceOnly: boolean): number {
  const { table } = result;
  const bySource = new Map<string, number>();
  const total = new Map<number, number>();
  for (let r = 0; r < table.size; r++) {
    const p = person[r];
    if (p < 0) continue;
    total.set(p, (total.get(p) ?? 0) + 1);
    const key = `${p}:${table.source[r]}`;
    bySource.set(key, (bySource.get(key) ?? 0) + 1);
  }
  let pairs = 0;
  for (const n of total.values()) pairs += (n * (n - 1)) / 2;
  if (!crossSourceOnly) return pairs;
  for (const n of bySource.values()) pairs -= (n * (n - 1)) / 2;
  return pairs;
}

export function memberships(result: LinkResult, clustering: Clustering): Membership[] {
  const { table } = result;
  return Array.from({ length: table.size }, (_, r) => ({
    source: table.sources[table.source[r]],
    recordId: table.recordIds[r],
    group: String(clustering.groupOf[r]),
  }));
}

export function truthMemberships(result: LinkResult, person: Int32Array): Membership[] {
  const { table } = result;
  const out: Membership[] = [];
  for (let r = 0; r < table.size; r++) {
    if (person[r] >= 0) out.push({ source: table.sources[table.source[r]], recordId: table.recordIds[r], group: String(person[r]) });
  }
  return out;
}

/**
 * The best pairwise F1 over a grid of thresholds, chosen WITH the truth: an upper
 * bound for comparison with peers that report it, never the headline figure.
 */
export function bestThreshold(result: LinkResult, person: Int32Array): { threshold: number; f1: number } {
  const truth = truthMemberships(result, person);
  let best = { threshold: result.threshold, f1: -1 };
  for (const threshold of [0.001, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999]) {
    const clustering = clusterPairs(result.table.size, result.pairs.chunks, result.weights, thresholdWeight(threshold), { method: result.clusteringMethod });
    const f1 = evaluate(memberships(result, clustering), truth).pairwise.f1;
    if (f1 > best.f1) best = { threshold, f1 };
  }
  return best;
}

/**
 * The best pairwise F1 of the scored pairs themselves, before clustering: the
 * candidate pairs at or above a match probability are the links, recall is over
 * every true pair of the comparison space (link mode: across sources). An exact
 * sweep over every distinct score, chosen WITH the truth, like bestThreshold.
 */
export function bestPairThreshold(result: LinkResult, person: Int32Array, crossSourceOnly: boolean): { threshold: number; f1: number; precision: number; recall: number } {
  const truePairs = countTruePairs(result, person, crossSourceOnly);
  const all = new Float64Array(result.pairs.count);
  const matches: number[] = [];
  let n = 0;
  result.pairs.chunks.forEach(({ left, right }, c) => {
    const weights = result.weights[c];
    for (let k = 0; k < left.length; k++) {
      all[n++] = weights[k];
      const p = person[left[k]];
      if (p >= 0 && p === person[right[k]]) matches.push(weights[k]);
    }
  });
  // Descending, so a prefix is "every pair scored at or above".
  const byScore = all.subarray(0, n).sort().reverse();
  const trueByScore = Float64Array.from(matches).sort().reverse();
  let best = { threshold: 1, f1: 0, precision: 1, recall: 0 };
  let t = 0;
  for (let k = 0; k < byScore.length; k++) {
    const w = byScore[k];
    if (k + 1 < byScore.length && byScore[k + 1] === w) continue; // links are all pairs scored >= w
    while (t < trueByScore.length && trueByScore[t] >= w) t++;
    const f1 = truePairs === 0 ? 0 : (2 * t) / (k + 1 + truePairs);
    if (f1 > best.f1) best = { threshold: 1 / (1 + 2 ** -w), f1, precision: t / (k + 1), recall: t / truePairs };
  }
  return best;
}
