// A batch's records as a table with every field of the index's table: a batch
// of one source that maps fewer fields (a lab file without national ids) is
// blocked against the index with the index's rules, which may read those fields.
import type { RecordTable } from '@mpi/core';

/** `table` with an empty column for each field of `like` it lacks, and `like`'s field kinds and value columns. */
export function padFields(table: RecordTable, like: RecordTable): RecordTable {
  const missing = Object.keys(like.columns).filter((field) => table.columns[field] === undefined);
  if (missing.length === 0) return table;
  const columns = { ...table.columns };
  for (const field of missing) columns[field] = { dictionary: [''], ids: new Uint32Array(table.size) };
  return { ...table, columns, fieldKinds: like.fieldKinds, valueColumns: like.valueColumns };
}
