// The held scores without some records (removed ones, and the old version of
// updated ones): their rows and pairs are dropped and the other rows move up,
// with no pair scored again (a pair's weight depends on its two records alone).
// What the drop can change is the components the dropped rows sat in: their
// neighbours under the links clustering follows are the seeds of those
// components (every record of such a component reaches the dropped rows through one).
import type { RecordTable } from '@mpi/core';
import type { BlockingKeys } from './blocking-keys.js';
import type { ScoredTable } from './scored-table.js';
import { termFrequencyInputsOf, type FrozenParts } from './scored-table.js';

export interface DroppedRows {
  readonly scored: ScoredTable;
  readonly keys: BlockingKeys | undefined;
  /** Rows of the new table linked (at or above `minWeight`, or by `partners`) to a dropped row. */
  readonly seeds: Uint32Array;
}

/** The table's rows except the dropped ones, in order, with the dictionaries kept as they are (no value is re-encoded). */
export function keptRows(base: RecordTable, newRow: Int32Array, size: number): RecordTable {
  const source = new Uint16Array(size);
  const recordIds = new Array<string>(size);
  const rows = new Uint32Array(size);
  const columns: Record<string, { dictionary: readonly string[]; ids: Uint32Array }> = {};
  for (let r = 0; r < base.size; r++) {
    const to = newRow[r];
    if (to < 0) continue;
    source[to] = base.source[r];
    recordIds[to] = base.recordIds[r];
    rows[to] = base.rows[r];
  }
  for (const [field, column] of Object.entries(base.columns)) {
    const ids = new Uint32Array(size);
    for (let r = 0; r < base.size; r++) if (newRow[r] >= 0) ids[newRow[r]] = column.ids[r];
    columns[field] = { dictionary: column.dictionary, ids };
  }
  return { ...base, size, source, recordIds, rows, columns };
}

/**
 * `held` without the rows `drop` (rows of its table), the blocking keys
 * following. `partners` are rows joined to a dropped row other than by a
 * scored link (a "match" decision): they are seeds too.
 */
export function dropRows(held: ScoredTable, keys: BlockingKeys | undefined, drop: readonly number[], minWeight: number, partners: readonly number[], frozen: FrozenParts): DroppedRows {
  const dropped = new Uint8Array(held.table.size);
  for (const row of drop) dropped[row] = 1;
  const newRow = new Int32Array(held.table.size);
  let size = 0;
  for (let r = 0; r < newRow.length; r++) newRow[r] = dropped[r] === 1 ? -1 : size++;
  const seeds = new Set<number>();
  for (const row of partners) if (newRow[row] >= 0) seeds.add(newRow[row]);
  let count = 0;
  const chunks = held.pairs.chunks.map((chunk, c) => {
    const weights = held.weights[c];
    const keep = new Uint8Array(chunk.left.length);
    let kept = 0;
    for (let k = 0; k < keep.length; k++) {
      const [l, r] = [chunk.left[k], chunk.right[k]];
      if (dropped[l] === 0 && dropped[r] === 0) (keep[k] = 1), kept++;
      else if (weights[k] >= minWeight && dropped[l] + dropped[r] === 1) seeds.add(newRow[dropped[l] === 1 ? r : l]);
    }
    const left = new Uint32Array(kept);
    const right = new Uint32Array(kept);
    const weight = new Float64Array(kept);
    let at = 0;
    for (let k = 0; k < keep.length; k++) {
      if (keep[k] === 0) continue;
      // Rows keep their order, so left < right still holds.
      [left[at], right[at], weight[at++]] = [newRow[chunk.left[k]], newRow[chunk.right[k]], weights[k]];
    }
    count += kept;
    return { left, right, weight };
  });
  const table = keptRows(held.table, newRow, size);
  const nonEmpty = chunks.filter((chunk) => chunk.left.length > 0);
  return {
    scored: {
      table,
      pairs: { count, chunks: nonEmpty.map(({ left, right }) => ({ left, right })), countsByRule: [] },
      weights: nonEmpty.map((chunk) => chunk.weight),
      // The dictionaries are kept as they were: so are their frequencies.
      tf: termFrequencyInputsOf(table, frozen.tf, held.tf),
    },
    keys: keys?.without(newRow),
    seeds: Uint32Array.from(seeds).sort(),
  };
}
