import type { FellegiSunterModel, MatchExplanation, TermFrequencyInput } from './model-types.js';
import { compileWeights, demographicVeto, pairWeights, tfAdjustmentOf, VETO_DISAGREEMENTS, type CompiledWeights } from './score-pairs.js';
import { inInteractionCell } from './interaction-scoring.js';
import { matchProbability } from './match-weights.js';

export interface ExplainPairOptions {
  readonly model: FellegiSunterModel;
  /** The pair's comparison vector: one level per comparison. */
  readonly vector: Uint8Array;
  readonly left: number;
  readonly right: number;
  readonly tf?: readonly (TermFrequencyInput | null)[];
  /** compileWeights(model, tf) done already (see ScorePairsOptions.compiled): explaining a few pairs then compiles nothing. */
  readonly compiled?: CompiledWeights;
}

/**
 * Breaks one pair's match weight into the prior, one term per comparison
 * (m, u, Bayes factor, weight, term-frequency adjustment) and the interaction
 * terms of the joint cells the pair is in, summed in the same
 * order as `scorePairs`, so `matchWeight` equals the pair's score exactly.
 */
export function explainPair(options: ExplainPairOptions): MatchExplanation {
  const { model, vector, left, right } = options;
  if (vector.length !== model.comparisons.length) {
    throw new Error(`explainPair: vector has ${vector.length} levels, expected ${model.comparisons.length} comparisons`);
  }
  const compiled = options.compiled ?? compileWeights(model, options.tf);
  const { group, groupCount } = compiled;
  // Per evidence group, the comparison whose weight counts on each side (-1: none).
  const strongest = new Int32Array(groupCount).fill(-1);
  const weakest = new Int32Array(groupCount).fill(-1);
  const strongestTerm = new Float64Array(groupCount);
  const weakestTerm = new Float64Array(groupCount);
  let matchWeight = compiled.priorWeight;
  const veto = compiled.demographics.length >= VETO_DISAGREEMENTS && demographicVeto(compiled, vector, 0);
  const vetoed: boolean[] = [];
  const weights = pairWeights(compiled, vector, 0);
  // Household evidence alone: the u its weights were computed with (see householdAloneU).
  const aloneU = weights !== compiled.weights ? model.householdAloneU : undefined;
  const terms = model.comparisons.map((comparison, c) => {
    const level = vector[c];
    if (level >= comparison.levels.length) {
      throw new Error(`explainPair: level ${level} out of range for comparison "${comparison.name}"`);
    }
    const weight = weights[c][level];
    const tfAdjustment = compiled.tfLevels[c] !== null ? tfAdjustmentOf(compiled, model, c, level, left, right) : 0;
    // Same arithmetic, in the same order, as scorePairs.
    let term = weight;
    if (compiled.tfLevels[c] !== null) term += tfAdjustment;
    vetoed[c] = veto && term > 0 && compiled.roles[c] === null;
    if (vetoed[c]) term = 0;
    const g = group[c];
    if (g < 0) matchWeight += term;
    else if (term > strongestTerm[g]) [strongestTerm[g], strongest[g]] = [term, c];
    else if (term < weakestTerm[g]) [weakestTerm[g], weakest[g]] = [term, c];
    const m = level === 0 ? 1 : model.m[c][level];
    const aloneRow = comparison.levels[level].tfAdjustment ? null : aloneU?.[c];
    const u = level === 0 ? 1 : (aloneRow ?? model.u[c])[level];
    return {
      comparison: comparison.name,
      level,
      label: comparison.levels[level].label,
      m,
      u,
      bayesFactor: m / u,
      weight,
      tfAdjustment,
      groupAdjustment: 0,
    };
  });
  for (let g = 0; g < groupCount; g++) matchWeight += strongestTerm[g] + weakestTerm[g];
  // The interaction terms of the cells the pair is in, after the groups: the order scorePairs adds them in.
  const { a, b, weight: interactionWeights } = compiled.interactions;
  const interactions: MatchExplanation['interactions'] = [];
  for (let i = 0; i < interactionWeights.length; i++) {
    if (!inInteractionCell(compiled.interactions, i, vector, 0)) continue;
    matchWeight += interactionWeights[i];
    interactions.push({ comparisons: [model.comparisons[a[i]].name, model.comparisons[b[i]].name], weight: interactionWeights[i] });
  }
  // Members of an evidence group whose weight does not count, and weights a demographic veto drops: the group adjustment cancels them.
  terms.forEach((t, c) => {
    if (vetoed[c] || (group[c] >= 0 && strongest[group[c]] !== c && weakest[group[c]] !== c)) t.groupAdjustment = -(t.weight + t.tfAdjustment);
  });
  return { priorWeight: compiled.priorWeight, terms, interactions, matchWeight, matchProbability: matchProbability(matchWeight), demographicVeto: veto };
}
