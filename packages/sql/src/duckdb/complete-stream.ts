// A streamed DuckDB result read to its end only when every row of it came.
//
// Why: @duckdb/node-api 1.5.6-r.1 (the newest on npm) fetches a streamed
// result's chunks with DuckDB's duckdb_fetch_chunk, which returns NULL both at
// the end of the result and when the query failed part way; the error is left
// in duckdb_result_error, which the bindings do not expose ("not exposed" in
// node-bindings' duckdb.d.ts). So a result that fails after its first chunks
// (a cast at row 3,000,000 of 4M: 2,914,304 rows, no error; running out of
// memory, a full disk, a Parquet file corrupt far into it) ends exactly as a
// complete one, and the rows after the failure would be lost silently. The
// DuckDB Rust client fixed the same behaviour by reading duckdb_result_error
// (duckdb-rs #664); here the rows read are compared with a count made before.
import type { DuckDBConnection, DuckDBDataChunk } from '@duckdb/node-api';
import { MpiError } from '@mpi/types';
import { EngineErrorSummary, SqlEngineError } from '../errors.js';
import { statementRole } from './guarded-connection.js';

/** How a streamed read is checked and named. */
export interface CompleteStreamOptions {
  /** The step its failure names (never SQL text); default the query's role (statementRole). */
  readonly step?: string;
  /** The rows the result has, when the caller counted them already; default counted here first. */
  readonly rows?: number;
}

/** The kind of the SqlEngineError of a streamed result that ended before its last row. */
export const INCOMPLETE_RESULT = 'Incomplete Result';

/**
 * The query that counts `sql`'s rows. A last ORDER BY (without LIMIT or
 * OFFSET) changes no count and is left out: DuckDB 1.5 still sorts a
 * subquery's rows under count(*).
 */
export function countSql(sql: string): string {
  const unordered = sql.replace(/\s+ORDER\s+BY\s+(?:(?!\b(?:LIMIT|OFFSET)\b)[^()'])*$/i, '');
  return `SELECT count(*) FROM (${unordered}) AS counted`;
}

/** DuckDB's errors, and a guarded connection's (named by the statement's role only), as a SqlEngineError of the step; our other errors as they are. */
const failure = (step: string, error: unknown): MpiError => (error instanceof MpiError && !(error instanceof SqlEngineError) ? error : new SqlEngineError(step, error));

/**
 * The chunks of `sql`'s result (each with at least one row), streamed one at a
 * time. Its rows are counted before it is streamed (or `rows` is taken as
 * their count); when the result ends before that many rows came, the read
 * fails with a SqlEngineError of kind INCOMPLETE_RESULT naming the step and
 * the counts, never a value. A read abandoned before its end is not checked.
 * The connection runs nothing else while the result is read (a statement run
 * on it ends the stream, which this check also catches).
 */
export async function* completeChunks(connection: DuckDBConnection, sql: string, options: CompleteStreamOptions = {}): AsyncGenerator<DuckDBDataChunk> {
  const step = options.step ?? statementRole(sql);
  let expected = options.rows;
  let result;
  try {
    if (expected === undefined) expected = Number((await connection.runAndReadAll(countSql(sql))).getRows()[0][0]);
    result = await connection.stream(sql);
  } catch (error) {
    throw failure(step, error);
  }
  let read = 0;
  for (;;) {
    let chunk: DuckDBDataChunk | null;
    try {
      chunk = await result.fetchChunk();
    } catch (error) {
      throw failure(step, error);
    }
    if (chunk === null || chunk.rowCount === 0) break;
    read += chunk.rowCount;
    yield chunk;
  }
  if (read !== expected) throw new SqlEngineError(step, new EngineErrorSummary(INCOMPLETE_RESULT, `the streamed result ended after ${read} of ${expected} rows`));
}

/**
 * Reads a query's result one data chunk at a time through completeChunks (a
 * large result never becomes one array of JS values); `visit` gets each
 * chunk's columns and the row its first value is at. Returns the rows read.
 */
export async function eachChunk(
  connection: DuckDBConnection,
  sql: string,
  visit: (columns: readonly (readonly unknown[])[], at: number) => void | Promise<void>,
  options: CompleteStreamOptions = {},
): Promise<number> {
  let at = 0;
  for await (const chunk of completeChunks(connection, sql, options)) {
    await visit(chunk.getColumns(), at);
    at += chunk.rowCount;
  }
  return at;
}
