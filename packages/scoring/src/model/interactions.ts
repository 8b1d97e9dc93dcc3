import type { Comparison, PatternCounts } from '../types.js';
import { AGREES, demographicRoles, WEAK_AGREEMENT_U } from './demographic-roles.js';
import type { InteractionTerm } from './model-types.js';

/**
 * How far above what independence predicts the non-matches of a joint cell must
 * be before it gets a term: three standard deviations of a Poisson count of the
 * predicted size, and at least MIN_EXCESS_PAIRS pairs. Below that the excess is
 * within sampling noise (and a cell the data cannot measure stays independent).
 */
const EXCESS_SIGMAS = 3;
const MIN_EXCESS_PAIRS = 5;

/** What estimating the interaction terms needs: the trained parameters and the candidate pairs. */
export interface InteractionEstimateInput {
  readonly comparisons: readonly Comparison[];
  readonly m: readonly (readonly number[])[];
  readonly u: readonly (readonly number[])[];
  /** Patterns of the candidate pairs (all of them or an evenly drawn sample). */
  readonly candidatePatterns: PatternCounts;
  readonly candidateCount: number;
  /** Pairs of the comparison space. */
  readonly totalPairs: number;
  /** The model's prior (matches in the space = prior x totalPairs). */
  readonly prior: number;
  /** Pairs of comparisons whose joint exact cell lies wholly among the candidate pairs (see TrainModelOptions.interactionCells). */
  readonly cells: readonly (readonly [number, number])[];
}

/** The first exact level of a comparison, or -1. */
export function exactLevel(comparison: Comparison): number {
  return comparison.levels.findIndex((level) => level.test.type === 'exact');
}

/**
 * Interaction terms for joint "both exact" cells of two comparisons.
 *
 * Fellegi-Sunter adds the weights of the comparisons as if they were independent
 * given match status. Among different people some are not: twins share a family
 * name and a birth date far more often than the product of the two agreement
 * rates (u_a x u_b) predicts, and differ on the given name. The term's cell is
 * therefore the pairs exact on both whose other demographic comparisons (those
 * with an agreeing level: the given name for family name and birth date) are
 * present and do not agree.
 *
 * Its non-matches are counted where all of them are: among the candidate pairs,
 * when a blocking rule on (at most) the cell's two columns put every pair exact
 * on both among them. The cell's pairs less the matches the model expects there
 * (its matches x m_a x m_b x the chance a match's other demographics do not
 * agree) are its non-matches; independence predicts (space - matches) x u_a x
 * u_b x the chance a non-match's do not. When the observed non-matches exceed
 * the prediction beyond noise, the cell's Bayes factor is divided by their
 * ratio: term = -log2(observed / predicted). (The share of pairs with the other
 * demographics present, the same for matches and non-matches, is read off the
 * cell's candidates.)
 *
 * Why this cell and this count: over the whole cell, the term (with u without the matches, -5.9 bits on the
 * default population at 2,000 people) came off every true match agreeing on the
 * given name too, and recall fell (0.9989 -> 0.9973); estimating the cell's
 * non-matches by EM on its pairs, with household evidence passive, called 38 true
 * matches of heavy-corruption (given name corrupted, 22 twins beside them) non-
 * matches and put all 38 below 0.5. The matches the model expects in the
 * narrowed cell are few (default population: 3 of 49), so subtracting them is
 * well conditioned.
 *
 * Only lowering terms: fewer non-matches than predicted would raise the weight of
 * agreements the model already trusts, which is over-confidence, and the excess of
 * relatives is what the term is for. A cell with no other demographic comparison
 * to narrow it is left independent (the matches would be most of it).
 */
export function estimateInteractions(input: InteractionEstimateInput): InteractionTerm[] {
  const { comparisons, candidatePatterns, m, u } = input;
  const { counts } = candidatePatterns;
  if (counts.length === 0 || !(input.totalPairs > 0)) return [];
  let sampled = 0;
  for (let p = 0; p < counts.length; p++) sampled += counts[p];
  // Patterns may be counted on a sample of the candidates: scale counts back up.
  const scale = sampled > 0 ? input.candidateCount / sampled : 0;
  const matches = input.totalPairs * input.prior;
  const nonMatchSpace = input.totalPairs - matches;
  const agreeing = comparisons.map((comparison, c) => Uint8Array.from(demographicRoles(comparison, u[c]), (role) => (role === AGREES ? 1 : 0)));
  /** The chance that comparison c does not agree, given it is present, under probabilities p (m or u). */
  const notAgreeing = (c: number, p: readonly number[]) => 1 - p.reduce((sum, value, level) => sum + (level > 0 && agreeing[c][level] ? value : 0), 0);
  const terms: InteractionTerm[] = [];
  for (const [a, b] of input.cells) {
    const levelA = exactLevel(comparisons[a]);
    const levelB = exactLevel(comparisons[b]);
    // Both agreements must say who the person is (u below WEAK_AGREEMENT_U, as for the
    // demographic veto): sex agrees for half of all pairs. Its cell with the birth date
    // showed an "excess" only where u of the birth date was too low (heavy-corruption at
    // 10,000 people: predicted 1,094 non-matches, about 2,400 with the truth).
    if (levelA < 0 || levelB < 0 || !(u[a][levelA] < WEAK_AGREEMENT_U && u[b][levelB] < WEAK_AGREEMENT_U)) continue;
    const others = comparisons.flatMap((comparison, c) => (comparison.demographic && c !== a && c !== b && agreeing[c].includes(1) ? [c] : []));
    if (others.length === 0) continue;
    let cellPairs = 0;
    let present = 0;
    let disagreeing = 0;
    forEachPattern(candidatePatterns, (pattern, count) => {
      if (pattern[a] !== levelA || pattern[b] !== levelB) return;
      cellPairs += count;
      if (others.some((c) => pattern[c] === 0)) return;
      present += count;
      if (others.every((c) => agreeing[c][pattern[c]] === 0)) disagreeing += count;
    });
    if (present === 0) continue;
    const presentShare = present / cellPairs;
    let expectedMatches = matches * m[a][levelA] * m[b][levelB] * presentShare;
    let predicted = nonMatchSpace * u[a][levelA] * u[b][levelB] * presentShare;
    for (const c of others) {
      expectedMatches *= notAgreeing(c, m[c]);
      predicted *= notAgreeing(c, u[c]);
    }
    const nonMatches = disagreeing * scale - expectedMatches;
    if (nonMatches - predicted < Math.max(MIN_EXCESS_PAIRS, EXCESS_SIGMAS * Math.sqrt(predicted))) continue;
    terms.push({
      comparisons: [comparisons[a].name, comparisons[b].name],
      levels: [levelA, levelB],
      disagreeing: others.map((c) => comparisons[c].name),
      weight: -Math.log2(nonMatches / predicted),
      nonMatches,
      predictedNonMatches: predicted,
    });
  }
  return terms;
}

/** Calls visit with each candidate pattern (its levels) and its pair count. */
function forEachPattern({ width, patterns, counts }: PatternCounts, visit: (pattern: Uint8Array, count: number) => void): void {
  for (let p = 0; p < counts.length; p++) if (counts[p] > 0) visit(patterns.subarray(p * width, (p + 1) * width), counts[p]);
}
