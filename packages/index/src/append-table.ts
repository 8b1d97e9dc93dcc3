// A record table with a few rows appended: the index's table, normalized once,
// plus the query records of a match, so a match normalizes only its queries.
import type { RecordTable } from '@mpi/core';
import { derivedTable } from './derived-table.js';

/**
 * Dictionary value -> id of each column, built once per column of the index's
 * table. The dictionary appendTable extends a map's newest dictionary with (an
 * add extending the index's table) shares the map, its new values added, so
 * an add does not build it again; an older dictionary's lookups ignore ids
 * past its end (idIn). Extending any other dictionary (a second extension of
 * the same table) leaves the map alone: its result builds its own when needed.
 */
const lookups = new WeakMap<object, Map<string, number>>();
/** Length of the newest dictionary each map holds every value of. */
const newest = new WeakMap<Map<string, number>, number>();

function lookupOf(dictionary: readonly string[]): Map<string, number> {
  let lookup = lookups.get(dictionary);
  if (lookup === undefined) {
    lookup = new Map();
    for (let id = 0; id < dictionary.length; id++) if (!lookup.has(dictionary[id])) lookup.set(dictionary[id], id);
    lookups.set(dictionary, lookup);
    newest.set(lookup, dictionary.length);
  }
  return lookup;
}

/** The id of `value` in `dictionary`, or undefined (the map may hold values of a longer dictionary that extends it). */
function idIn(lookup: Map<string, number>, dictionary: readonly string[], value: string): number | undefined {
  const id = lookup.get(value);
  return id !== undefined && id < dictionary.length ? id : undefined;
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
    const fresh = new Map<string, number>();
    if (added !== undefined) {
      const lookup = lookupOf(column.dictionary);
      for (let r = 0; r < extra.size; r++) {
        const id = added.ids[r];
        if (id === 0) continue;
        const value = added.dictionary[id];
        let mapped = idIn(lookup, column.dictionary, value) ?? fresh.get(value);
        if (mapped === undefined) {
          mapped = column.dictionary.length + appended.length;
          appended.push(value);
          fresh.set(value, mapped);
        }
        ids[base.size + r] = mapped;
      }
    }
    let dictionary = column.dictionary;
    if (appended.length > 0) {
      dictionary = column.dictionary.concat(appended);
      const lookup = lookups.get(column.dictionary);
      if (lookup !== undefined && newest.get(lookup) === column.dictionary.length) {
        // The extended dictionary shares the map, its new values added: the next add looks up only its own values.
        for (const [value, id] of fresh) lookup.set(value, id);
        newest.set(lookup, dictionary.length);
        lookups.set(dictionary, lookup);
      }
    }
    columns[field] = { dictionary, ids };
  }
  return derivedTable(base, { size, sources: [...base.sources, ...extra.sources], source, recordIds: [...base.recordIds, ...extra.recordIds], rows, columns });
}
