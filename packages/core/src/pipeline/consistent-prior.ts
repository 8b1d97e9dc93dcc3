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
  const bins = 2 * WEIGHT_RANGE * BINS_PER_BIT + 1;
  const histogram = new Float64Array(bins);
  const start = priorWeight(model);
  let pairs = 0;
  weights.forEach((chunk, c) => {
    for (let k = 0; k < chunk.length; k++) {
      const base = Math.min(WEIGHT_RANGE, Math.max(-WEIGHT_RANGE, chunk[k] - start));
      const n = counts === undefined ? 1 : counts[c][k];
      histogram[Math.round((base + WEIGHT_RANGE) * BINS_PER_BIT)] += n;
      pairs += n;
    }
  });
  if (pairs === 0 || !(space > 0)) return model;
  let weight = start;
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    let matches = 0;
    for (let b = 0; b < bins; b++) {
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
  const shift = weight - start;
  for (const chunk of weights) for (let k = 0; k < chunk.length; k++) chunk[k] += shift;
  return { ...model, prior: 2 ** weight / (1 + 2 ** weight) };
}
