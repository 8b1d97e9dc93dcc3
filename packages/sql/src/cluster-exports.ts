import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ClusterExportError, describeEngineError } from './errors.js';

/** A column to read from an export, cast to this SQL type (a value that does not cast reads as null). */
export interface ExportColumn {
  readonly name: string;
  readonly type: 'BIGINT' | 'DOUBLE';
}

/** One file of an export: its path and its columns, in file order (null where a value is missing or does not cast). */
export interface ExportFile {
  readonly file: string;
  readonly columns: readonly (readonly (number | null)[])[];
  readonly rows: number;
}

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * The files of an export: a file as it is, a folder (Spark writes a table as a
 * folder of part files) as its `.parquet` or `.csv` parts in name order.
 */
export function exportFiles(path: string): string[] {
  let isFolder: boolean;
  try {
    isFolder = statSync(path).isDirectory();
  } catch (cause) {
    throw new ClusterExportError(path, undefined, undefined, `cannot be read (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, { cause });
  }
  if (!isFolder) return [path];
  const parts = readdirSync(path)
    .filter((name) => /\.(parquet|csv)(\.gz)?$/i.test(name))
    .sort()
    .map((name) => join(path, name));
  if (parts.length === 0) throw new ClusterExportError(path, undefined, undefined, 'is a folder holding no .parquet or .csv part file');
  return parts;
}

/** Reads `columns` of a table or table function, each cast to its type (a value that does not cast reads as null); `file` names it in errors. */
export async function readColumns(connection: DuckDBConnection, file: string, from: string, columns: readonly ExportColumn[]): Promise<ExportFile> {
  const select = columns.map((column) => `TRY_CAST("${column.name}" AS ${column.type})`).join(', ');
  const reader = await connection.runAndReadAll(`SELECT ${select} FROM ${from}`);
  const values = reader.getColumns();
  return { file, rows: reader.currentRowCount, columns: columns.map((_, c) => (values[c] ?? []).map((value) => (value === null ? null : Number(value)))) };
}

/**
 * Reads tables the cluster exported (Parquet, else CSV with a header), with
 * embedded DuckDB: every file of every path, each column cast to its type.
 * Why DuckDB: it is already the SQL engine's dependency and reads Parquet and
 * CSV alike (Spark writes either). A file without one of the columns is a
 * ClusterExportError naming it.
 */
export async function readExports(paths: readonly string[], columns: readonly ExportColumn[]): Promise<ExportFile[]> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    const read: ExportFile[] = [];
    for (const file of paths.flatMap(exportFiles)) {
      const source = /\.parquet$/i.test(file) ? `read_parquet(${quote(file)})` : `read_csv(${quote(file)}, header = true)`;
      let names: string[];
      try {
        names = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`)).getRows().map((row) => String(row[0]));
      } catch (cause) {
        // DuckDB's message may quote the file's contents: the cause keeps only its summary (ClusterExportError).
        throw new ClusterExportError(file, undefined, undefined, 'is not a Parquet or CSV file DuckDB can read', { cause });
      }
      const missing = columns.find((column) => !names.includes(column.name));
      if (missing !== undefined) throw new ClusterExportError(file, undefined, missing.name, 'the column is absent');
      try {
        read.push(await readColumns(connection, file, source, columns));
      } catch (cause) {
        // A line past the part DuckDB sniffed may not parse; its message quotes the line.
        throw new ClusterExportError(file, undefined, undefined, `cannot be read (${describeEngineError(cause)})`, { cause });
      }
    }
    return read;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
