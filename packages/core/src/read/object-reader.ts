// Records as objects: in memory from the API, or NDJSON lines; each value's text, Dates as calendar days.
import { EmptySourceError, InvalidValueError, MalformedRowError, MissingColumnError } from '../errors.js';
import { jsonNumberText, parseNdjson, type NdjsonCursor } from './ndjson.js';
import type { CellBatch, ControlScan, PlainRecord } from './source-input.js';

/**
 * In NDJSON text a control character inside a string is escaped: "\u0000" to
 * "\u001f", "\b", "\f", "\u007f" to "\u009f", or written as it is (DEL, C1). Any of
 * them (or a look-alike, such as an escaped backslash before "b") turns on the
 * check of each value.
 */
const NDJSON_CONTROL = /\\(?:u00(?:[01]|7[fF]|[89])|[bf])|[\x7f-\x9f]/;

const DAY_MS = 86_400_000;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * The calendar day a Date object stands for, as "YYYY-MM-DD". A Date is an
 * instant, not a day, so the rule recovers the day it was made for: a Date at
 * exactly midnight UTC (`new Date('1970-03-05')`, and the dates many database
 * drivers return) is read in UTC; any other Date (`new Date(1970, 2, 5)`, local
 * midnight, or one with a time of day) is read in this process's time zone.
 * Both constructions give the day they were made from, in every time zone: a
 * local midnight is a UTC midnight only where the offset is 0, where both readings agree.
 */
export function dateText(date: Date): string {
  const time = date.getTime();
  const utc = time % DAY_MS === 0;
  const year = utc ? date.getUTCFullYear() : date.getFullYear();
  const month = (utc ? date.getUTCMonth() : date.getMonth()) + 1;
  const day = utc ? date.getUTCDate() : date.getDate();
  // Years outside 0..9999 are written as they are; the date normalizer flags them.
  return `${year >= 0 && year <= 9999 ? pad(year, 4) : year}-${pad(month, 2)}-${pad(day, 2)}`;
}

/**
 * Text of one API or NDJSON value; anything that is not a scalar is a wrong type
 * for a demographic field. `numberText` gives a number's text as the file wrote
 * it (NDJSON); an in-memory number is written by String(), and one whose digits
 * may already be lost (an integer above 2^53) is refused.
 */
function cellText(source: string, row: number, column: string, value: unknown, numberText?: (column: string) => string | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    const written = numberText?.(column);
    if (written !== undefined) return written;
    if (!Number.isFinite(value)) throw new InvalidValueError(source, row, column, 'number is not finite');
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
      throw new InvalidValueError(source, row, column, 'integer above 2^53 whose digits may already be lost: pass it as a string or a bigint');
    }
    return String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new InvalidValueError(source, row, column, 'invalid Date object');
    return dateText(value);
  }
  throw new InvalidValueError(source, row, column, `wrong type: ${Array.isArray(value) ? 'array' : typeof value}`);
}

const hasOwn = (record: object, key: string): boolean => Object.prototype.hasOwnProperty.call(record, key);

/**
 * Reads plain objects (in memory, or NDJSON lines). A column is a record's own
 * property: "constructor", "toString" or "__proto__" are columns like any other,
 * never the Object prototype's members.
 */
export async function* readObjectCells(
  name: string,
  records: Iterable<unknown> | AsyncIterable<unknown>,
  columns: readonly string[],
  numberText?: (column: string) => string | undefined,
  scan: ControlScan = { controls: true },
): AsyncGenerator<CellBatch> {
  const seen = new Array<boolean>(columns.length).fill(false);
  const identity = columns.map((_, i) => i);
  let row = 0;
  let batch: string[][] = [];
  for await (const record of records as AsyncIterable<unknown>) {
    row++;
    let values: string[];
    try {
      if (record === null || typeof record !== 'object' || Array.isArray(record)) {
        throw new MalformedRowError(name, row, 'record is not a plain object');
      }
      values = columns.map((column, i) => {
        if (!hasOwn(record, column)) return '';
        seen[i] = true;
        return cellText(name, row, column, (record as PlainRecord)[column], numberText);
      });
    } catch (error) {
      // The records before the bad one are read first, so an error among them (a repeated id) is the one reported.
      if (batch.length > 0) yield { firstRow: row - batch.length, trim: false, controls: scan.controls, cells: batch, columns: identity };
      throw error;
    }
    batch.push(values);
    if (batch.length >= 4096) {
      yield { firstRow: row - batch.length + 1, trim: false, controls: scan.controls, cells: batch, columns: identity };
      batch = [];
    }
  }
  if (batch.length > 0) yield { firstRow: row - batch.length + 1, trim: false, controls: scan.controls, cells: batch, columns: identity };
  if (row === 0) throw new EmptySourceError(name);
  // Objects may omit empty keys, so a column is missing only when no record has it.
  const absent = seen.indexOf(false);
  if (absent >= 0) throw new MissingColumnError(name, columns[absent]);
}

/** An NDJSON file's records, with numbers read as the text the file holds. */
export function readNdjsonCells(name: string, path: string, columns: readonly string[], encoding: 'utf-8' | 'windows-1252'): AsyncGenerator<CellBatch> {
  const cursor: NdjsonCursor = { line: '', controls: false };
  return readObjectCells(name, parseNdjson(name, path, encoding, cursor, NDJSON_CONTROL), columns, (column) => jsonNumberText(cursor.line, column), cursor);
}
