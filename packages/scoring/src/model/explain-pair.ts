import type { FellegiSunterModel, MatchExplanation, TermFrequencyInput } from './model-types.js';
import { compileWeights, tfAdjustmentOf } from './score-pairs.js';
import { matchProbability } from './match-weights.js';

export interface ExplainPairOptions {
  readonly model: FellegiSunterModel;
  /** The pair's comparison vector: one level per comparison. */
  readonly vector: Uint8Array;
  readonly left: number;
  readonly right: number;
  readonly tf?: readonly (TermFrequencyInput | null)[];
}

/**
 * Breaks one pair's match weight into the prior and one term per comparison
 * (m, u, Bayes factor, weight, term-frequency adjustment), summed in the same
 * order as `scorePairs`, so `matchWeight` equals the pair's score exactly.
 */
export function explainPair(options: ExplainPairOptions): MatchExplanation {
  const { model, vector, left, right } = options;
  if (vector.length !== model.comparisons.length) {
    throw new Error(`explainPair: vector has ${vector.length} levels, expected ${model.comparisons.length} comparisons`);
  }
  const compiled = compileWeights(model, options.tf);
  let matchWeight = compiled.priorWeight;
  const terms = model.comparisons.map((comparison, c) => {
    const level = vector[c];
    if (level >= comparison.levels.length) {
      throw new Error(`explainPair: level ${level} out of range for comparison "${comparison.name}"`);
    }
    const weight = compiled.weights[c][level];
    const tfAdjustment = compiled.tfLevels[c] !== null ? tfAdjustmentOf(compiled, model, c, level, left, right) : 0;
    matchWeight += weight;
    if (compiled.tfLevels[c] !== null) matchWeight += tfAdjustment;
    const m = level === 0 ? 1 : model.m[c][level];
    const u = level === 0 ? 1 : model.u[c][level];
    return {
      comparison: comparison.name,
      level,
      label: comparison.levels[level].label,
      m,
      u,
      bayesFactor: m / u,
      weight,
      tfAdjustment,
    };
  });
  return { priorWeight: compiled.priorWeight, terms, matchWeight, matchProbability: matchProbability(matchWeight) };
}
