import type { PatternCounts } from '../types.js';
import { MIN_PROBABILITY, copyTable, floorAndNormalise } from './probabilities.js';

export interface ExpectationMaximisationOptions {
  readonly patterns: PatternCounts;
  /** Starting m per comparison and level. */
  readonly m: readonly (readonly number[])[];
  /** u per comparison and level, held fixed (estimated on random pairs). */
  readonly u: readonly (readonly number[])[];
  /** Starting share of matches among the pairs. */
  readonly lambda: number;
  /**
   * Comparisons that take part. Inactive ones (those on the columns of the
   * session's blocking rule, whose agreement the rule forced) are left out of
   * the likelihood and their m is returned unchanged.
   */
  readonly active: readonly boolean[];
  /** Active comparisons whose m is known (fixed by the user): they inform the posterior but are not re-estimated. */
  readonly frozen?: readonly boolean[];
  /**
   * Active comparisons whose agreement does not shape the posterior: their m is
   * re-estimated from the match probabilities the other active comparisons give.
   * For evidence that is shared by related non-matches (a household's address
   * and phone): let its agreement vote and EM learns "same household" as the
   * match class. Their disagreement does vote, the strongest one alone (as
   * scoring counts one evidence group): without it, a session's non-matches that
   * its person fields cannot tell from matches (different people sharing a given
   * name and birth date, whose family names differ) each keep a few percent of
   * match probability whatever their phones and addresses say, and that mass
   * becomes m of the household comparisons' disagreement. Such pairs grow with
   * the population (a third of a session's pairs at 1M records), so m(phone
   * differs | match) rose from 0.05 at 1M records to 0.09 at 3M (0.0001 with the
   * truth) and a different phone weighed ever less.
   */
  readonly passive?: readonly boolean[];
  /** Keep lambda at its starting value. */
  readonly fixedLambda?: boolean;
  /** Default DEFAULT_MAX_ITERATIONS. */
  readonly maxIterations?: number;
  /** Converged when the largest change of any m or lambda is below this. Default 1e-4. */
  readonly tolerance?: number;
}

export interface ExpectationMaximisationResult {
  readonly m: number[][];
  readonly lambda: number;
  readonly iterations: number;
  readonly converged: boolean;
  /** Largest change of any m or lambda at the last iteration. */
  readonly finalChange: number;
}

/**
 * Most EM iterations per session unless the settings say otherwise. EM here runs
 * on distinct patterns (a few thousand at most), so an iteration costs well under
 * a millisecond; 25 left sessions dense with matches (lambda ~0.99, many records a
 * person) unconverged, their last change 2e-4 to 2e-3, and they settled within 115
 * (figures in docs/decisions/training-defaults.md).
 */
export const DEFAULT_MAX_ITERATIONS = 200;

/** Keeps lambda strictly inside (0, 1) so the log-odds stay finite. */
const LAMBDA_FLOOR = 1e-12;

/**
 * Fellegi-Sunter EM with u fixed: alternately computes each pattern's match
 * probability (E step) and re-estimates lambda and the m of active comparisons
 * from the expected match counts (M step). Works on distinct patterns weighted
 * by their counts, so the cost follows the number of patterns, not pairs. Null
 * levels contribute nothing to either step.
 */
export function expectationMaximisation(options: ExpectationMaximisationOptions): ExpectationMaximisationResult {
  const { patterns: patternCounts, active } = options;
  const { patterns, counts } = patternCounts;
  const width = options.m.length;
  const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  const tolerance = options.tolerance ?? 1e-4;
  const frozen = options.frozen ?? [];
  const passive = options.passive ?? [];
  // No pattern (no pair, as when blocking finds none) says nothing of the width:
  // countPatterns cannot read it off vectors that do not exist, and reports 0.
  if ((counts.length > 0 && patternCounts.width !== width) || options.u.length !== width || active.length !== width) {
    throw new Error(`expectationMaximisation: patterns have width ${patternCounts.width} but m, u, active have ${width}, ${options.u.length}, ${active.length} comparisons`);
  }
  const patternTotal = counts.length;
  // Every (comparison, level) gets a slot in flat tables; slot 0 is a constant 0
  // (the Bayes-factor table) or a dump (the match counts), and pattern cells that
  // must not count point there. Each pattern cell's slot is looked up once, so
  // both EM steps are branch-free scans of typed arrays (arrays of per-comparison
  // arrays measured ~30x slower here: 180 ms for 11 sessions of 1,000 patterns).
  const levelStart = new Int32Array(width + 1);
  levelStart[0] = 1;
  for (let c = 0; c < width; c++) levelStart[c + 1] = levelStart[c] + options.m[c].length;
  const slots = levelStart[width];
  const m = copyTable(options.m);
  const logU = options.u.map((row) => row.map((value) => Math.log(Math.max(value, MIN_PROBABILITY))));
  const updated = m.map((_, c) => active[c] && !frozen[c]);
  const levelCount = Int32Array.from(options.m, (row, c) => Math.min(row.length, options.u[c].length));
  const bayesStart = Int32Array.from(levelStart.subarray(0, width), (start, c) => (active[c] && !passive[c] ? start : 0));
  const countStart = Int32Array.from(levelStart.subarray(0, width), (start, c) => (updated[c] ? start : 0));
  const bayesSlot = patternSlots(patterns, width, levelCount, bayesStart, true);
  const passiveStart = Int32Array.from(levelStart.subarray(0, width), (start, c) => (active[c] && passive[c] ? start : 0));
  const passiveSlot = passive.some(Boolean) ? patternSlots(patterns, width, levelCount, passiveStart, true) : undefined;
  const countSlot = patternSlots(patterns, width, levelCount, countStart, false);
  // A starting m of 0 would pin the level's posterior at 0 for good.
  for (let c = 0; c < width; c++) if (updated[c]) floorAndNormalise(m[c]);
  let lambda = clampLambda(options.lambda);
  const pairTotal = sum(counts);
  if (pairTotal === 0) return { m, lambda, iterations: 0, converged: true, finalChange: 0 };

  // logBayes[p] = log( P(pattern | match) / P(pattern | non-match) ) over active comparisons.
  const logBayes = new Float64Array(patternTotal);
  const logRatio = new Float64Array(slots);
  const computeLogBayes = (): void => {
    for (let c = 0; c < width; c++) {
      for (let level = 1; level < m[c].length; level++) logRatio[levelStart[c] + level] = Math.log(m[c][level]) - logU[c][level];
    }
    sumSlots(logRatio, bayesSlot, width, logBayes);
    if (passiveSlot) addStrongestDisagreement(logRatio, passiveSlot, width, logBayes);
  };
  const expectedMatches = new Float64Array(patternTotal);
  const matchCounts = new Float64Array(slots);
  const anyUpdated = updated.some(Boolean);
  let iterations = 0;
  let converged = false;
  let finalChange = Infinity;
  while (iterations < maxIterations) {
    iterations++;
    // With every m fixed (lambda-only EM) the Bayes factors never change.
    if (iterations === 1 || anyUpdated) computeLogBayes();

    const matchTotal = expectationStep(Math.log(lambda / (1 - lambda)), logBayes, counts, expectedMatches);

    // M step.
    let change = 0;
    if (!options.fixedLambda) {
      const next = clampLambda(matchTotal / pairTotal);
      change = Math.abs(next - lambda);
      lambda = next;
    }
    if (anyUpdated) addToSlots(expectedMatches, countSlot, width, matchCounts.fill(0));
    for (let c = 0; c < width; c++) {
      if (!updated[c]) continue;
      const row = matchCounts.subarray(levelStart[c], levelStart[c + 1]);
      let nonNull = 0;
      for (let level = 1; level < row.length; level++) nonNull += row[level];
      // No expected match ever compared on this column: nothing to learn, keep m.
      if (nonNull <= 0) continue;
      // Laplace smoothing: one pseudo-observation per level, so a level EM never saw
      // among matches (a day/month transposition in a small file) gets m ~ 1/matches
      // rather than the floor, and its weight stays on the scale the data supports.
      const smoothedTotal = nonNull + M_PSEUDO_COUNT * (row.length - 1);
      const next = floorAndNormalise(Array.from(row, (value) => (value + M_PSEUDO_COUNT) / smoothedTotal));
      for (let level = 1; level < next.length; level++) change = Math.max(change, Math.abs(next[level] - m[c][level]));
      m[c] = next;
    }
    finalChange = change;
    if (change < tolerance) {
      converged = true;
      break;
    }
  }
  return { m, lambda, iterations, converged, finalChange };
}

// The loops over patterns live in small functions of their own. Written inline,
// V8 compiled the whole of expectationMaximisation on-stack from its first loop,
// before the later loops had run, and that code bailed out on every later call
// (13 calls per FEBRL4 training): trainModel ran 60-100 ms cold against 8 warm.

/**
 * Per pattern cell, its comparison's slot for its level (start[c] + level), or
 * slot 0 where start[c] is 0, or (when `nullToZero`) the level is null.
 */
function patternSlots(patterns: Uint8Array, width: number, levelCount: Int32Array, start: Int32Array, nullToZero: boolean): Int32Array {
  const slots = new Int32Array(patterns.length);
  for (let k = 0; k < patterns.length; k++) {
    const c = k % width;
    const level = patterns[k];
    if (level >= levelCount[c]) throw new Error(`expectationMaximisation: level ${level} out of range for comparison ${c}`);
    slots[k] = start[c] === 0 || (nullToZero && level === 0) ? 0 : start[c] + level;
  }
  return slots;
}

function sum(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  return total;
}

/** out[p] = sum over the pattern's cells of table[slot]. */
function sumSlots(table: Float64Array, slots: Int32Array, width: number, out: Float64Array): void {
  for (let p = 0, offset = 0; p < out.length; p++, offset += width) {
    let total = 0;
    for (let c = 0; c < width; c++) total += table[slots[offset + c]];
    out[p] = total;
  }
}

/** out[p] += the most negative table[slot] over the pattern's cells, when any is negative (slot 0 holds 0). */
function addStrongestDisagreement(table: Float64Array, slots: Int32Array, width: number, out: Float64Array): void {
  for (let p = 0, offset = 0; p < out.length; p++, offset += width) {
    let strongest = 0;
    for (let c = 0; c < width; c++) strongest = Math.min(strongest, table[slots[offset + c]]);
    out[p] += strongest;
  }
}

/** table[slot] += weights[p] for every cell of pattern p. */
function addToSlots(weights: Float64Array, slots: Int32Array, width: number, table: Float64Array): void {
  for (let p = 0, offset = 0; p < weights.length; p++, offset += width) {
    const weight = weights[p];
    for (let c = 0; c < width; c++) table[slots[offset + c]] += weight;
  }
}

/** E step: each pattern's expected matches (posterior match probability, a logistic of the log-odds, times its count); returns their sum. */
function expectationStep(priorLogOdds: number, logBayes: Float64Array, counts: ArrayLike<number>, expectedMatches: Float64Array): number {
  let matchTotal = 0;
  for (let p = 0; p < logBayes.length; p++) {
    const logOdds = priorLogOdds + logBayes[p];
    const posterior = logOdds >= 0 ? 1 / (1 + Math.exp(-logOdds)) : Math.exp(logOdds) / (1 + Math.exp(logOdds));
    expectedMatches[p] = posterior * counts[p];
    matchTotal += expectedMatches[p];
  }
  return matchTotal;
}

/** Pseudo-observations added to every non-null level of m in each M step. */
export const M_PSEUDO_COUNT = 1;

function clampLambda(lambda: number): number {
  if (!Number.isFinite(lambda)) throw new Error('expectationMaximisation: lambda must be a finite number');
  return Math.min(1 - LAMBDA_FLOOR, Math.max(LAMBDA_FLOOR, lambda));
}
