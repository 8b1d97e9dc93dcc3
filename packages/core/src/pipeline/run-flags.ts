import { appendColumns } from '@mpi/sql';
import { eachChunk, type Connection } from './streamed/sql.js';
import type { ValueFlag } from '../read/source-columns.js';

/** The table a resumable run keeps the read's value flags in (a flag per flagged value: millions at scale, too many for the JSON of its progress record). */
const FLAGS_TABLE = 'mpi_run_flags';

/** Writes the read's value flags to the work database, in their order (inside the transaction that records the load). */
export async function writeRunFlags(connection: Connection, flags: readonly ValueFlag[]): Promise<void> {
  await connection.run(`CREATE OR REPLACE TABLE ${FLAGS_TABLE} (seq INTEGER, "source" VARCHAR, "row" INTEGER, "column" VARCHAR, reason VARCHAR)`);
  const appender = await connection.createAppender(FLAGS_TABLE);
  const cells: ((flag: ValueFlag, k: number) => string | number)[] = [(_, k) => k, (f) => f.source, (f) => f.row, (f) => f.column, (f) => f.reason];
  appendColumns(appender, flags.length, (column, k) => cells[column](flags[k], k));
  appender.closeSync();
}

/** The value flags writeRunFlags wrote, in the same order. */
export async function readRunFlags(connection: Connection): Promise<ValueFlag[]> {
  const flags: ValueFlag[] = [];
  await eachChunk(connection, `SELECT "source", "row", "column", reason FROM ${FLAGS_TABLE} ORDER BY seq`, ([source, row, column, reason]) => {
    for (let i = 0; i < source.length; i++) flags.push({ source: source[i] as string, row: Number(row[i]), column: column[i] as string, reason: reason[i] as string });
  });
  return flags;
}
