import type { FellegiSunterModel } from './model-types.js';

/**
 * Match weight of every level: log2(m / u), the log2 Bayes factor of observing
 * that level; 0 for the null level (missing values are no evidence).
 */
export function matchWeightTable(model: FellegiSunterModel): Float64Array[] {
  return model.comparisons.map((comparison, c) => {
    const weights = new Float64Array(comparison.levels.length);
    for (let level = 1; level < weights.length; level++) weights[level] = levelWeight(model.m[c][level], model.u[c][level]);
    return weights;
  });
}

/** log2(m / u) of one level. */
export function levelWeight(m: number, u: number): number {
  return Math.log2(m / u);
}

/** The prior as a match weight: log2(prior / (1 - prior)). */
export function priorWeight(model: FellegiSunterModel): number {
  return Math.log2(model.prior / (1 - model.prior));
}

/**
 * Probability of a match given a total match weight w: 2^w / (1 + 2^w).
 * Evaluated as 1 / (1 + 2^-w) for positive w so neither form overflows: the
 * result stays in [0, 1] for any weight, including +-Infinity.
 */
export function matchProbability(weight: number): number {
  if (weight >= 0) return 1 / (1 + 2 ** -weight);
  const odds = 2 ** weight;
  return odds / (1 + odds);
}

/**
 * Splink's term-frequency adjustment for a pair agreeing at a tf-adjusted level:
 * the level's weight log2(m / u) becomes log2(m / tf), i.e. add log2(u / tf),
 * where tf is the larger frequency of the two values (agreeing on a rare value
 * is stronger evidence than on a common one). 0 when the frequency is unknown.
 */
export function tfAdjustmentWeight(u: number, tfValue: number): number {
  return tfValue > 0 ? Math.log2(u / tfValue) : 0;
}
