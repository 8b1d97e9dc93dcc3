import { priorWeight, type FellegiSunterModel } from '@mpi/scoring';

/** Histogram bins per bit of match weight: the fixed point reads the weights through it, one pass over the pairs. */
const BINS_PER_BIT = 32;
/** Match weights are clamped to +-this many bits in the histogram (a match probability of 1 - 1e-18 and its mirror). */
const WEIGHT_RANGE = 60;
/** The fixed point has settled when the prior weight moves less than this many bits. */
const TOLERANCE_BITS = 1e-4;
const MAX_ITERATIONS = 500;

/**
 * The prior made consistent with the scores link() uses: the prior p at which
 * the expected matches among the candidate pairs (the sum of their match
 * probabilities at prior p) equal p times the comparison space, with every pair
 * outside the candidates a non-match. EM estimated the prior as lambda times the
 * candidates over the space, with the comparisons taken as independent and the
 * household evidence left out; the final scores add term frequencies and count
 * household evidence once, and that estimate counted more matches than the
 * scores give (measured with the truth on the default population at 2,000
 * people: 2,169 implied against 1,844 true pairs and a sum of match
 * probabilities of 1,883; names only and birth date: 2,759 against 1,995). A prior
 * too high is over-confidence at every threshold: different people sharing a
 * family name and birth date (twins), or a given and family name (father and son),
 * land above 0.5.
 *
 * Returns the model with that prior (training.candidateLambda untouched) and
 * shifts the weights in place by the change of prior weight; the model as
 * given when there is nothing to fit (no pair, or an empty space). With
 * `counts`, weight k of a chunk stands for counts[chunk][k] pairs (distinct
 * weights counted by SQL on a cluster, see trainFromClusterCounts).
 */
export function consistentPrior(model: FellegiSunterModel, weights: readonly Float64Array[], space: number, counts?: readonly Float64Array[]): FellegiSunterModel {
  const histogram = new Float64Array(HISTOGRAM_BINS);
  const start = priorWeight(model);
  weights.forEach((chunk, c) => {
    for (let k = 0; k < chunk.length; k++) histogram[weightBin(chunk[k], start)] += counts === undefined ? 1 : counts[c][k];
  });
  const { prior, shift } = fitPrior(model, histogram, space);
  for (const chunk of weights) for (let k = 0; k < chunk.length; k++) chunk[k] += shift;
  return { ...model, prior };
}

/** Bins of the match-weight histogram the prior is fitted on (consistentPrior): BINS_PER_BIT a bit over +-WEIGHT_RANGE bits. */
export const HISTOGRAM_BINS = 2 * WEIGHT_RANGE * BINS_PER_BIT + 1;

/** The histogram bin of a match weight, relative to the model's prior weight `start` (priorWeight). */
export function weightBin(weight: number, start: number): number {
  const base = Math.min(WEIGHT_RANGE, Math.max(-WEIGHT_RANGE, weight - start));
  return Math.round((base + WEIGHT_RANGE) * BINS_PER_BIT);
}

/**
 * weightBin as a SQL expression over a column of match weights, for counting
 * the pairs per bin where they are (the same arithmetic: DuckDB's round takes
 * halves away from zero, Math.round up, alike on these non-negative values).
 */
export function weightBinSql(column: string, start: string): string {
  return `round((least(${WEIGHT_RANGE}.0, greatest(-${WEIGHT_RANGE}.0, ${column} - ${start})) + ${WEIGHT_RANGE}.0) * ${BINS_PER_BIT}.0)`;
}

/**
 * The fixed point of consistentPrior on a histogram of the candidate pairs'
 * match weights (pairs per weightBin, relative to the model's prior weight):
 * the consistent prior, and the shift of every match weight (the change of
 * prior weight); the model's prior and no shift when there is nothing to fit.
 */
export function fitPrior(model: FellegiSunterModel, histogram: Float64Array, space: number): { prior: number; shift: number } {
  const start = priorWeight(model);
  const pairs = histogram.reduce((a, b) => a + b, 0);
  if (pairs === 0 || !(space > 0)) return { prior: model.prior, shift: 0 };
  let weight = start;
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    let matches = 0;
    for (let b = 0; b < HISTOGRAM_BINS; b++) {
      if (histogram[b] === 0) continue;
      const total = b / BINS_PER_BIT - WEIGHT_RANGE + weight;
      matches += histogram[b] / (1 + 2 ** -total);
    }
    const prior = Math.min(1 - 1e-12, Math.max(1e-12, matches / space));
    const next = Math.log2(prior / (1 - prior));
    const change = Math.abs(next - weight);
    weight = next;
    if (change < TOLERANCE_BITS) break;
  }
  return { prior: 2 ** weight / (1 + 2 ** weight), shift: weight - start };
}
