// A few rows of the index's table as a table of their own: what a match
// compares its queries with, so neither the copy of the columns nor the
// term-frequency lookup grows with the index.
import type { RecordTable } from '@mpi/core';
import { derivedTable } from './derived-table.js';

/**
 * The rows `rows` (ascending) of `base`, in that order, each column's
 * dictionary cut to the values they use (id 0 stays the empty value; distinct
 * ids stay distinct). Blocking and scoring read only sources, dictionaries and
 * ids, so a pair of these rows compares and scores as it does in `base`.
 */
export function subTable(base: RecordTable, rows: Uint32Array): RecordTable {
  const size = rows.length;
  const source = new Uint16Array(size);
  const recordIds: string[] = new Array(size);
  const dataRows = new Uint32Array(size);
  for (let i = 0; i < size; i++) {
    source[i] = base.source[rows[i]];
    recordIds[i] = base.recordIds[rows[i]];
    dataRows[i] = base.rows[rows[i]];
  }
  const columns: Record<string, { dictionary: readonly string[]; ids: Uint32Array }> = {};
  for (const [field, column] of Object.entries(base.columns)) {
    const ids = new Uint32Array(size);
    const dictionary = [column.dictionary[0] ?? ''];
    const remap = new Map<number, number>([[0, 0]]);
    for (let i = 0; i < size; i++) {
      const id = column.ids[rows[i]];
      let mapped = remap.get(id);
      if (mapped === undefined) {
        mapped = dictionary.length;
        dictionary.push(column.dictionary[id]);
        remap.set(id, mapped);
      }
      ids[i] = mapped;
    }
    columns[field] = { dictionary, ids };
  }
  return derivedTable(base, { size, sources: base.sources, source, recordIds, rows: dataRows, columns });
}
