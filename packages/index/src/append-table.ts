// A record table with a few rows appended: the index's table, normalized once,
// plus the query records of a match, so a match normalizes only its queries.
import type { RecordTable } from '@mpi/core';

/** Dictionary value -> id of each column, built once per column of the index's table. */
const lookups = new WeakMap<object, Map<string, number>>();

function lookupOf(dictionary: readonly string[]): Map<string, number> {
  let lookup = lookups.get(dictionary);
  if (lookup === undefined) {
    lookup = new Map();
    for (let id = 0; id < dictionary.length; id++) if (!lookup.has(dictionary[id])) lookup.set(dictionary[id], id);
    lookups.set(dictionary, lookup);
  }
  return lookup;
}

/**
 * `base` with the rows of `extra` after its own: `extra`'s sources follow
 * `base`'s, its values are re-encoded into `base`'s dictionaries (new values
 * appended), and id 0 stays the empty value. Fields `extra` lacks are empty in
 * its rows. Blocking and scoring read only sources, dictionaries and ids, so
 * the pairs and weights of the appended rows are those a table built from
 * all the records would give.
 */
export function appendTable(base: RecordTable, extra: RecordTable): RecordTable {
  const size = base.size + extra.size;
  const source = new Uint16Array(size);
  source.set(base.source);
  for (let r = 0; r < extra.size; r++) source[base.size + r] = extra.source[r] + base.sources.length;
  const rows = new Uint32Array(size);
  rows.set(base.rows);
  rows.set(extra.rows, base.size);
  const columns: Record<string, { dictionary: readonly string[]; ids: Uint32Array }> = {};
  for (const [field, column] of Object.entries(base.columns)) {
    const ids = new Uint32Array(size);
    ids.set(column.ids);
    const added = extra.columns[field];
    const appended: string[] = [];
    if (added !== undefined) {
      const lookup = lookupOf(column.dictionary);
      const fresh = new Map<string, number>();
      for (let r = 0; r < extra.size; r++) {
        const id = added.ids[r];
        if (id === 0) continue;
        const value = added.dictionary[id];
        let mapped = lookup.get(value) ?? fresh.get(value);
        if (mapped === undefined) {
          mapped = column.dictionary.length + appended.length;
          appended.push(value);
          fresh.set(value, mapped);
        }
        ids[base.size + r] = mapped;
      }
    }
    columns[field] = { dictionary: appended.length > 0 ? [...column.dictionary, ...appended] : column.dictionary, ids };
  }
  return {
    size,
    sources: [...base.sources, ...extra.sources],
    source,
    recordIds: [...base.recordIds, ...extra.recordIds],
    rows,
    columns,
    fieldKinds: base.fieldKinds,
    valueColumns: base.valueColumns,
    flags: [],
    warnings: [],
  };
}
