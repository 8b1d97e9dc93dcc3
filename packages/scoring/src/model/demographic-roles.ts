import type { Comparison } from '../types.js';

/** An agreement at least this share of random pairs show (sex: ~0.5) says nothing about who the person is. */
export const WEAK_AGREEMENT_U = 0.1;

/** Roles of a demographic comparison's levels: no bearing, outright disagreement (`else`), agreement. */
export const NEUTRAL = 0;
export const DISAGREES = 1;
export const AGREES = 2;

/** Per level of a demographic comparison: DISAGREES for `else`, AGREES where u < WEAK_AGREEMENT_U, else NEUTRAL (missing, weak agreement). */
export function demographicRoles(comparison: Comparison, u: readonly number[]): Uint8Array {
  const last = comparison.levels.length - 1;
  return Uint8Array.from(comparison.levels, (_, level) => {
    if (level === 0) return NEUTRAL;
    if (level === last) return DISAGREES;
    return u[level] < WEAK_AGREEMENT_U ? AGREES : NEUTRAL;
  });
}
