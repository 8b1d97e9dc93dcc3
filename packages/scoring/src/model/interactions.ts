import type { Comparison, PatternCounts } from '../types.js';
import { AGREES, demographicRoles } from './demographic-roles.js';
import { expectationMaximisation } from './expectation-maximisation.js';
import type { InteractionTerm } from './model-types.js';

/**
 * How far above what independence predicts the non-matches of a joint cell must
 * be before it gets a term: three standard deviations of a Poisson count of the
 * predicted size, and at least MIN_EXCESS_PAIRS pairs. Below that the excess is
 * within sampling noise (and a cell the data cannot measure stays independent).
 */
const EXCESS_SIGMAS = 3;
const MIN_EXCESS_PAIRS = 5;
/** Lambda-only EM on a cell's patterns: cheap (patterns only), converges linearly. */
const CELL_EM_MAX_ITERATIONS = 500;

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
  /** Per comparison: household evidence (see TrainModelOptions.household); it follows the cell's posterior without shaping it. */
  readonly household?: readonly boolean[];
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
 * name and a birth date, relatives a family name and an address, far more often
 * than the product of the two agreement rates (u_a x u_b) predicts. A cell's
 * non-matches are counted where all of them are: among the candidate pairs, when
 * a blocking rule on (at most) the cell's two columns put every pair that agrees
 * exactly on both among them. Lambda-only EM on the cell's patterns, with every
 * other comparison's m and u as trained (the cell's two comparisons left out,
 * household evidence passive), splits the cell into matches and non-matches;
 * independence predicts (space - matches) x u_a x u_b non-matches. When the
 * observed non-matches exceed that beyond noise, the cell's Bayes factor is
 * divided by their ratio: term = -log2(observed / predicted), added to every pair
 * in the cell (matches among them are taken as independent, m_ab = m_a x m_b).
 *
 * The cell is taken where no other demographic comparison agrees (given name,
 * for family name and birth date): relatives differ there, and a pair that
 * agrees on the given name as well is a match far more often than the pairwise
 * cell says. Taken over the whole cell, the term (-5.9 bits on the default
 * population at 2,000 people) came off every true match that agreed on the
 * three, and recall fell (0.9989 -> 0.9973).
 *
 * Only lowering terms: fewer non-matches than predicted would raise the weight of
 * agreements the model already trusts, which is over-confidence, and the excess of
 * relatives is what the term is for.
 */
export function estimateInteractions(input: InteractionEstimateInput): InteractionTerm[] {
  const { comparisons, candidatePatterns } = input;
  const { counts } = candidatePatterns;
  if (counts.length === 0 || !(input.totalPairs > 0)) return [];
  let sampled = 0;
  for (let p = 0; p < counts.length; p++) sampled += counts[p];
  // Patterns may be counted on a sample of the candidates: scale counts back up.
  const scale = sampled > 0 ? input.candidateCount / sampled : 0;
  const nonMatchSpace = input.totalPairs * (1 - input.prior);
  const terms: InteractionTerm[] = [];
  for (const [a, b] of input.cells) {
    const levelA = exactLevel(comparisons[a]);
    const levelB = exactLevel(comparisons[b]);
    if (levelA < 0 || levelB < 0) continue;
    // The other demographic comparisons: relatives differ on them, so the cell is taken where none agrees.
    const unless = comparisons.flatMap((comparison, c) => (comparison.demographic && c !== a && c !== b ? [c] : []));
    const agrees = unless.map((c) => Uint8Array.from(demographicRoles(comparisons[c], input.u[c]), (role) => (role === AGREES ? 1 : 0)));
    const cell = cellPatterns(candidatePatterns, (pattern) => {
      if (pattern[a] !== levelA || pattern[b] !== levelB) return false;
      return unless.every((c, i) => agrees[i][pattern[c]] === 0);
    });
    const pairs = cell.total * scale;
    if (pairs === 0) continue;
    const active = comparisons.map((_, c) => c !== a && c !== b);
    const household = input.household ?? [];
    // With no other person evidence EM cannot split the cell: it stays independent.
    if (!active.some((isActive, c) => isActive && !household[c])) continue;
    const em = expectationMaximisation({
      patterns: cell.patterns,
      m: input.m,
      u: input.u,
      lambda: 0.5,
      active,
      frozen: comparisons.map(() => true),
      passive: household,
      maxIterations: CELL_EM_MAX_ITERATIONS,
      tolerance: 1e-6,
    });
    const nonMatches = (1 - em.lambda) * pairs;
    // Independence: each of a, b agrees exactly and no other demographic comparison agrees.
    let predicted = nonMatchSpace * input.u[a][levelA] * input.u[b][levelB];
    unless.forEach((c, i) => (predicted *= 1 - input.u[c].reduce((sum, value, level) => sum + (agrees[i][level] ? value : 0), 0)));
    if (nonMatches - predicted < Math.max(MIN_EXCESS_PAIRS, EXCESS_SIGMAS * Math.sqrt(predicted))) continue;
    terms.push({
      comparisons: [comparisons[a].name, comparisons[b].name],
      levels: [levelA, levelB],
      ...(unless.length > 0 ? { unlessAgreeing: unless.map((c) => comparisons[c].name) } : {}),
      weight: -Math.log2(nonMatches / predicted),
      nonMatches,
      predictedNonMatches: predicted,
    });
  }
  return terms;
}

/** The candidate patterns `inCell` keeps, and their pair count. */
function cellPatterns(all: PatternCounts, inCell: (pattern: Uint8Array) => boolean): { patterns: PatternCounts; total: number } {
  const { width, patterns, counts } = all;
  const kept: number[] = [];
  let total = 0;
  for (let p = 0; p < counts.length; p++) {
    if (counts[p] > 0 && inCell(patterns.subarray(p * width, (p + 1) * width))) {
      kept.push(p);
      total += counts[p];
    }
  }
  const cellPatterns = new Uint8Array(kept.length * width);
  const cellCounts = new Float64Array(kept.length);
  kept.forEach((p, i) => {
    cellPatterns.set(patterns.subarray(p * width, (p + 1) * width), i * width);
    cellCounts[i] = counts[p];
  });
  return { patterns: { width, patterns: cellPatterns, counts: cellCounts }, total };
}
