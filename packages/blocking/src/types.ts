import type { EncodedColumn, EncodedTable, LinkMode, PairChunk } from '@mpi/types';

export type { EncodedColumn, LinkMode, PairChunk };

/** The columnar view of the records that blocking reads (the record table @mpi/core builds). */
export type BlockingTable = EncodedTable;

/**
 * How a column's normalized value becomes (part of) a blocking key.
 * `prefix:N` / `suffix:N` keep the first / last N characters; `year` and
 * `yearMonth` read `YYYYMMDD` dates; `monthDay` the `MMDD` part; `doubleMetaphone`
 * is the primary Double Metaphone code of the first token (and the secondary as a
 * second key when `both` is used); `firstToken` / `lastToken` split on spaces;
 * `sortedTokens` sorts the tokens (robust to word order).
 */
export type KeyTransform =
  | 'exact'
  | 'doubleMetaphone'
  | 'soundex'
  | 'firstToken'
  | 'lastToken'
  | 'sortedTokens'
  | 'year'
  | 'yearMonth'
  | 'monthDay'
  | `prefix:${number}`
  | `suffix:${number}`;

export interface KeyPart {
  readonly column: string;
  readonly transform?: KeyTransform;
}

/**
 * A blocking rule. `key`: two records are a candidate pair when every key part
 * is present on both and equal. `sortedNeighbourhood`: records are sorted by the
 * key and each is paired with the next `window - 1` records in that order.
 */
export type BlockingRule =
  | {
      readonly kind: 'key';
      readonly name?: string;
      readonly keys: readonly KeyPart[];
      /**
       * Key parts match in any order: records pair when their parts agree as a
       * multiset (given and family name swapped still pair). Parts are compared
       * as derived strings, so a value of one column meets the same value of another.
       */
      readonly unordered?: boolean;
    }
  | {
      readonly kind: 'sortedNeighbourhood';
      readonly name?: string;
      readonly keys: readonly KeyPart[];
      readonly window: number;
    };

/** The candidate pairs blocking produced, each pair once across rules, in chunks. */
export interface CandidatePairs {
  /** Total number of distinct pairs across all chunks. */
  readonly count: number;
  readonly chunks: readonly PairChunk[];
  /** Pairs each rule contributed that no earlier rule had already produced (same order as the rules). */
  readonly countsByRule: readonly number[];
}

/**
 * A blocking rule bound to a record table. `covers(left, right)` says whether the
 * rule alone makes (left, right) a candidate pair (ignoring link mode).
 */
export interface CompiledBlockingRule {
  readonly name: string;
  readonly rule: BlockingRule;
  /** Columns the rule reads, in key-part order (no duplicates). */
  readonly columns: readonly string[];
  covers(left: number, right: number): boolean;
}

export interface GeneratePairsOptions {
  readonly mode: LinkMode;
  /** Budget: more candidate pairs than this is an error (PairBudgetExceededError), found before any pair is stored. Default: no limit. */
  readonly maxPairs?: number;
  /** What the budget is, named in PairBudgetExceededError's message (e.g. the memory a default budget was sized to). */
  readonly budgetBasis?: string;
  /** Largest number of pairs per chunk. Default 1 << 20. */
  readonly chunkSize?: number;
}
