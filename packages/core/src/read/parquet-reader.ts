// A Parquet file read by embedded DuckDB, its rows pulled in batches and read as objects are.
import { causeWithoutValues, describeEngineError, openParquetRows, type ParquetRows } from '@mpi/sql';
import { MissingColumnError, SourceUnreadableError } from '../errors.js';
import { readObjectCells } from './object-reader.js';
import type { CellBatch } from './source-input.js';

/** Whether a file's first bytes are Parquet's magic number. */
export function looksLikeParquet(head: string): boolean {
  return head.startsWith('PAR1');
}

/**
 * Reads a Parquet source: DuckDB reads the file (read_parquet) and hands over
 * one data chunk at a time, so the file is never held whole; each row is then
 * read as an in-memory record is (object-reader.ts): strings as they are,
 * numbers by their text, DATE columns as calendar days, a list or struct value
 * an INVALID_VALUE naming its row and column. A column the settings name that
 * the file's schema lacks is a MISSING_COLUMN before any row is read. Rows are
 * numbered from 1 in file order.
 */
export async function* readParquetCells(name: string, path: string, columns: readonly string[]): AsyncGenerator<CellBatch> {
  let rows: ParquetRows;
  try {
    rows = await openParquetRows(path, columns);
  } catch (error) {
    throw unreadable(name, error);
  }
  const absent = columns.find((column) => !rows.columns.includes(column));
  if (absent !== undefined) {
    rows.close();
    throw new MissingColumnError(name, absent);
  }
  yield* readObjectCells(name, records(name, rows.batches), columns);
}

/** DuckDB could not read the file (at its schema, or at a later part of it): the source is unreadable, said with DuckDB's kind of error and no value. */
function unreadable(name: string, error: unknown): SourceUnreadableError {
  return new SourceUnreadableError(name, `cannot read the file as Parquet (${describeEngineError(error)})`, causeWithoutValues(error));
}

async function* records(name: string, batches: AsyncIterable<Record<string, unknown>[]>): AsyncGenerator<Record<string, unknown>> {
  try {
    for await (const batch of batches) yield* batch;
  } catch (error) {
    throw unreadable(name, error);
  }
}
