import { uWithoutMatches, type FellegiSunterModel } from '@mpi/scoring';
import { consistentPrior } from './consistent-prior.js';
import { scorePairs, type ScoreInput, type Scored } from './score.js';

/** A trained model scored, and the model the weights were scored with. */
export interface ScoredModel extends Scored {
  readonly model: FellegiSunterModel;
}

/**
 * The score stage for a trained model: score, make the prior consistent with
 * the scores (consistentPrior), take the matches at that prior out of u (u was
 * measured on random pairs of the whole space, matches included: see
 * uWithoutMatches), score again with that u, and make the prior consistent with
 * the new scores. The prior the correction uses is the consistent one, not EM's:
 * EM's counted 13-47% more matches than there were, and u corrected with it was
 * too small (an exact birth date 0.7-0.9 bits too strong).
 */
export async function scoreWithUWithoutMatches(input: ScoreInput, space: number): Promise<ScoredModel> {
  const first = await scorePairs({ ...input, keepVectors: true });
  const consistent = consistentPrior(input.model, first.weights, space);
  const corrected: FellegiSunterModel = {
    ...consistent,
    u: uWithoutMatches(consistent.u, consistent.m, consistent.prior, consistent.training.uSampleSize ?? 0),
  };
  // The first weights are dropped before the second scoring's are made.
  first.weights.length = 0;
  const rescored = await scorePairs({ ...input, model: corrected });
  return { ...rescored, model: consistentPrior(corrected, rescored.weights, space) };
}
