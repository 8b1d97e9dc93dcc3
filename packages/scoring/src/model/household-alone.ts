import type { Comparison } from '../types.js';
import { WEAK_AGREEMENT_U } from './demographic-roles.js';
import { levelWeight } from './match-weights.js';
import type { FellegiSunterModel } from './model-types.js';

/**
 * u of a household comparison's levels with the matches taken out:
 * `(u - prior x m) / (1 - prior)` per level, at least `floor` (half a sampled
 * pair) and at most the measured u. u is measured on random pairs, matches
 * included, so what it measures is `(1 - prior) x u + prior x m`: with ~1.7
 * records a person, prior x m of an exact phone (3e-4) is as large as the
 * households and coincidences u is about (measured with the truth on the
 * placeholder regimes: exact phone 6.4e-4 learnt, 3.4e-4 among the non-matches).
 *
 * Scoring uses this u only where a pair compares nothing but household evidence
 * (see identifyingComparisons). Taken out everywhere (measured twice, branches
 * `calibration` and `calibration2`, docs/decisions/interaction-terms.md) it cost
 * the default population and heavy-corruption: where a pair also agrees on a
 * name, the measured u's excess was standing in for the dependence between names
 * and household evidence among relatives (a namesake in the household). A pair
 * with no name, birth date or identifier to compare (a placeholder name, an
 * unknown patient) has no such dependence to make up for, and its household
 * agreement is its only evidence: there the measured u makes it under-confident.
 * Term-frequency adjusted levels keep u (their value's frequency replaces it).
 */
export function householdAloneU(comparison: Comparison, u: readonly number[], m: readonly number[], prior: number, floor: number): number[] {
  return u.map((measured, level) => {
    if (level === 0 || comparison.levels[level].tfAdjustment) return measured;
    return Math.min(measured, Math.max(floor, (measured - prior * m[level]) / (1 - prior)));
  });
}

/**
 * The comparisons whose presence on a pair keeps it from being "household
 * evidence alone": every comparison without a householdAloneU row whose first
 * agreeing level says who the person is (u below WEAK_AGREEMENT_U: names, birth
 * date, identifiers; not sex, which half of all random pairs share).
 */
export function identifyingComparisons(model: FellegiSunterModel): Int32Array {
  const rows = model.householdAloneU;
  return Int32Array.from(model.comparisons.flatMap((_, c) => (rows?.[c] == null && model.u[c][1] < WEAK_AGREEMENT_U ? [c] : [])));
}

/** What scoring needs to weigh household evidence alone: the identifying comparisons, and per comparison its level weights for such a pair. */
export interface CompiledHouseholdAlone {
  readonly identifying: Int32Array;
  readonly weights: readonly Float64Array[];
}

/**
 * The weights of a pair that compares nothing but household evidence: log2(m /
 * householdAloneU) for the comparisons with a row (tf-adjusted levels as
 * usual), the usual `weights` for the others. Null when the model has no row.
 */
export function compileHouseholdAlone(model: FellegiSunterModel, weights: readonly Float64Array[]): CompiledHouseholdAlone | null {
  const rows = model.householdAloneU;
  if (rows === undefined || rows.every((row) => row == null)) return null;
  return {
    identifying: identifyingComparisons(model),
    weights: weights.map((usual, c) => {
      const row = rows[c];
      if (row == null) return usual;
      return Float64Array.from(usual, (weight, level) =>
        level === 0 || model.comparisons[c].levels[level].tfAdjustment ? weight : levelWeight(model.m[c][level], row[level]),
      );
    }),
  };
}

/** Whether the pair (levels[offset + c] per comparison c) compares none of the identifying comparisons. */
export function householdEvidenceAlone(identifying: Int32Array, levels: Uint8Array, offset: number): boolean {
  for (let i = 0; i < identifying.length; i++) if (levels[offset + identifying[i]] !== 0) return false;
  return true;
}
