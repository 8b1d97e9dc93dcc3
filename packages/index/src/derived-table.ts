// A record table made from rows of others (a sub-table, an appended one, a
// match's): the field kinds and value columns of the table it derives from,
// and no flags or warnings, which belong to the tables that read the records.
import type { RecordTable } from '@mpi/core';

/** What a derived table holds of its own. */
export type OwnRows = Pick<RecordTable, 'size' | 'sources' | 'source' | 'recordIds' | 'rows' | 'columns'>;

/** `own` rows with the field kinds and value columns of `base`. */
export function derivedTable(base: RecordTable, own: OwnRows): RecordTable {
  return { ...own, fieldKinds: base.fieldKinds, valueColumns: base.valueColumns, flags: [], warnings: [] };
}
