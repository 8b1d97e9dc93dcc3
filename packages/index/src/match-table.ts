// The table a match scores on: the index rows that share a blocking key with
// a query, then the query rows, each column's dictionary cut to the values they
// hold. It is the table subTable followed by appendTable gives (same rows, same
// dictionaries in the same order, so the same pairs, levels and weights),
// built in one pass without a map per column: a match is made once per request,
// and what it allocates is what the server's young-generation collections
// have to sweep (docs/server.md).
import type { RecordTable } from '@mpi/core';
import { derivedTable } from './derived-table.js';

type Column = RecordTable['columns'][string];

/**
 * Index dictionary id -> id in the column being cut, 0 for not yet seen (id 0,
 * the empty value, maps to itself). One array for every match on this thread,
 * grown to the largest dictionary cut and cleared after each column: a cut runs
 * to its end without yielding, so no other match can see it half filled.
 */
let cutIds = new Uint32Array(0);

/** Above this many value comparisons, the query values are found among the candidates' through a map rather than by scanning. */
const SCAN_LIMIT = 4096;

/** A value's id among `dictionary[1 .. end)`, or 0. */
function scan(dictionary: readonly string[], end: number, value: string): number {
  for (let id = 1; id < end; id++) if (dictionary[id] === value) return id;
  return 0;
}

/**
 * One column of the match table: the candidate rows' values renumbered by first
 * appearance, then the query rows' values, each the id of an equal candidate
 * value or a new one (as appendTable numbers them).
 */
function cutColumn(column: Column, rows: Uint32Array, added: Column | undefined, addedSize: number): Column {
  const ids = new Uint32Array(rows.length + addedSize);
  const dictionary = [column.dictionary[0] ?? ''];
  if (cutIds.length < column.dictionary.length) cutIds = new Uint32Array(column.dictionary.length + (column.dictionary.length >> 2));
  try {
    for (let i = 0; i < rows.length; i++) {
      const id = column.ids[rows[i]];
      if (id === 0) continue;
      let cut = cutIds[id];
      if (cut === 0) {
        cut = dictionary.length;
        cutIds[id] = cut;
        dictionary.push(column.dictionary[id]);
      }
      ids[i] = cut;
    }
  } finally {
    for (let i = 0; i < rows.length; i++) cutIds[column.ids[rows[i]]] = 0;
  }
  if (added === undefined) return { dictionary, ids };
  const candidates = dictionary.length;
  // The query dictionary holds each of its values once: each is placed once.
  const placed = new Uint32Array(added.dictionary.length);
  const known = candidates * (added.dictionary.length - 1) > SCAN_LIMIT ? new Map(dictionary.map((value, id) => [value, id])) : undefined;
  for (let q = 0; q < addedSize; q++) {
    const id = added.ids[q];
    if (id === 0) continue;
    if (placed[id] === 0) {
      const value = added.dictionary[id];
      let cut = known !== undefined ? (known.get(value) ?? 0) : scan(dictionary, candidates, value);
      if (cut === 0) {
        cut = dictionary.length;
        dictionary.push(value);
      }
      placed[id] = cut;
    }
    ids[rows.length + q] = placed[id];
  }
  return { dictionary, ids };
}

/**
 * Rows `rows` (ascending) of the index's table `base`, then every row of
 * `queries` (read with the index's settings), as one table: `queries`' sources
 * follow `base`'s, fields it lacks are empty in its rows. Blocking and scoring
 * read only sources, dictionaries and ids, so a pair of a query and a candidate
 * compares and scores as it would in a table of every record.
 */
export function matchTable(base: RecordTable, rows: Uint32Array, queries: RecordTable): RecordTable {
  const size = rows.length + queries.size;
  const source = new Uint16Array(size);
  const recordIds = new Array<string>(size);
  const dataRows = new Uint32Array(size);
  for (let i = 0; i < rows.length; i++) {
    source[i] = base.source[rows[i]];
    recordIds[i] = base.recordIds[rows[i]];
    dataRows[i] = base.rows[rows[i]];
  }
  for (let q = 0; q < queries.size; q++) {
    source[rows.length + q] = queries.source[q] + base.sources.length;
    recordIds[rows.length + q] = queries.recordIds[q];
    dataRows[rows.length + q] = queries.rows[q];
  }
  const columns: Record<string, Column> = {};
  for (const field in base.columns) columns[field] = cutColumn(base.columns[field], rows, queries.columns[field], queries.size);
  return derivedTable(base, { size, sources: base.sources.concat(queries.sources), source, recordIds, rows: dataRows, columns });
}
