import type { ComparisonVectors, PairChunk } from '../types.js';
import { addInteractions, compileInteractions, type CompiledInteractions } from './interaction-scoring.js';
import { AGREES, DISAGREES, demographicRoles } from './demographic-roles.js';
import { compileHouseholdAlone, householdEvidenceAlone, type CompiledHouseholdAlone } from './household-alone.js';
import type { FellegiSunterModel, TermFrequencyInput } from './model-types.js';
import { matchWeightTable, priorWeight, tfAdjustmentWeight } from './match-weights.js';

export interface ScorePairsOptions {
  readonly model: FellegiSunterModel;
  readonly chunks: readonly PairChunk[];
  /** Comparison vectors of each chunk's pairs (same order as the model's comparisons). */
  readonly vectors: readonly ComparisonVectors[];
  /** Per comparison, the term frequencies of its column, or null for none. */
  readonly tf?: readonly (TermFrequencyInput | null)[];
  /**
   * The model's weights compiled already with these term frequencies (compileWeights, or
   * withTermFrequencies of a compilation kept for the model): a caller scoring a few pairs at
   * a time with one model, such as an index's matches, then does not compile them per call.
   */
  readonly compiled?: CompiledWeights;
}

/** What scoring needs of a model, computed once. Shared with `explainPair` so both do the same arithmetic. */
export interface CompiledWeights {
  readonly priorWeight: number;
  readonly weights: readonly Float64Array[];
  /** Per comparison: 1 for levels with a term-frequency adjustment, or null when none applies. */
  readonly tfLevels: readonly (Uint8Array | null)[];
  /** Per comparison and tf-adjusted level: the u the value's frequency replaces (see tfReferenceU). */
  readonly tfU: readonly (Float64Array | null)[];
  readonly tf: readonly (TermFrequencyInput | null)[];
  /** Per comparison: index of its evidence group, or -1 when its weight simply adds up. */
  readonly group: Int32Array;
  readonly groupCount: number;
  /** The demographic comparisons' indices, and per level of each what it says about the veto (see demographicRoles). */
  readonly demographics: Int32Array;
  readonly roles: readonly (Uint8Array | null)[];
  /** The model's interaction terms by comparison index (see compileInteractions). */
  readonly interactions: CompiledInteractions;
  /** The level weights of a pair that compares nothing but household evidence (see householdAloneU), or null. */
  readonly householdAlone: CompiledHouseholdAlone | null;
}

/** The level weights a pair is scored with: those of household evidence alone when it compares no identifying field. */
export function pairWeights(compiled: CompiledWeights, levels: Uint8Array, offset: number): readonly Float64Array[] {
  const alone = compiled.householdAlone;
  return alone !== null && householdEvidenceAlone(alone.identifying, levels, offset) ? alone.weights : compiled.weights;
}

/**
 * Outright disagreements a veto needs: with the default demographic comparisons
 * (given name, birth date, sex), all three. Two were too few: on FEBRL (no sex
 * field) a duplicate often has both its given name and its birth date
 * corrupted beyond the fuzzy levels and is found by its id and address; a veto
 * on two lost 0.4% of FEBRL's true pairs (recall 1.0 -> 0.996).
 */
export const VETO_DISAGREEMENTS = 3;

/**
 * Whether the pair's demographic comparisons veto it (Comparison.demographic):
 * VETO_DISAGREEMENTS or more disagree outright and none agrees. The pair's level in comparison c is levels[offset + c].
 */
export function demographicVeto(compiled: CompiledWeights, levels: Uint8Array, offset: number): boolean {
  const { demographics, roles } = compiled;
  let disagreements = 0;
  for (let i = 0; i < demographics.length; i++) {
    const c = demographics[i];
    const role = roles[c]![levels[offset + c]];
    if (role === AGREES) return false;
    if (role === DISAGREES) disagreements++;
  }
  return disagreements >= VETO_DISAGREEMENTS;
}

/** Evidence group index of every comparison (-1: none), numbered in order of first appearance. */
function evidenceGroups(model: FellegiSunterModel): { group: Int32Array; groupCount: number } {
  const index = new Map<string, number>();
  const group = Int32Array.from(model.comparisons, (comparison) => {
    if (comparison.evidenceGroup === undefined) return -1;
    let g = index.get(comparison.evidenceGroup);
    if (g === undefined) index.set(comparison.evidenceGroup, (g = index.size));
    return g;
  });
  return { group, groupCount: index.size };
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
  const tfU = tfLevels.map((flags, c) => (flags === null ? null : tfReferenceU(model, c)));
  const demographics = Int32Array.from(model.comparisons.flatMap((comparison, c) => (comparison.demographic ? [c] : [])));
  const roles = model.comparisons.map((comparison, c) => (comparison.demographic ? demographicRoles(comparison, model.u[c]) : null));
  const weights = matchWeightTable(model);
  return {
    priorWeight: priorWeight(model),
    weights,
    tfLevels,
    tfU,
    tf: tfInputs,
    ...evidenceGroups(model),
    demographics,
    roles,
    interactions: compileInteractions(model),
    householdAlone: compileHouseholdAlone(model, weights),
  };
}

/**
 * `compiled` (a model's compileWeights) with other term-frequency inputs of the
 * same shape (each comparison with or without one, as compiled): nothing of
 * the model is compiled again.
 */
export function withTermFrequencies(compiled: CompiledWeights, tf: readonly (TermFrequencyInput | null)[]): CompiledWeights {
  if (tf.length !== compiled.tf.length || tf.some((input, c) => (input === null) !== (compiled.tf[c] === null))) {
    throw new Error('scoring: term-frequency inputs of another shape than the compiled weights');
  }
  return { ...compiled, tf };
}

/**
 * Per level of comparison c, the u that a term-frequency adjustment replaces by
 * the value's frequency. An exact level's own u: the chance that two random
 * records agree on some value, replaced by the chance that they agree on this
 * one. A fuzzy level (a nickname, one typo apart) takes the u of the
 * comparison's first tf-adjusted exact level, as Splink does: "jon" and "john"
 * are about as common a coincidence as "john" twice, so the level's weight
 * moves by how much commoner or rarer than usual the values are
 * (log2(u_exact / tf)), not by the fuzzy level's own u, which measures how
 * often any two names are that close.
 */
function tfReferenceU(model: FellegiSunterModel, c: number): Float64Array {
  const levels = model.comparisons[c].levels;
  const exact = levels.findIndex((level) => level.test.type === 'exact' && level.tfAdjustment);
  return Float64Array.from(model.u[c], (u, level) => (exact < 0 || levels[level].test.type === 'exact' ? u : model.u[c][exact]));
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
  return tfAdjustmentWeight(compiled.tfU[c]![level], pairFrequency(compiled.tf[c]!, left, right));
}

/**
 * The frequency a pair's term-frequency adjustment reads: the larger of its two
 * values' (agreeing on a rare value is stronger evidence than on a common one;
 * two values of a fuzzy level, the commoner). For a multi-valued comparison the
 * rarest value both records hold in any of their value columns (a match on any
 * value counts), else its first values'.
 */
export function pairFrequency(input: TermFrequencyInput, left: number, right: number): number {
  const { ids, tf, slots } = input;
  const first = Math.max(tf[ids[left]], tf[ids[right]]);
  if (slots === undefined || slots.length === 0) return first;
  let shared = Infinity;
  for (let a = -1; a < slots.length; a++) {
    const value = (a < 0 ? ids : slots[a])[left];
    if (value === 0) continue;
    for (let b = -1; b < slots.length; b++) if ((b < 0 ? ids : slots[b])[right] === value && tf[value] < shared) shared = tf[value];
  }
  return shared === Infinity ? first : shared;
}

/**
 * Match weight of every pair: prior weight + the level weight of each
 * comparison (of household evidence alone, see householdAloneU, when the pair
 * compares no identifying field) + term-frequency adjustments + the interaction terms of the joint
 * cells the pair is in (see InteractionTerm), except that of each evidence group
 * only the largest positive and the most negative weight count (see
 * `Comparison.evidenceGroup`), and that a pair its demographic comparisons veto
 * counts no positive weight of the others (see `Comparison.demographic`). One
 * Float64Array per chunk.
 */
export function scorePairs(options: ScorePairsOptions): Float64Array[] {
  const { chunks, vectors } = options;
  checkScoreInputs(options);
  const scorer = new PairScorer(options.model, options.tf, options.compiled);
  return chunks.map((chunk, i) => {
    const scores = new Float64Array(chunk.left.length);
    scorer.scoreRange(chunk, vectors[i], 0, chunk.left.length, scores);
    return scores;
  });
}

/** Throws unless there are vectors for every chunk, one level per pair and comparison of the model. */
export function checkScoreInputs({ model, chunks, vectors }: ScorePairsOptions): void {
  if (chunks.length !== vectors.length) {
    throw new Error(`scorePairs: ${chunks.length} pair chunks but ${vectors.length} comparison vector chunks`);
  }
  const width = model.comparisons.length;
  chunks.forEach((chunk, i) => {
    if (vectors[i].width !== width || vectors[i].levels.length !== chunk.left.length * width) {
      throw new Error(`scorePairs: vectors of chunk ${i} do not match its ${chunk.left.length} pairs and the model's ${width} comparisons`);
    }
  });
}

/**
 * The match weights of a model, compiled once, for scoring ranges of pairs:
 * scorePairs on this thread, and the comparison pool's workers on theirs, do
 * the same arithmetic through it.
 */
export class PairScorer {
  private readonly width: number;
  private readonly compiled: CompiledWeights;
  // Hoisted per comparison so the per-pair loop only indexes typed arrays.
  private readonly tfIds: readonly (Uint32Array | null)[];
  private readonly tfValues: readonly (Float64Array | null)[];
  /** Per comparison: whether its term frequencies span several value columns (see pairFrequency). */
  private readonly tfMulti: readonly boolean[];
  private readonly tfU: readonly (Float64Array | null)[];
  private readonly anyTf: boolean;
  private readonly strongest: Float64Array;
  private readonly weakest: Float64Array;

  /** `compiled`, when given, is compileWeights(model, tf) done already (see ScorePairsOptions.compiled). */
  constructor(
    model: FellegiSunterModel,
    tf?: readonly (TermFrequencyInput | null)[],
    compiled?: CompiledWeights,
  ) {
    this.width = model.comparisons.length;
    this.compiled = compiled ?? compileWeights(model, tf);
    this.tfIds = this.compiled.tf.map((input) => input?.ids ?? null);
    this.tfValues = this.compiled.tf.map((input) => input?.tf ?? null);
    this.tfMulti = this.compiled.tf.map((input) => (input?.slots?.length ?? 0) > 0);
    this.tfU = this.compiled.tfU;
    this.anyTf = this.compiled.tfLevels.some((flags) => flags !== null);
    this.strongest = new Float64Array(this.compiled.groupCount);
    this.weakest = new Float64Array(this.compiled.groupCount);
  }

  /**
   * Writes the match weights of pairs [start, end) of a chunk into scores[start, end).
   * The vectors must fit the chunk and the model (see checkScoreInputs).
   */
  scoreRange(chunk: PairChunk, vectors: ComparisonVectors, start: number, end: number, scores: Float64Array): void {
    const { width, anyTf, tfIds, tfValues, tfU, strongest, weakest } = this;
    const compiled = this.compiled;
    const { tfLevels, group, groupCount, priorWeight, roles } = compiled;
    const anyDemographic = compiled.demographics.length >= VETO_DISAGREEMENTS;
    const anyInteraction = compiled.interactions.weight.length > 0;
    const { levels } = vectors;
    const { left, right } = chunk;
    for (let k = start, offset = start * width; k < end; k++, offset += width) {
      let weight = priorWeight;
      const veto = anyDemographic && demographicVeto(compiled, levels, offset);
      const weights = pairWeights(compiled, levels, offset);
      if (groupCount > 0) {
        strongest.fill(0);
        weakest.fill(0);
      }
      for (let c = 0; c < width; c++) {
        const level = levels[offset + c];
        // Same arithmetic as explainPair, which must reproduce the score exactly.
        let term = weights[c][level];
        if (anyTf) {
          const flags = tfLevels[c];
          if (flags !== null && flags[level] !== 0) {
            const ids = tfIds[c]!;
            const tf = tfValues[c]!;
            const frequency = this.tfMulti[c] ? pairFrequency(compiled.tf[c]!, left[k], right[k]) : Math.max(tf[ids[left[k]]], tf[ids[right[k]]]);
            term += tfAdjustmentWeight(tfU[c]![level], frequency);
          }
        }
        if (veto && term > 0 && roles[c] === null) term = 0;
        const g = group[c];
        if (g < 0) weight += term;
        else if (term > strongest[g]) strongest[g] = term;
        else if (term < weakest[g]) weakest[g] = term;
      }
      for (let g = 0; g < groupCount; g++) weight += strongest[g] + weakest[g];
      if (anyInteraction) weight = addInteractions(compiled.interactions, levels, offset, weight);
      scores[k] = weight;
    }
  }
}
