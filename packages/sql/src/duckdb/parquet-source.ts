import { DuckDBInstance } from '@duckdb/node-api';
import { SqlEngineError } from '../errors.js';

/** A Parquet file's rows as plain objects, in file order, a batch at a time, with the file's column names. */
export interface ParquetRows {
  /** Every column of the file, in schema order. */
  readonly columns: readonly string[];
  /** The requested columns the file has, row by row (a value is a string, number, bigint, boolean, Date, list or object; null when missing). */
  readonly batches: AsyncIterable<Record<string, unknown>[]>;
  /** Closes the file without reading the batches (reading them to the end, or abandoning them, closes it too). */
  close(): void;
}

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Reads a Parquet file with embedded DuckDB (read_parquet): its schema at once,
 * then the requested columns that it holds in batches of one DuckDB data chunk
 * (2,048 rows) as they are pulled, so a file of any size is never held whole.
 * One DuckDB thread keeps the file's row order; the instance closes when the
 * batches are read to the end or abandoned. DuckDB's failures are
 * SqlEngineErrors (its messages may quote the file's values).
 */
export async function openParquetRows(path: string, requested: readonly string[]): Promise<ParquetRows> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  let open = true;
  const close = () => {
    if (!open) return;
    open = false;
    connection.closeSync();
    instance.closeSync();
  };
  let columns: string[];
  try {
    const schema = await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${literal(path)})`);
    columns = schema.getRows().map((row) => String(row[0]));
  } catch (error) {
    close();
    throw new SqlEngineError('reading the Parquet schema', error);
  }
  const present = requested.filter((column) => columns.includes(column));
  async function* batches(): AsyncGenerator<Record<string, unknown>[]> {
    try {
      if (present.length === 0) return;
      const result = await connection.stream(`SELECT ${present.map(quote).join(', ')} FROM read_parquet(${literal(path)})`);
      for await (const rows of result.yieldRowObjectJs()) yield rows;
    } catch (error) {
      throw new SqlEngineError('reading the Parquet rows', error);
    } finally {
      close();
    }
  }
  return { columns, batches: batches(), close };
}
