import { DuckDBDataChunk, JSToDuckDBValueConverter, type DuckDBAppender, type DuckDBType } from '@duckdb/node-api';

/** Rows per data chunk: DuckDB's vector size, the most one chunk holds. */
export const CHUNK_ROWS = 2048;

/** A JS value for one cell: a number, a string, a list of them, or null. */
export type Cell = string | number | readonly (string | number)[] | null;

/**
 * Appends rows column by column, one data chunk of up to CHUNK_ROWS rows at a
 * time: `cell(column, row)` gives each cell. Columnar chunks cost one native call
 * per chunk instead of one per value (the per-value appender took 51 s to load
 * 1M records, most of it crossing into DuckDB value by value).
 */
export function appendColumns(appender: DuckDBAppender, rowCount: number, cell: (column: number, row: number) => Cell): void {
  const types: DuckDBType[] = Array.from({ length: appender.columnCount }, (_, c) => appender.columnType(c));
  const columns: Cell[][] = types.map(() => []);
  for (let start = 0; start < rowCount; start += CHUNK_ROWS) {
    const rows = Math.min(CHUNK_ROWS, rowCount - start);
    for (let c = 0; c < types.length; c++) {
      const column = columns[c];
      column.length = rows;
      for (let i = 0; i < rows; i++) column[i] = cell(c, start + i);
    }
    const chunk = DuckDBDataChunk.create(types, rows);
    chunk.setColumnsConverted(columns as never, JSToDuckDBValueConverter);
    appender.appendDataChunk(chunk);
  }
}
