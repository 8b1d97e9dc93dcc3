import type { Comparison, PatternCounts } from '../types.js';

/** One EM training session (one training blocking rule) as recorded in the model. */
export interface TrainingSessionSummary {
  /** The training rule's name. */
  name: string;
  /** Columns the training rule blocks on; comparisons of these columns were not estimated. */
  columns: string[];
  iterations: number;
  converged: boolean;
  /** Largest change of any m or lambda at the last iteration (below the tolerance when converged). */
  finalChange?: number;
  /** Estimated share of matches among the session's pairs. */
  lambda: number;
  /** Names of the comparisons whose m this session estimated. */
  estimated: string[];
}

/**
 * A trained Fellegi-Sunter model: per comparison and level the m probability
 * (P(level | match)) and u probability (P(level | non-match)), and the prior
 * probability that two random records of the comparison space are a match.
 * Level 0 of every comparison is the null level: m = u = 1, no weight.
 * Plain JSON (see `serializeModel` / `parseModel`).
 */
export interface FellegiSunterModel {
  /** 2 since interaction terms; a version-1 model (none) still loads and scores as before. */
  version: 1 | 2;
  comparisons: Comparison[];
  m: number[][];
  u: number[][];
  prior: number;
  /** Interaction terms of joint cells of two comparisons (see estimateInteractions); none when absent. */
  interactions?: InteractionTerm[];
  /**
   * Per comparison of household evidence (address, phone, e-mail), u of the
   * non-matches alone: the measured u less the matches' share of it (see
   * householdAloneU). Scoring uses it instead of `u` for a pair that compares
   * no identifying field (see identifyingComparisons); null for the other
   * comparisons. Absent: `u` everywhere.
   */
  householdAloneU?: (number[] | null)[];
  training: {
    sessions: TrainingSessionSummary[];
    uSampleSize?: number;
    /** Estimated share of matches among all candidate pairs. */
    candidateLambda: number;
    /** Comparisons whose m no session estimated and no one fixed: they keep the starting m. */
    notEstimated?: string[];
    /** Comparisons whose m the user fixed. */
    fixedM?: string[];
    /** What training could not do well, by code (never a record value): see TrainingWarning. */
    warnings?: TrainingWarning[];
  };
}

/**
 * An interaction term: a weight added to every pair whose two comparisons are
 * both at the given levels (the joint "both exact" cell), correcting the
 * independence the sum of their weights assumes. Different people agree on
 * both far more often than independence predicts (twins: family name and birth
 * date), so the term is negative (see estimateInteractions).
 */
export interface InteractionTerm {
  /** Names of the two comparisons. */
  comparisons: [string, string];
  /** Their levels that make the cell (each comparison's exact level). */
  levels: [number, number];
  /**
   * The cell holds only pairs whose these comparisons are all present and none
   * agrees (a level other than null and `else` with u < 0.1, as for the
   * demographic veto): the other demographic comparisons. Relatives who share
   * the two fields differ on them (twins on the given name); a pair that agrees
   * on one of them is scored as independence scores it.
   */
  disagreeing: string[];
  /** log2(predicted / observed non-matches in the cell): added to the match weight. */
  weight: number;
  /** Non-matches estimated in the cell (from the candidate pairs). */
  nonMatches: number;
  /** Non-matches independence predicts there: space x u_a x u_b. */
  predictedNonMatches: number;
}

/**
 * A training warning. `TOO_LITTLE_DATA_TO_TRAIN`: too few candidate pairs or
 * expected matches for EM to estimate m (or random pairs for u); the model leans
 * on the documented default m and u (see default-parameters.ts) in proportion.
 */
export interface TrainingWarning {
  code: 'TOO_LITTLE_DATA_TO_TRAIN';
  message: string;
}

/** One training session: the pairs of one training blocking rule, counted as patterns. */
export interface TrainingSession {
  readonly name: string;
  /** Columns the rule blocks on. */
  readonly columns: readonly string[];
  readonly patterns: PatternCounts;
}

export interface TrainModelOptions {
  readonly comparisons: readonly Comparison[];
  /** u per comparison and level, from `estimateU` on random pairs. */
  readonly u: readonly (readonly number[])[];
  readonly sessions: readonly TrainingSession[];
  /** Patterns of all candidate pairs (or of a representative sample of them). */
  readonly candidatePatterns: PatternCounts;
  /** Number of candidate pairs blocking produced. */
  readonly candidateCount: number;
  /** Number of pairs in the whole comparison space (e.g. n(n-1)/2 for dedupe). */
  readonly totalPairs: number;
  /** Known parameters, never re-estimated. A null entry means "estimate this comparison". */
  readonly fixed?: {
    readonly m?: readonly (readonly number[] | null)[];
    readonly u?: readonly (readonly number[] | null)[];
    readonly prior?: number;
  };
  readonly em?: { readonly maxIterations?: number; readonly tolerance?: number };
  /**
   * Per comparison: evidence shared by household members (address, phone, e-mail).
   * EM decides who matches on the other comparisons only and estimates the m of
   * these from that posterior, so a household never defines the match class.
   * Ignored in a session where no other comparison is active.
   */
  readonly household?: readonly boolean[];
  /** Number of random pairs u was estimated on, recorded in the model. */
  readonly uSampleSize?: number;
  /**
   * Per comparison, the documented default m and u (see defaultParameters): EM
   * starts from this m, and m and u are blended with it in proportion to the
   * data behind them. Undefined entries (custom comparisons) use neither.
   */
  readonly defaults?: readonly ({ readonly m: readonly number[]; readonly u: readonly number[] } | undefined)[];
  /**
   * Pairs of comparison indices whose joint exact cell lies wholly among the
   * candidate pairs (a blocking rule reads no column but theirs): interaction
   * terms are estimated for these (see estimateInteractions). None when absent.
   */
  readonly interactionCells?: readonly (readonly [number, number])[];
}

/** The Splink-style breakdown of one pair's match weight. */
export interface MatchExplanation {
  priorWeight: number;
  terms: {
    comparison: string;
    level: number;
    label: string;
    m: number;
    u: number;
    /** m / u */
    bayesFactor: number;
    /** log2(m / u) */
    weight: number;
    /** Term-frequency adjustment added to the weight (0 when none). */
    tfAdjustment: number;
    /**
     * Minus (weight + tfAdjustment) for a member of an evidence group whose
     * weight does not count (another member's agreement or disagreement was
     * stronger), and for a positive weight that a demographic veto drops; 0 otherwise.
     */
    groupAdjustment: number;
  }[];
  /** Whether the demographic comparisons vetoed the pair (see Comparison.demographic). */
  demographicVeto: boolean;
  /** The model's interaction terms whose cell the pair is in (see InteractionTerm). */
  interactions: { comparisons: [string, string]; weight: number }[];
  /** priorWeight + sum of (weight + tfAdjustment + groupAdjustment) over the terms + the interactions' weights. */
  matchWeight: number;
  matchProbability: number;
}

/** Term frequencies of one comparison's column: per-record value ids and per-dictionary-id frequency. */
export interface TermFrequencyInput {
  readonly ids: Uint32Array;
  readonly tf: Float64Array;
  /**
   * A multi-valued comparison's further value columns (Comparison.valueColumns):
   * per column, per-record ids in the same dictionary as `ids` and `tf`. A pair
   * then takes the frequency of the rarest value its two records share.
   */
  readonly slots?: readonly Uint32Array[];
}

/** One row of the model report: a non-null level of a comparison. */
export interface ModelReportRow {
  comparison: string;
  level: number;
  label: string;
  m: number;
  u: number;
  matchWeight: number;
}
