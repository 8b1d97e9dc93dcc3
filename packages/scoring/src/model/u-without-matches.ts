import { floorAndNormalise } from './probabilities.js';
import { UNOBSERVED_LEVEL_PSEUDO_COUNT } from './u-probabilities.js';

/**
 * u with the matches taken out: the random pairs (and the whole-space exact
 * agreement counts) that u is measured on are pairs of the comparison space,
 * and a share `prior` of those are matches, which sit at level l with chance
 * m[l]. What was measured is therefore (1 - prior) * u + prior * m, and u, the
 * chance of level l among non-matches, is (measured - prior * m) / (1 - prior).
 *
 * Why it matters: where a field is shared by few people (a phone, a street
 * address, an identifier), the matches are a large part of the pairs that agree
 * on it. In a population of 3,400 records, ~1.7 a person, 3e-4 of all pairs are
 * matches; with m(exact phone) = 0.98 they alone make an agreement rate of
 * 3.2e-4, as much as the households and coincidences that u is about (3.4e-4,
 * measured with the truth on the placeholders-30 regime at 2,000 people). u
 * came out twice too large and every such agreement a bit weaker than it is,
 * which is under-confidence wherever one or two such agreements are most of a
 * pair's evidence (records with placeholder names and birth dates). On large
 * populations the prior is tiny and the correction vanishes.
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
