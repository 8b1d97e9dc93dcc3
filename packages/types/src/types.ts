// The shapes that pass between the packages: the record table's encoded
// columns (built by @mpi/core, read by @mpi/blocking and @mpi/scoring), the
// candidate pairs (made by blocking, scored by scoring, clustered by core) and
// the link mode. Defined once here so the two leaves agree without importing
// each other or core.

/**
 * One dictionary-encoded column of the record table: the distinct normalized
 * values once, and per record the index of its value. Index 0 is reserved for
 * "missing" (dictionary[0] === ''), so `ids[r] === 0` means record r has no value.
 */
export interface EncodedColumn {
  readonly dictionary: readonly string[];
  readonly ids: Uint32Array;
}

/**
 * The columnar view of the records that blocking and scoring read. Records are
 * rows 0..size-1.
 */
export interface EncodedTable {
  readonly size: number;
  /** Source index of every record (0..sourceCount-1). */
  readonly source: Uint16Array;
  readonly columns: Readonly<Record<string, EncodedColumn>>;
}

/**
 * Which pairs of records are compared. `dedupe`: every pair; `link`: only pairs
 * across sources; `link_and_dedupe`: every pair (named for several sources).
 */
export type LinkMode = 'dedupe' | 'link' | 'link_and_dedupe';

/**
 * A chunk of candidate pairs: `left[k] < right[k]` are record rows. The arrays are
 * backed by SharedArrayBuffer so they reach worker threads without a copy.
 */
export interface PairChunk {
  readonly left: Uint32Array;
  readonly right: Uint32Array;
}
