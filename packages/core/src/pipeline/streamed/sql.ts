import type { DuckDbExecutor } from '@mpi/sql';

/** The DuckDB connection the streamed read works through. */
export type Connection = DuckDbExecutor['connection'];

/** A string as a SQL literal. */
export const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** A list of ids as a SQL list (never empty: `(NULL)` matches nothing). */
export const idList = (ids: Iterable<number>) => {
  const text = [...ids].join(', ');
  return text === '' ? '(NULL)' : `(${text})`;
};

/** All rows of a (small) query. */
export async function rowsOf(connection: Connection, sql: string): Promise<unknown[][]> {
  return (await connection.runAndReadAll(sql)).getRows();
}

/** A query's single number (a count); BIGINT and HUGEINT come back as bigint. */
export async function numberOf(connection: Connection, sql: string): Promise<number> {
  const value = (await rowsOf(connection, sql))[0]?.[0];
  return value === null || value === undefined ? 0 : Number(value);
}

/**
 * Reads a query's result one data chunk at a time (a large result never
 * becomes one array of JS values); `visit` gets each chunk's columns and the
 * row its first value is at. A result that ends before its last row (DuckDB
 * failing part way) is a SqlEngineError, never a shorter read.
 */
export { eachChunk } from '@mpi/sql';
