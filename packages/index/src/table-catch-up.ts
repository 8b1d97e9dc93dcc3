// The stored table of an earlier batch brought up to the records as they are:
// a change writes the whole table only once the records changed since it was
// written reach a share of the index (identity-index.ts, TABLE_REWRITE_SHARE),
// because writing it whole took 20-25 s of every add at a million records. The
// file is consistent in every state: the stored table is that of its batch, and
// the records changed since carry their batch.
import { buildRecordTable, type RecordTable, type Settings } from '@mpi/core';
import type { BlockingKeys } from './blocking-keys.js';
import { keptRows } from './drop-rows.js';
import { mergeTables } from './merge-tables.js';
import { padFields } from './pad-fields.js';
import { recordKey, type RawRecord } from './raw-records.js';
import { sourcesOf } from './scored-table.js';

/** A table with its blocking keys (null: a rule is not a key rule). */
export interface KeyedTable {
  readonly table: RecordTable;
  readonly keys: BlockingKeys | null;
}

/**
 * `stored` without the rows of records no longer indexed or changed since
 * (`indexed` holds the recordKeys indexed now), with the records changed since
 * (`changed`, their raw fields as stored) normalized and merged in, the keys
 * following: the rows, values and keys of the table the index held after its
 * last change.
 */
export async function caughtUp(stored: KeyedTable, indexed: ReadonlyMap<string, unknown>, changed: readonly RawRecord[], settings: Settings, threads: number): Promise<KeyedTable> {
  let { table, keys } = stored;
  const changedKeys = new Set(changed.map((record) => recordKey(record.source, record.recordId)));
  const newRow = new Int32Array(table.size);
  let size = 0;
  for (let r = 0; r < table.size; r++) {
    const key = recordKey(table.sources[table.source[r]], table.recordIds[r]);
    newRow[r] = indexed.has(key) && !changedKeys.has(key) ? size++ : -1;
  }
  if (size < table.size) {
    keys = keys === null ? null : keys.without(newRow);
    table = keptRows(table, newRow, size);
  }
  if (changed.length === 0) return { table, keys };
  const fresh = padFields(await buildRecordTable(sourcesOf(changed), settings, threads), table);
  const merged = mergeTables(table, fresh);
  return { table: merged.table, keys: keys === null ? null : keys.merged(merged.baseRow, fresh, merged.extraRow) };
}
