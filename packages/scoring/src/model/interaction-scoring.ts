import { AGREES, demographicRoles } from './demographic-roles.js';
import type { FellegiSunterModel } from './model-types.js';

/**
 * A model's interaction terms by comparison index: term i adds weight[i] to a
 * pair whose comparison a[i] is at levelA[i] and b[i] at levelB[i], and each of
 * whose `disagreeing[i]` comparisons is present (not level 0) at a level not
 * flagged in its `agrees` row.
 */
export interface CompiledInteractions {
  readonly a: Int32Array;
  readonly b: Int32Array;
  readonly levelA: Uint8Array;
  readonly levelB: Uint8Array;
  readonly weight: Float64Array;
  readonly disagreeing: readonly (readonly { readonly c: number; readonly agrees: Uint8Array }[])[];
}

export function compileInteractions(model: FellegiSunterModel): CompiledInteractions {
  const terms = model.interactions ?? [];
  const index = (name: string) => {
    const c = model.comparisons.findIndex((comparison) => comparison.name === name);
    if (c < 0) throw new Error(`scoring: an interaction term names unknown comparison "${name}"`);
    return c;
  };
  return {
    a: Int32Array.from(terms, (term) => index(term.comparisons[0])),
    b: Int32Array.from(terms, (term) => index(term.comparisons[1])),
    levelA: Uint8Array.from(terms, (term) => term.levels[0]),
    levelB: Uint8Array.from(terms, (term) => term.levels[1]),
    weight: Float64Array.from(terms, (term) => term.weight),
    disagreeing: terms.map((term) =>
      term.disagreeing.map((name) => {
        const c = index(name);
        return { c, agrees: Uint8Array.from(demographicRoles(model.comparisons[c], model.u[c]), (role) => (role === AGREES ? 1 : 0)) };
      }),
    ),
  };
}

/** Whether the pair (its levels at offset) is in term i's cell. */
export function inInteractionCell(interactions: CompiledInteractions, i: number, levels: Uint8Array, offset: number): boolean {
  if (levels[offset + interactions.a[i]] !== interactions.levelA[i] || levels[offset + interactions.b[i]] !== interactions.levelB[i]) return false;
  for (const { c, agrees } of interactions.disagreeing[i]) {
    const level = levels[offset + c];
    if (level === 0 || agrees[level] !== 0) return false;
  }
  return true;
}

/** `weight` plus, one by one in order, the terms whose cell the pair is in: explainPair adds them in the same order. */
export function addInteractions(interactions: CompiledInteractions, levels: Uint8Array, offset: number, weight: number): number {
  for (let i = 0; i < interactions.weight.length; i++) if (inInteractionCell(interactions, i, levels, offset)) weight += interactions.weight[i];
  return weight;
}
