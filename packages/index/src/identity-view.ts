// One identity with its members' raw fields: what a caller needs to show the
// person the index holds (a FHIR server's golden Patient view, a review screen),
// read from the file with the records' identity index, not by scanning memory.
import type { Statement } from 'better-sqlite3';
import type { IndexStore } from './store.js';
import type { IdentityView } from './types.js';

/** The statement of each open store, prepared once: a server reads views on every request. */
const statements = new WeakMap<IndexStore, Statement>();

/**
 * The identity `id` resolves to (following merge aliases) with its records in
 * (source, record id) order; undefined for an id the index never issued. An
 * identity whose records were all removed is `retired`, with no records.
 */
export function identityView(store: IndexStore, id: string): IdentityView | undefined {
  const active = store.resolve(id);
  if (active === undefined) return undefined;
  let statement = statements.get(store);
  if (statement === undefined) {
    statement = store.db.prepare('SELECT source, record_id, data FROM records WHERE identity_id = ? ORDER BY source, record_id').raw();
    statements.set(store, statement);
  }
  const rows = statement.all(active) as [string, string, string][];
  return {
    id: active,
    requested: id,
    status: rows.length > 0 ? 'active' : 'retired',
    records: rows.map(([source, recordId, data]) => ({ source, recordId, data: JSON.parse(data) as Record<string, string> })),
  };
}
