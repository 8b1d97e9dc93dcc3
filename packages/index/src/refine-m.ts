// Reviewers' "match" decisions as labelled pairs to refine m, the probability
// of each comparison level given a match. u stays as trained (from random
// pairs, where decisions say nothing new). Each comparison's m is the
// posterior mean of a Dirichlet prior centred on the current m, with one
// pseudo-pair per non-null level: a handful of decisions moves m a little,
// many decisions move it to what they show, and no level's m becomes 0 (a
// level a few labels happen to miss keeps a finite weight).
import type { FellegiSunterModel } from '@mpi/scoring';

/** How many labelled pairs a comparison's m was refined from, and its m before and after. */
export interface RefinedComparison {
  readonly name: string;
  /** Labelled pairs with a non-null level of this comparison. */
  readonly pairs: number;
  readonly before: readonly number[];
  readonly after: readonly number[];
}

/**
 * The model with m re-estimated from the comparison levels of labelled
 * matching pairs (`levels[p][c]`: pair p's level of comparison c, 0 the null
 * level). Comparisons whose m the settings fixed keep it.
 */
export function refinedM(model: FellegiSunterModel, levels: readonly Uint8Array[]): { model: FellegiSunterModel; comparisons: RefinedComparison[] } {
  const fixed = new Set(model.training.fixedM ?? []);
  const comparisons: RefinedComparison[] = [];
  const m = model.m.map((before, c) => {
    const name = model.comparisons[c].name;
    const counts = new Array<number>(before.length).fill(0);
    for (const pair of levels) counts[pair[c]]++;
    const pairs = counts.reduce((sum, n, level) => (level === 0 ? sum : sum + n), 0);
    if (fixed.has(name) || pairs === 0) {
      comparisons.push({ name, pairs, before, after: before });
      return [...before];
    }
    // Level 0 is the null level: m = 1, no weight, not part of the distribution.
    const prior = before.length - 1;
    const after = before.map((mOld, level) => (level === 0 ? mOld : (counts[level] + prior * mOld) / (pairs + prior)));
    comparisons.push({ name, pairs, before, after });
    return after;
  });
  return { model: { ...model, m }, comparisons };
}
