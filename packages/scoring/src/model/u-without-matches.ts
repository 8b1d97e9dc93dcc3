import { floorAndNormalise } from './probabilities.js';
import { UNOBSERVED_LEVEL_PSEUDO_COUNT } from './u-probabilities.js';

/**
 * u with the matches taken out: the random pairs u is measured on are pairs of
 * the comparison space, and a share `prior` of those are matches, which sit at
 * level l with chance m[l]. What was measured is therefore
 * (1 - prior) * u + prior * m, and u, the chance of level l among non-matches,
 * is (measured - prior * m) / (1 - prior).
 *
 * Why it matters: where a field is shared by few people (a phone, an address,
 * an identifier), the matches are a large part of the pairs that agree on it,
 * and u as measured is too large: every such agreement weighs less than it
 * should. The prior given must count the matches as they are: EM's prior
 * over-counts them (see consistentPrior in core), and taking that many out made
 * u of an exact birth date too small (2.8e-5 against 5.1e-5 true).
 *
 * A level whose measured share is all matches keeps half a pair of the sample
 * (UNOBSERVED_LEVEL_PSEUDO_COUNT / samplePairs), as a level never observed does.
 */
export function uWithoutMatches(
  u: readonly (readonly number[])[],
  m: readonly (readonly number[])[],
  prior: number,
  samplePairs: number,
): number[][] {
  if (!(prior > 0 && prior < 1)) return u.map((row) => row.slice());
  const floor = samplePairs > 0 ? UNOBSERVED_LEVEL_PSEUDO_COUNT / samplePairs : 0;
  return u.map((row, c) => {
    const corrected = row.map((measured, level) => (level === 0 ? 1 : Math.max(measured - prior * m[c][level], floor) / (1 - prior)));
    return floorAndNormalise(corrected);
  });
}
