// The index's table with a batch's records merged in, in canonical order
// (sources by name, then record id), as a table read from all the records
// would be: the stable-id rules decide ties by row order, so rows must sit
// where a full read puts them.
import type { RecordTable } from '@mpi/core';
import { appendTable } from './append-table.js';

export interface MergedTable {
  readonly table: RecordTable;
  /** Row in the merged table of each row of the base table. */
  readonly baseRow: Uint32Array;
  /** Row in the merged table of each row of the extra table. */
  readonly extraRow: Uint32Array;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * `base` and `extra` (each in canonical order, no record in both) merged into
 * one table in canonical order. Values keep `base`'s dictionary ids; `extra`'s
 * new values are appended (see appendTable).
 */
export function mergeTables(base: RecordTable, extra: RecordTable): MergedTable {
  const appended = appendTable(base, extra);
  const sources = [...new Set([...base.sources, ...extra.sources])].sort(compare);
  const sourceIndex = new Map(sources.map((name, i) => [name, i]));
  const nameOf = (row: number) => appended.sources[appended.source[row]];
  // Two canonical runs merged: base rows 0..base.size-1, extra rows after them.
  const size = appended.size;
  const order = new Uint32Array(size);
  const baseRow = new Uint32Array(base.size);
  const extraRow = new Uint32Array(extra.size);
  let b = 0;
  let e = 0;
  for (let out = 0; out < size; out++) {
    let takeBase = e >= extra.size;
    if (!takeBase && b < base.size) {
      const row = base.size + e;
      takeBase = (compare(nameOf(b), nameOf(row)) || compare(appended.recordIds[b], appended.recordIds[row])) < 0;
    }
    if (takeBase) {
      order[out] = b;
      baseRow[b++] = out;
    } else {
      order[out] = base.size + e;
      extraRow[e++] = out;
    }
  }
  const source = new Uint16Array(size);
  const recordIds = new Array<string>(size);
  const rows = new Uint32Array(size);
  for (let out = 0; out < size; out++) {
    const row = order[out];
    source[out] = sourceIndex.get(nameOf(row))!;
    recordIds[out] = appended.recordIds[row];
    rows[out] = appended.rows[row];
  }
  const columns: Record<string, { dictionary: readonly string[]; ids: Uint32Array }> = {};
  for (const [field, column] of Object.entries(appended.columns)) {
    const ids = new Uint32Array(size);
    for (let out = 0; out < size; out++) ids[out] = column.ids[order[out]];
    columns[field] = { dictionary: column.dictionary, ids };
  }
  return { table: { ...appended, sources, source, recordIds, rows, columns }, baseRow, extraRow };
}
