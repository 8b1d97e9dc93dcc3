import type { Comparison, PatternCounts } from '../types.js';
import { expectationMaximisation, type ExpectationMaximisationOptions, type ExpectationMaximisationResult } from './expectation-maximisation.js';
import { DEFAULT_M_PSEUDO_MATCHES, DEFAULT_U_PSEUDO_PAIRS } from './default-parameters.js';
import type { FellegiSunterModel, TrainModelOptions, TrainingSessionSummary, TrainingWarning } from './model-types.js';
import { estimateInteractions } from './interactions.js';
import { householdAloneU } from './household-alone.js';
import { copyTable, floorAndNormalise } from './probabilities.js';

/** Starting share of matches among a training session's pairs; EM moves it quickly. */
const STARTING_SESSION_LAMBDA = 0.1;
/** The prior is kept strictly inside (0, 1) so the prior weight stays finite. */
const PRIOR_FLOOR = 1e-12;
/** Lambda-only EM is cheap (patterns only) but converges linearly: allow more steps. */
const LAMBDA_ONLY_MAX_ITERATIONS = 500;

/**
 * Starting m for a comparison: most matches agree at the first (strictest)
 * non-null level (0.9); the remaining 0.1 halves level by level down to `else`.
 */
export function defaultStartingM(comparison: Comparison): number[] {
  const levels = comparison.levels.length;
  const m = new Array<number>(levels).fill(0);
  m[0] = 1;
  if (levels === 2) {
    m[1] = 1;
    return m;
  }
  m[1] = 0.9;
  let share = 0;
  for (let level = 2; level < levels; level++) share += 2 ** -(level - 2);
  for (let level = 2; level < levels; level++) m[level] = (0.1 * 2 ** -(level - 2)) / share;
  return m;
}

/**
 * Trains a Fellegi-Sunter model Splink-style: u comes from random pairs (fixed
 * here), m from one EM session per training blocking rule, and the prior from
 * the candidate pairs.
 *
 * A session's pairs all agree on the rule's columns, so the comparisons of those
 * columns tell nothing there: each session estimates m only for the other
 * comparisons, and a comparison's m is the median over the sessions that
 * estimated it. Parameters given in `fixed` are used as given and never
 * re-estimated. Last, the interaction terms of `interactionCells` (see
 * estimateInteractions).
 */
export function trainModel(options: TrainModelOptions): FellegiSunterModel {
  const { comparisons, sessions, fixed = {}, em = {} } = options;
  const width = comparisons.length;
  checkTable('u', options.u, comparisons, false);
  if (fixed.m) checkTable('fixed.m', fixed.m, comparisons, true);
  if (fixed.u) checkTable('fixed.u', fixed.u, comparisons, true);
  if (fixed.prior !== undefined && !(fixed.prior > 0 && fixed.prior < 1)) {
    throw new Error('trainModel: fixed.prior must be strictly between 0 and 1');
  }
  if (!(options.candidateCount >= 0) || !(options.totalPairs >= 0)) {
    throw new Error('trainModel: candidateCount and totalPairs must be non-negative numbers');
  }

  const frozen = comparisons.map((_, c) => fixed.m?.[c] != null);
  // The documented defaults (default-parameters.ts) start EM where a typical
  // population ends: from the generic start, sessions dense with matches took up
  // to 115 iterations to settle.
  const defaults = comparisons.map((_, c) => options.defaults?.[c]);
  const startingM = comparisons.map((comparison, c) => {
    const given = fixed.m?.[c];
    return given ? given.slice() : (defaults[c]?.m.slice() ?? defaultStartingM(comparison));
  });
  // Random pairs behind u: the sample, or the whole space when smaller.
  const uPairs = Math.min(options.uSampleSize ?? Infinity, options.totalPairs);
  const sampledU = comparisons.map((_, c) => floorAndNormalise(options.u[c].slice()));
  // What the sample measured, blended with the documented default u in proportion to the pairs behind it.
  const blendU = (c: number, sampled: number[]) => {
    const prior = defaults[c]?.u;
    return prior ? blend(sampled, uPairs, prior, DEFAULT_U_PSEUDO_PAIRS) : sampled;
  };
  const u = comparisons.map((_, c) => fixed.u?.[c]?.slice() ?? blendU(c, sampledU[c]));

  // Every session's estimate of every comparison's m, combined per level below.
  const estimates = comparisons.map((): number[][] => []);
  const estimatedBy = new Array<number>(width).fill(0);
  // Per comparison, the most expected matches a session estimated its m on.
  const matchesSeen = new Array<number>(width).fill(0);
  const summaries: TrainingSessionSummary[] = [];
  for (const session of sessions) {
    checkPatterns(`session "${session.name}"`, session.patterns, width);
    const active = comparisons.map((comparison) => !session.columns.includes(comparison.column));
    const household = options.household ?? [];
    const personEvidence = active.some((isActive, c) => isActive && !household[c]);
    const result = expectationMaximisation({
      passive: personEvidence ? household : undefined,
      patterns: session.patterns,
      m: startingM,
      u,
      lambda: STARTING_SESSION_LAMBDA,
      active,
      frozen,
      maxIterations: em.maxIterations,
      tolerance: em.tolerance,
    });
    const estimated: string[] = [];
    comparisons.forEach((comparison, c) => {
      if (!active[c] || frozen[c] || !observedNonNull(session.patterns, c)) return;
      estimated.push(comparison.name);
      estimatedBy[c]++;
      estimates[c].push(result.m[c]);
      matchesSeen[c] = Math.max(matchesSeen[c], result.lambda * sum(session.patterns.counts));
    });
    summaries.push({
      name: session.name,
      columns: [...session.columns],
      iterations: result.iterations,
      converged: result.converged,
      finalChange: result.finalChange,
      lambda: result.lambda,
      estimated,
    });
  }

  const sessionM = comparisons.map((_, c) => {
    if (frozen[c] || estimatedBy[c] === 0) return startingM[c];
    return floorAndNormalise(comparisons[c].levels.map((_, level) => median(estimates[c].map((m) => m[level]))));
  });
  // A comparison on the columns of every session's rule (birth date, when every
  // training rule blocks on it) is estimated on the candidate pairs instead,
  // with the others' m fixed: never left at its starting value.
  const unestimated = comparisons.map((_, c) => !frozen[c] && estimatedBy[c] === 0);

  // The prior is P(match) for two records drawn from the whole comparison space.
  // EM on the candidate pairs (m and u now fixed, only lambda free) estimates
  // the share of matches among candidates, so lambda * candidateCount is the
  // expected number of matching pairs. Blocking is designed to keep (nearly)
  // every true match, so that is also the number of matches in the whole space,
  // and dividing by the space's size gives the prior. If blocking misses
  // matches, the prior is slightly low, which errs towards fewer false links.
  // Lambda is estimated even when the prior is fixed: it is reported in the model.
  checkPatterns('candidate pairs', options.candidatePatterns, width);
  const candidate = expectationMaximisation({ ...lambdaOnlyOptions(options, sessionM, u, em), frozen: unestimated.map((free) => !free) });
  const candidateMatches = options.candidatePatterns.counts.length > 0 ? candidate.lambda * sum(options.candidatePatterns.counts) : 0;
  const m = comparisons.map((_, c) => {
    if (frozen[c]) return sessionM[c];
    const learnt = unestimated[c] ? (observedNonNull(options.candidatePatterns, c) ? candidate.m[c] : startingM[c]) : sessionM[c];
    const seen = unestimated[c] ? (observedNonNull(options.candidatePatterns, c) ? candidateMatches : 0) : matchesSeen[c];
    const prior = defaults[c]?.m;
    return prior ? blend(learnt, seen, prior, DEFAULT_M_PSEUDO_MATCHES) : learnt;
  });
  const warnings = tooLittleData(comparisons, defaults, frozen, comparisons.map((_, c) => (unestimated[c] ? candidateMatches : matchesSeen[c])), uPairs);
  // With the final m the share of matches among candidates is estimated again (patterns only: cheap).
  const final = lambdaOnly(options, m, u, em);
  const candidateLambda = options.candidatePatterns.counts.length > 0 ? final.lambda : 0;
  let prior = fixed.prior;
  if (prior === undefined) {
    prior = options.totalPairs > 0 ? (candidateLambda * options.candidateCount) / options.totalPairs : 0;
  }
  if (!Number.isFinite(prior)) throw new Error('trainModel: the prior is not a finite number');
  prior = Math.min(1 - PRIOR_FLOOR, Math.max(PRIOR_FLOOR, prior));
  const interactions = estimateInteractions({
    comparisons,
    m,
    u,
    candidatePatterns: options.candidatePatterns,
    candidateCount: options.candidateCount,
    totalPairs: options.totalPairs,
    prior,
    cells: options.interactionCells ?? [],
  });

  // Household comparisons' u without the matches, for pairs with nothing else to compare. Taken
  // out of what the sample measured, before the blend: the default u is a non-match rate already
  // (a 3-record batch, prior 1/3, would otherwise lose its default weights).
  const floor = uPairs > 0 && Number.isFinite(uPairs) ? 0.5 / uPairs : 0;
  const aloneU = comparisons.map((comparison, c) =>
    options.household?.[c] && !fixed.u?.[c] ? blendU(c, householdAloneU(comparison, sampledU[c], m[c], prior, floor)) : null,
  );

  return {
    version: 2,
    comparisons: structuredClone(comparisons) as Comparison[],
    m: copyTable(m),
    u,
    prior,
    ...(interactions.length > 0 ? { interactions } : {}),
    ...(aloneU.some((row) => row !== null) ? { householdAloneU: aloneU } : {}),
    training: {
      sessions: summaries,
      ...(options.uSampleSize !== undefined ? { uSampleSize: options.uSampleSize } : {}),
      candidateLambda,
      notEstimated: comparisons.filter((_, c) => unestimated[c] && !observedNonNull(options.candidatePatterns, c)).map((comparison) => comparison.name),
      fixedM: comparisons.filter((_, c) => frozen[c]).map((comparison) => comparison.name),
      ...(warnings.length > 0 ? { warnings } : {}),
    },
  };
}

/**
 * Median of the sessions' estimates. A session whose other comparisons cannot
 * tell look-alike relatives from matches (same-name father and son, blocked on
 * the name) confounds them and inflates m of disagreement levels; the median
 * resists one such session where a mean would carry half its error.
 */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Whether comparison c is non-null in any pattern (else the session learnt nothing about it). */
function observedNonNull({ width, patterns, counts }: PatternCounts, c: number): boolean {
  for (let p = 0; p < counts.length; p++) if (counts[p] > 0 && patterns[p * width + c] !== 0) return true;
  return false;
}

function checkPatterns(what: string, patterns: PatternCounts, width: number): void {
  if (patterns.counts.length > 0 && patterns.width !== width) {
    throw new Error(`trainModel: ${what} have width ${patterns.width}, expected ${width} comparisons`);
  }
}

function checkTable(
  what: string,
  table: readonly (readonly number[] | null)[],
  comparisons: readonly Comparison[],
  nullable: boolean,
): void {
  if (table.length !== comparisons.length) {
    throw new Error(`trainModel: ${what} has ${table.length} rows, expected ${comparisons.length} comparisons`);
  }
  comparisons.forEach((comparison, c) => {
    const row = table[c];
    if (row == null) {
      if (!nullable) throw new Error(`trainModel: ${what} is missing comparison "${comparison.name}"`);
      return;
    }
    if (row.length !== comparison.levels.length) {
      throw new Error(`trainModel: ${what} of comparison "${comparison.name}" has ${row.length} levels, expected ${comparison.levels.length}`);
    }
    if (row.some((value) => !(value >= 0 && value <= 1))) {
      throw new Error(`trainModel: ${what} of comparison "${comparison.name}" has a value outside [0, 1]`);
    }
  });
}

/** EM on the candidate pairs with every m fixed: only lambda, the share of matches among them, moves. */
function lambdaOnlyOptions(
  options: TrainModelOptions,
  m: readonly (readonly number[])[],
  u: readonly (readonly number[])[],
  em: NonNullable<TrainModelOptions['em']>,
): ExpectationMaximisationOptions {
  const { comparisons } = options;
  return {
    patterns: options.candidatePatterns,
    m,
    u,
    lambda: STARTING_SESSION_LAMBDA,
    active: comparisons.map(() => true),
    frozen: comparisons.map(() => true),
    // As in the sessions: shared household evidence would count relatives as matches and inflate the prior.
    passive: comparisons.some((_, c) => !options.household?.[c]) ? options.household : undefined,
    maxIterations: Math.max(LAMBDA_ONLY_MAX_ITERATIONS, em.maxIterations ?? 0),
    tolerance: Math.min(1e-6, em.tolerance ?? 1e-6),
  };
}

function lambdaOnly(
  options: TrainModelOptions,
  m: readonly (readonly number[])[],
  u: readonly (readonly number[])[],
  em: NonNullable<TrainModelOptions['em']>,
): ExpectationMaximisationResult {
  return expectationMaximisation(lambdaOnlyOptions(options, m, u, em));
}

/**
 * What was estimated on `seen` observations blended with the documented default
 * counted as `pseudo` observations: (seen * learnt + pseudo * prior) / (seen + pseudo),
 * level by level (both rows sum to 1 over the non-null levels, and so does the blend).
 */
function blend(learnt: readonly number[], seen: number, prior: readonly number[], pseudo: number): number[] {
  const weight = Number.isFinite(seen) ? seen / (seen + pseudo) : 1;
  return floorAndNormalise(learnt.map((value, level) => weight * value + (1 - weight) * prior[level]));
}

/** The warning when a comparison's m rests on fewer expected matches, or u on fewer random pairs, than its default counts for. */
function tooLittleData(
  comparisons: TrainModelOptions['comparisons'],
  defaults: NonNullable<TrainModelOptions['defaults']>,
  frozen: readonly boolean[],
  matches: readonly number[],
  uPairs: number,
): TrainingWarning[] {
  const thin = comparisons.filter((_, c) => !frozen[c] && matches[c] < DEFAULT_M_PSEUDO_MATCHES);
  if (thin.length === 0 && uPairs >= DEFAULT_U_PSEUDO_PAIRS) return [];
  const leaning = defaults.some((d) => d !== undefined) ? 'the model leans on the documented default m and u' : 'no default m and u apply to these comparisons';
  return [
    {
      code: 'TOO_LITTLE_DATA_TO_TRAIN',
      message:
        `too little data to train: fewer than ${DEFAULT_M_PSEUDO_MATCHES} expected matches for ${thin.length} of ${comparisons.length} comparisons` +
        ` or fewer than ${DEFAULT_U_PSEUDO_PAIRS} random pairs (${Math.round(uPairs)}); ${leaning}`,
    },
  ];
}

function sum(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  return total;
}
