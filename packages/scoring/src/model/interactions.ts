import type { Comparison, PatternCounts } from '../types.js';
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
    const cell = cellPatterns(candidatePatterns, a, levelA, b, levelB);
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
    const predicted = nonMatchSpace * input.u[a][levelA] * input.u[b][levelB];
    if (nonMatches - predicted < Math.max(MIN_EXCESS_PAIRS, EXCESS_SIGMAS * Math.sqrt(predicted))) continue;
    terms.push({
      comparisons: [comparisons[a].name, comparisons[b].name],
      levels: [levelA, levelB],
      weight: -Math.log2(nonMatches / predicted),
      nonMatches,
      predictedNonMatches: predicted,
    });
  }
  return terms;
}

/** The candidate patterns where comparison a is at levelA and b at levelB, and their pair count. */
function cellPatterns(all: PatternCounts, a: number, levelA: number, b: number, levelB: number): { patterns: PatternCounts; total: number } {
  const { width, patterns, counts } = all;
  const kept: number[] = [];
  let total = 0;
  for (let p = 0; p < counts.length; p++) {
    if (patterns[p * width + a] === levelA && patterns[p * width + b] === levelB && counts[p] > 0) {
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
