// Memberships (a truth's or a groups file's rows) appended to a DuckDB table,
// for the evaluation out of core and the HTML report's measured curve.
import { appendColumns, CHUNK_ROWS, type DuckDbExecutor } from '@mpi/sql';
import type { Membership } from './evaluate.js';

/** A connection of the DuckDB engine. */
export type DuckDBConnection = DuckDbExecutor['connection'];

/** Memberships as they come: an array, or a file streamed (read-memberships' `memberships`). */
export type Memberships = Iterable<Membership> | AsyncIterable<Membership>;

/**
 * Appends memberships to a new table (seq, source, record_id, `label`: the
 * group or person), seq counting them in the order given, a batch at a time:
 * a file of 50M memberships is never held whole.
 */
export async function appendMemberships(c: DuckDBConnection, table: string, label: string, memberships: Memberships): Promise<void> {
  await c.run(`CREATE OR REPLACE TABLE ${table} (seq UBIGINT, "source" VARCHAR, record_id VARCHAR, ${label} VARCHAR)`);
  const appender = await c.createAppender(table);
  let batch: Membership[] = [];
  let seq = 0;
  const flush = () => {
    const first = seq;
    appendColumns(appender, batch.length, (column, row) => {
      const m = batch[row];
      return column === 0 ? first + row : column === 1 ? m.source : column === 2 ? m.recordId : m.group;
    });
    seq += batch.length;
    batch = [];
  };
  try {
    for await (const membership of memberships) {
      batch.push(membership);
      if (batch.length === CHUNK_ROWS) flush();
    }
    flush();
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}
