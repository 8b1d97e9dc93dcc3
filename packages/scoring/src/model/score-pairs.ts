import type { ComparisonVectors, PairChunk } from '../types.js';
import type { FellegiSunterModel, TermFrequencyInput } from './model-types.js';
import { matchWeightTable, priorWeight, tfAdjustmentWeight } from './match-weights.js';

export interface ScorePairsOptions {
  readonly model: FellegiSunterModel;
  readonly chunks: readonly PairChunk[];
  /** Comparison vectors of each chunk's pairs (same order as the model's comparisons). */
  readonly vectors: readonly ComparisonVectors[];
  /** Per comparison, the term frequencies of its column, or null for none. */
  readonly tf?: readonly (TermFrequencyInput | null)[];
}

/** What scoring needs of a model, computed once. Shared with `explainPair` so both do the same arithmetic. */
export interface CompiledWeights {
  readonly priorWeight: number;
  readonly weights: readonly Float64Array[];
  /** Per comparison: 1 for levels with a term-frequency adjustment, or null when none applies. */
  readonly tfLevels: readonly (Uint8Array | null)[];
  readonly tf: readonly (TermFrequencyInput | null)[];
}

export function compileWeights(model: FellegiSunterModel, tf?: readonly (TermFrequencyInput | null)[]): CompiledWeights {
  if (tf && tf.length !== model.comparisons.length) {
    throw new Error(`scoring: ${tf.length} term-frequency inputs for ${model.comparisons.length} comparisons`);
  }
  const tfInputs = model.comparisons.map((_, c) => tf?.[c] ?? null);
  const tfLevels = model.comparisons.map((comparison, c) => {
    if (!tfInputs[c] || !comparison.levels.some((level) => level.tfAdjustment)) return null;
    return Uint8Array.from(comparison.levels, (level) => (level.tfAdjustment ? 1 : 0));
  });
  return { priorWeight: priorWeight(model), weights: matchWeightTable(model), tfLevels, tf: tfInputs };
}

/** The term-frequency adjustment of comparison c at `level` for the pair, or 0. */
export function tfAdjustmentOf(
  compiled: CompiledWeights,
  model: FellegiSunterModel,
  c: number,
  level: number,
  left: number,
  right: number,
): number {
  const flags = compiled.tfLevels[c];
  if (!flags || flags[level] === 0) return 0;
  const { ids, tf } = compiled.tf[c]!;
  const tfValue = Math.max(tf[ids[left]], tf[ids[right]]);
  return tfAdjustmentWeight(model.u[c][level], tfValue);
}

/**
 * Match weight of every pair: prior weight + the level weight of each
 * comparison + term-frequency adjustments. One Float64Array per chunk.
 */
export function scorePairs(options: ScorePairsOptions): Float64Array[] {
  const { model, chunks, vectors } = options;
  if (chunks.length !== vectors.length) {
    throw new Error(`scorePairs: ${chunks.length} pair chunks but ${vectors.length} comparison vector chunks`);
  }
  const width = model.comparisons.length;
  const compiled = compileWeights(model, options.tf);
  const { weights, tfLevels } = compiled;
  // Hoisted per comparison so the per-pair loop only indexes typed arrays.
  const tfIds = compiled.tf.map((input) => input?.ids ?? null);
  const tfValues = compiled.tf.map((input) => input?.tf ?? null);
  const anyTf = tfLevels.some((flags) => flags !== null);
  return chunks.map((chunk, i) => {
    const { levels } = vectors[i];
    const { left, right } = chunk;
    if (vectors[i].width !== width || levels.length !== left.length * width) {
      throw new Error(`scorePairs: vectors of chunk ${i} do not match its ${left.length} pairs and the model's ${width} comparisons`);
    }
    const scores = new Float64Array(left.length);
    for (let k = 0, offset = 0; k < scores.length; k++, offset += width) {
      let weight = compiled.priorWeight;
      for (let c = 0; c < width; c++) {
        const level = levels[offset + c];
        weight += weights[c][level];
        if (anyTf) {
          const flags = tfLevels[c];
          // Same arithmetic as tfAdjustmentOf: explainPair must reproduce the score exactly.
          if (flags !== null && flags[level] !== 0) {
            const ids = tfIds[c]!;
            const tf = tfValues[c]!;
            weight += tfAdjustmentWeight(model.u[c][level], Math.max(tf[ids[left[k]]], tf[ids[right[k]]]));
          }
        }
      }
      scores[k] = weight;
    }
    return scores;
  });
}
