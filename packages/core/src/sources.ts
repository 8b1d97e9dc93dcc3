import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import { EmptySourceError, InvalidValueError, MalformedRowError, MissingColumnError, SourceUnreadableError } from './errors.js';

/** A plain record from the API: column name -> value (string, number, Date, null or undefined). */
export type PlainRecord = Readonly<Record<string, unknown>>;

/**
 * A named source of records: a CSV or NDJSON file, or records in memory
 * (an array or any sync/async iterable of plain objects).
 */
export type SourceInput =
  | { readonly name: string; readonly path: string; readonly format?: 'csv' | 'ndjson' }
  | { readonly name: string; readonly records: Iterable<PlainRecord> | AsyncIterable<PlainRecord> };

/** One data row of a source: its 1-based row number and the requested columns' raw text, in request order. */
export interface SourceRow {
  readonly row: number;
  readonly values: readonly string[];
}

/** Largest CSV record accepted; a bigger one is malformed input, not a patient. */
const MAX_RECORD_BYTES = 1 << 20;

/** csv-parse messages can quote the offending value, so only its code is turned into our own words. */
function csvProblem(code: string | undefined): string {
  switch (code) {
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      return 'row has a different number of fields than the header';
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is never closed';
    case 'INVALID_OPENING_QUOTE':
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'malformed quoting';
    case 'CSV_MAX_RECORD_SIZE':
      return `record larger than ${MAX_RECORD_BYTES} bytes`;
    default:
      return `malformed CSV (${code ?? 'unknown'})`;
  }
}

function headerIndexes(source: string, header: readonly string[], columns: readonly string[]): number[] {
  return columns.map((column) => {
    const index = header.indexOf(column);
    if (index < 0) throw new MissingColumnError(source, column);
    return index;
  });
}

async function* readCsv(name: string, path: string, columns: readonly string[]): AsyncGenerator<SourceRow> {
  const parser = createReadStream(path).pipe(
    parse({ bom: true, trim: true, skip_empty_lines: true, max_record_size: MAX_RECORD_BYTES }),
  );
  let indexes: number[] | undefined;
  let row = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (indexes === undefined) {
        indexes = headerIndexes(name, record, columns);
        continue;
      }
      row++;
      yield { row, values: indexes.map((i) => record[i]) };
    }
  } catch (error) {
    if (error instanceof MissingColumnError) throw error;
    const { code, records } = error as { code?: string; records?: number };
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') throw new SourceUnreadableError(name, `cannot read file (${code})`);
    throw new MalformedRowError(name, records, csvProblem(code));
  } finally {
    parser.destroy();
  }
  if (indexes === undefined || row === 0) throw new EmptySourceError(name);
}

/** Text of one API value; anything that is not a scalar is a wrong type for a demographic field. */
function cellText(source: string, row: number, column: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new InvalidValueError(source, row, column, 'invalid Date object');
    return value.toISOString().slice(0, 10);
  }
  throw new InvalidValueError(source, row, column, `wrong type: ${Array.isArray(value) ? 'array' : typeof value}`);
}

async function* readObjects(
  name: string,
  records: Iterable<PlainRecord> | AsyncIterable<PlainRecord>,
  columns: readonly string[],
): AsyncGenerator<SourceRow> {
  const seen = new Array<boolean>(columns.length).fill(false);
  let row = 0;
  for await (const record of records as AsyncIterable<PlainRecord>) {
    row++;
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      throw new MalformedRowError(name, row, 'record is not a plain object');
    }
    const values = columns.map((column, i) => {
      if (column in record) seen[i] = true;
      return cellText(name, row, column, record[column]);
    });
    yield { row, values };
  }
  if (row === 0) throw new EmptySourceError(name);
  // Objects may omit empty keys, so a column is missing only when no record has it.
  const absent = seen.indexOf(false);
  if (absent >= 0) throw new MissingColumnError(name, columns[absent]);
}

async function* parseNdjson(name: string, path: string): AsyncGenerator<PlainRecord> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let row = 0;
  for await (const line of lines) {
    if (line.trim() === '') continue;
    row++;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      throw new MalformedRowError(name, row, 'line is not valid JSON');
    }
    yield record as PlainRecord;
  }
}

/**
 * Reads one source, yielding for every data row the raw text of the requested
 * columns. Throws typed errors naming the source, row and column: missing file,
 * absent column, malformed row, wrong value type, empty source.
 */
export async function* readSource(input: SourceInput, columns: readonly string[]): AsyncGenerator<SourceRow> {
  if ('records' in input) {
    yield* readObjects(input.name, input.records, columns);
    return;
  }
  try {
    const info = await stat(input.path);
    if (!info.isFile()) throw new SourceUnreadableError(input.name, 'path is not a file');
  } catch (error) {
    if (error instanceof SourceUnreadableError) throw error;
    throw new SourceUnreadableError(input.name, `cannot read file (${(error as { code?: string }).code ?? 'error'})`);
  }
  const format = input.format ?? (input.path.endsWith('.ndjson') || input.path.endsWith('.jsonl') ? 'ndjson' : 'csv');
  if (format === 'ndjson') yield* readObjects(input.name, parseNdjson(input.name, input.path), columns);
  else yield* readCsv(input.name, input.path, columns);
}
