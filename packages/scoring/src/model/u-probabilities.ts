import type { Comparison, ComparisonVectors } from '../types.js';
import type { ExactAgreement } from './exact-agreement.js';
import { floorAndNormalise } from './probabilities.js';

/**
 * Pseudo-count given to a level never observed among the sampled random pairs.
 * Seeing 0 of n pairs at a level says its u is probably below 1/n, not that it
 * is 0 (a 0 would make the level's match weight infinite). Like Splink, which
 * leaves such levels untrained and warns, we do not pretend to know it: we set
 * u = 0.5 / n (half an observation), then renormalise the comparison's levels.
 */
export const UNOBSERVED_LEVEL_PSEUDO_COUNT = 0.5;

/**
 * Estimates u probabilities from the comparison vectors of random pairs (see
 * `sampleRandomPairs`): u[c][l] is the share of sampled pairs at level l among
 * those where comparison c is not null. u[c][0] = 1 (the null level carries no
 * weight). A comparison null on every sampled pair gets uniform u.
 */
export function estimateU(vectors: readonly ComparisonVectors[], comparisons: readonly Comparison[]): number[][] {
  return uFromLevelCounts(levelCounts(vectors, comparisons), comparisons);
}

/**
 * How many pairs of the vectors fall at each level of each comparison:
 * counts[c][level], added to `counts` when given (a sample counted part by part).
 */
export function levelCounts(
  vectors: readonly ComparisonVectors[],
  comparisons: readonly Comparison[],
  counts: Float64Array[] = comparisons.map((comparison) => new Float64Array(comparison.levels.length)),
): Float64Array[] {
  const width = comparisons.length;
  for (let i = 0; i < vectors.length; i++) {
    const { levels } = vectors[i];
    if (vectors[i].width !== width) {
      throw new Error(`estimateU: vectors chunk ${i} has width ${vectors[i].width}, expected ${width} comparisons`);
    }
    for (let offset = 0; offset < levels.length; offset += width) {
      for (let c = 0; c < width; c++) {
        const level = levels[offset + c];
        if (level >= counts[c].length) {
          throw new Error(`estimateU: level ${level} out of range for comparison "${comparisons[c].name}"`);
        }
        counts[c][level] += 1;
      }
    }
  }
  return counts;
}

/**
 * u from the level counts of random pairs (see estimateU). Where `exact[c]` gives
 * the exact agreement of comparison c over the whole comparison space (see
 * exactAgreements; its level 1 is `exact`), level 1 takes u = agreeing / present
 * and the sample only shares the rest, 1 - u[1], among the other levels in
 * proportion to their counts (a sample stratified on agreement): the rarest and
 * most decisive level no longer rests on a handful of sampled pairs.
 */
export function uFromLevelCounts(
  counts: readonly Float64Array[],
  comparisons: readonly Comparison[],
  exact: readonly (ExactAgreement | undefined)[] = [],
): number[][] {
  if (counts.length !== comparisons.length) throw new Error(`estimateU: ${counts.length} count rows for ${comparisons.length} comparisons`);
  return counts.map((count, c) => {
    if (count.length !== comparisons[c].levels.length) throw new Error(`estimateU: counts of comparison "${comparisons[c].name}" have ${count.length} levels`);
    const u = new Array<number>(count.length);
    u[0] = 1;
    const agreement = exact[c];
    if (agreement !== undefined && agreement.present > 0 && count.length > 2) {
      // No two equal values in the whole space: u is below one pair in `present`,
      // given half a pair as for an unobserved sampled level.
      u[1] = Math.min((agreement.agreeing > 0 ? agreement.agreeing : UNOBSERVED_LEVEL_PSEUDO_COUNT) / agreement.present, 1);
      shareOut(count, u, 2, 1 - u[1]);
    } else {
      shareOut(count, u, 1, 1);
    }
    return floorAndNormalise(u);
  });
}

/**
 * Shares `total` among levels from.. in proportion to their sampled counts, a
 * level never sampled counting half a pair (so a comparison null on every
 * sampled pair gets uniform u). Levels before `from` keep their u.
 */
function shareOut(count: Float64Array, u: number[], from: number, total: number): void {
  const weight = (level: number): number => (count[level] > 0 ? count[level] : UNOBSERVED_LEVEL_PSEUDO_COUNT);
  let sum = 0;
  for (let level = from; level < count.length; level++) sum += weight(level);
  for (let level = from; level < count.length; level++) u[level] = (total * weight(level)) / sum;
}
