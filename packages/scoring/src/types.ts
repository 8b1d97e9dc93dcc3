import type { EncodedColumn, EncodedTable, LinkMode, PairChunk } from '@mpi/types';

export type { EncodedColumn, LinkMode, PairChunk };

/** The columnar view of the records that scoring reads (the record table @mpi/core builds). */
export type ScoringTable = EncodedTable;

/**
 * The test a comparison level applies to the two values of a pair. Levels are
 * tried in order and the first that holds is the pair's level. Values are the
 * normalized strings of the record table (dates are `YYYYMMDD`).
 *
 * - `null`: either side missing. Always level 0, carries no weight.
 * - `exact`: equal values.
 * - `nickname`: equal after mapping both given names to their canonical names
 *   (nickname table shipped in @mpi/scoring/data, Apache-2.0).
 * - `jaroWinkler`: Jaro-Winkler similarity >= threshold.
 * - `levenshtein` / `damerauLevenshtein`: edit distance <= maxDistance.
 * - `doubleMetaphone`: a Double Metaphone code (primary or secondary) in common.
 * - `initial`: one side is a single letter equal to the other's first letter.
 * - `swapped`: this column of each record equals `other` column of the other record
 *   (given and family names swapped); with `threshold`, each agrees with Jaro-Winkler
 *   >= threshold instead (swapped and misspelt).
 * - `crossMatch`: this column of one record equals `other` column of the other
 *   record, in at least one direction (a name entered in the wrong field on one side);
 *   with `threshold`, Jaro-Winkler >= threshold instead of equal.
 * - `dateTransposed`: same year, day and month swapped.
 * - `dateWithinDays`: |difference| <= days.
 * - `dateYearOffByOne`: same month and day, years differ by one.
 * - `dateOneDigit`: same length, exactly one character differs.
 * - `prefix`: the first `length` characters agree.
 * - `tokenOverlap`: Jaccard similarity of space-separated tokens >= threshold.
 * - `else`: always holds (last level).
 */
export type LevelTest =
  | { readonly type: 'null' }
  | { readonly type: 'exact' }
  | { readonly type: 'nickname' }
  | { readonly type: 'jaroWinkler'; readonly threshold: number }
  | { readonly type: 'levenshtein'; readonly maxDistance: number }
  | { readonly type: 'damerauLevenshtein'; readonly maxDistance: number }
  | { readonly type: 'doubleMetaphone' }
  | { readonly type: 'initial' }
  | { readonly type: 'swapped'; readonly other: string; readonly threshold?: number }
  | { readonly type: 'crossMatch'; readonly other: string; readonly threshold?: number }
  | { readonly type: 'dateTransposed' }
  | { readonly type: 'dateWithinDays'; readonly days: number }
  | { readonly type: 'dateYearOffByOne' }
  | { readonly type: 'dateOneDigit' }
  | { readonly type: 'prefix'; readonly length: number }
  | { readonly type: 'tokenOverlap'; readonly threshold: number }
  | { readonly type: 'else' };

/** A named level of a comparison, e.g. "Jaro-Winkler >= 0.92". */
export interface ComparisonLevel {
  readonly label: string;
  readonly test: LevelTest;
  /** Apply a term-frequency adjustment when a pair falls in this level (exact levels on skewed columns). */
  readonly tfAdjustment?: boolean;
}

/**
 * A comparison of one column between the two records of a pair, with ordered
 * levels. levels[0] must be the `null` level and the last the `else` level.
 * JSON-serialisable: the trained model stores its comparisons.
 */
export interface Comparison {
  /** Unique name, used in explanations and reports, e.g. "given_name". */
  readonly name: string;
  readonly column: string;
  /**
   * Further columns holding other values of the same attribute (a cell phone
   * beside the home phone, a mailing address beside the home address, alias
   * names). A pair's level is then the best (lowest) level over every pair of
   * its values across `column` and these; levels that read another column
   * (swapped, crossMatch) read `column` only.
   */
  readonly valueColumns?: readonly string[];
  readonly levels: readonly ComparisonLevel[];
  /**
   * Comparisons of one evidence group are strongly dependent (street, city,
   * postcode and phone of a household agree or disagree together), so their
   * weights are not added up as independent evidence: of the group, only the
   * strongest agreement (largest positive weight) and the strongest
   * disagreement (most negative weight) count.
   */
  readonly evidenceGroup?: string;
  /**
   * The comparison says who the person is (given name, birth date, sex). When
   * three demographic comparisons of a pair disagree outright (their `else`
   * level: with the defaults, all three) and none agrees (an agreement shared by at least 1 random pair
   * in 10, like sex, does not count), the two records are different people
   * whatever else they share: the positive weights of the other comparisons
   * (an identifier reused or mistyped within a family, a shared address) do not
   * count. See docs/decisions/placeholders.md.
   */
  readonly demographic?: boolean;
}

/**
 * Computes comparison vectors: for a pair (left, right) of record rows, one level
 * index per comparison. Compiled once per table; memoises per distinct value pair.
 */
export interface ComparisonVectorizer {
  readonly comparisons: readonly Comparison[];
  /** Writes comparisons.length level indices for the pair into out[offset...]. */
  vectorize(left: number, right: number, out: Uint8Array, offset: number): void;
}

/** Comparison vectors of a chunk of pairs: pair k's levels are at [k*width, (k+1)*width). */
export interface ComparisonVectors {
  readonly width: number;
  readonly levels: Uint8Array;
}

/** Counts of distinct comparison vectors (patterns); EM runs on these, not on pairs. */
export interface PatternCounts {
  readonly width: number;
  /** patterns.length / width distinct patterns, each `width` level indices. */
  readonly patterns: Uint8Array;
  readonly counts: Float64Array;
}
