import type { CandidatePairs, CompiledBlockingRule } from '@mpi/blocking';
import { matchProbability } from '@mpi/scoring';
import { isPersonRule } from '../defaults/field-kinds.js';
import type { FieldKind } from '../defaults/field-kind-names.js';

/** Candidate pairs the estimate reads at most (evenly spaced): the sums are shares, a sample keeps it cheap at millions of pairs. */
export const PAIR_COMPLETENESS_SAMPLE = 200_000;

/** Expected matches two rules must share in the sample for their estimate to count (fewer is noise: 5 gave estimates off by 20%). */
const MIN_SHARED_MATCHES = 30;

/**
 * Pair completeness estimated without the truth: the expected matches among the
 * candidate pairs (each pair counts its match probability) over the matches the
 * data is estimated to hold.
 *
 * The matches held come from capture-recapture across blocking rules (the
 * Lincoln-Petersen estimator): two rules over disjoint fields miss a match for
 * unrelated reasons (a typo in the name, a moved address), so the share of rule
 * A's matches that rule B also finds estimates the share of all matches B finds,
 * and N = M_A * M_B / M_AB. The median over every such pair of rules is taken:
 * errors that go together (a careless registration) make a pair's estimate low,
 * errors that exclude each other high. Two household rules (postcode, street,
 * city) are left out: they read one fact, an address, in several columns. Undefined
 * when no pair of rules qualifies or they share too few matches to tell.
 */
export function estimatedPairCompleteness(
  pairs: CandidatePairs,
  weights: readonly Float64Array[],
  rules: readonly CompiledBlockingRule[],
  fieldKinds: ReadonlyMap<string, FieldKind>,
): number | undefined {
  const used = rules.slice(0, 32);
  const person = used.map((rule) => isPersonRule(rule.columns, fieldKinds));
  const disjoint: [number, number][] = [];
  for (let a = 0; a < used.length; a++) {
    for (let b = a + 1; b < used.length; b++) {
      if ((person[a] || person[b]) && !used[a].columns.some((column) => used[b].columns.includes(column))) disjoint.push([a, b]);
    }
  }
  if (disjoint.length === 0 || pairs.count === 0) return undefined;
  const stride = Math.max(1, Math.ceil(pairs.count / PAIR_COMPLETENESS_SAMPLE));
  const single = new Float64Array(used.length);
  const both = new Float64Array(disjoint.length);
  let matches = 0;
  let index = 0;
  pairs.chunks.forEach((chunk, c) => {
    const first = (stride - (index % stride)) % stride;
    for (let k = first; k < chunk.left.length; k += stride) {
      const p = matchProbability(weights[c][k]);
      matches += p;
      let covered = 0;
      used.forEach((rule, r) => {
        if (rule.covers(chunk.left[k], chunk.right[k])) {
          covered |= 1 << r;
          single[r] += p;
        }
      });
      disjoint.forEach(([a, b], d) => {
        if (covered & (1 << a) && covered & (1 << b)) both[d] += p;
      });
    }
    index += chunk.left.length;
  });
  const held = disjoint.flatMap(([a, b], d) => (both[d] >= MIN_SHARED_MATCHES ? [(single[a] * single[b]) / both[d]] : []));
  if (held.length === 0) return undefined;
  return Math.min(1, matches / median(held));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
