// What the readers read and give: the source inputs of the API and the batches of raw cells.
import type { SourceEncoding } from './source-text.js';

export type { SourceEncoding } from './source-text.js';

/** A plain record from the API: column name -> value (string, number, Date, null or undefined). */
export type PlainRecord = Readonly<Record<string, unknown>>;

/**
 * A named source of records: a CSV or NDJSON file, or records in memory
 * (an array or any sync/async iterable of plain objects). A file is UTF-8
 * unless `encoding` says 'latin1' (read as its superset Windows-1252, as the
 * WHATWG Encoding Standard reads it) or 'windows-1252'; see docs/input-rules.md.
 * A CSV file's fields are split at `delimiter` (one character, e.g. ";" or "\t");
 * without it, at the one of `,` `;` tab `|` its header line shows.
 * A file of FHIR R4 Patient resources (Bulk Data NDJSON or a Bundle) is read as
 * `format: 'fhir'`, declared or recognised from its content (docs/fhir.md). A
 * Parquet file (`format: 'parquet'`, or recognised by its magic number) is read
 * by embedded DuckDB in batches, its values as in-memory records' are.
 */
export type SourceInput =
  | { readonly name: string; readonly path: string; readonly format?: 'csv' | 'ndjson' | 'fhir' | 'parquet'; readonly encoding?: SourceEncoding; readonly delimiter?: string }
  | { readonly name: string; readonly records: Iterable<PlainRecord> | AsyncIterable<PlainRecord> };

/** One data row of a source: its 1-based row number and the requested columns' raw text, in request order. */
export interface SourceRow {
  readonly row: number;
  readonly values: readonly string[];
}

/**
 * Part of a CSV file to read: its header line (bytes before `headerEnd`) followed
 * by the data rows in bytes [start, end). Both ends sit just after a line break.
 */
export interface ByteRange {
  readonly headerEnd: number;
  readonly start: number;
  readonly end: number;
}

/**
 * A batch of data rows as parsed, without a copy per row: `cells[i][columns[c]]`
 * is the raw text of requested column c in data row `firstRow + i`, to be
 * trimmed when `trim` is set (CSV fields; API values are taken as given).
 */
export interface CellBatch {
  readonly firstRow: number;
  readonly trim: boolean;
  /**
   * False when the source's text was found free of control characters (see
   * CONTROL_CHARACTER), so its values need no check one by one; true for
   * in-memory records, which have no text to look at once.
   */
  readonly controls: boolean;
  readonly cells: readonly (readonly string[])[];
  readonly columns: readonly number[];
}

/** Whether a source's text holds a control character; values are checked one by one only then. */
export interface ControlScan {
  controls: boolean;
}
