import { createReadStream } from 'node:fs';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { readFile, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import Papa from 'papaparse';
import { isQuoteFree, quoteFreeBatches, readCsvText } from './quote-free-csv.js';
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

/**
 * Drops blanks between a comma and an opening quote (`a, "b, c"`), which
 * papaparse would otherwise read as an unquoted field; csv-parse's `trim` did the
 * same. A doubled quote (an escaped quote inside a quoted field) is left alone.
 * A trailing comma-and-blanks is held back so the pattern is seen across chunks.
 */
class SpaceBeforeQuote extends Transform {
  private tail = '';
  constructor() {
    super({ decodeStrings: false, encoding: 'utf8' });
  }
  override _transform(chunk: string, _encoding: BufferEncoding, done: TransformCallback): void {
    let text = this.tail + chunk;
    const held = /,[ \t]*$/.exec(text);
    this.tail = held ? held[0] : '';
    if (held) text = text.slice(0, held.index);
    done(null, text.replace(/,[ \t]+"(?!")/g, ',"'));
  }
  override _flush(done: TransformCallback): void {
    done(null, this.tail);
  }
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

function csvText(path: string, range: ByteRange | undefined): Readable {
  const options = { encoding: 'utf8', highWaterMark: 1 << 20 } as const;
  if (range === undefined) return createReadStream(path, options);
  if (range.start <= range.headerEnd) return createReadStream(path, { ...options, end: range.end - 1 });
  // Both pieces end on a line break, so no character straddles the seam.
  return Readable.from(
    (async function* () {
      yield* createReadStream(path, { ...options, end: range.headerEnd - 1 });
      yield* createReadStream(path, { ...options, start: range.start, end: range.end - 1 });
    })(),
    { objectMode: false, encoding: 'utf8' },
  );
}

/**
 * Offsets that cut a CSV file into about `parts` pieces of whole rows, for reading
 * one large source on several threads. A cut is placed only after a line break
 * outside quotes (an even number of quote characters before it) and never inside
 * the header line. Returns the header's end and the cuts; no cuts when the file
 * is small or has no safe place.
 */
export async function csvCuts(path: string, parts: number): Promise<{ headerEnd: number; cuts: number[] }> {
  const text = await readFile(path);
  const headerEnd = text.indexOf(0x0a) + 1;
  const cuts: number[] = [];
  if (headerEnd <= 0 || parts < 2 || text.subarray(0, headerEnd).includes(0x22)) return { headerEnd, cuts };
  const step = Math.ceil((text.length - headerEnd) / parts);
  let quotes = 0;
  let scanned = headerEnd;
  for (let k = 1; k < parts; k++) {
    let at = headerEnd + k * step;
    for (;;) {
      const newline = text.indexOf(0x0a, Math.max(at, scanned));
      if (newline < 0 || newline + 1 >= text.length) return { headerEnd, cuts };
      for (let q = text.indexOf(0x22, scanned); q >= 0 && q < newline; q = text.indexOf(0x22, q + 1)) quotes++;
      scanned = newline;
      at = newline + 1;
      if (quotes % 2 === 0) break;
    }
    cuts.push(at);
  }
  return { headerEnd, cuts };
}

/**
 * Parses CSV text (a file stream, or a text already read) in batches of rows with papaparse (about five times faster
 * than csv-parse on these files, which matters at 1M records), pausing the
 * parser while the consumer catches up so memory stays bounded.
 * Fields are trimmed (FEBRL puts a space after every comma) and BOM/CRLF are handled.
 */
async function* csvBatches(name: string, text: Readable): AsyncGenerator<string[][]> {
  const queue: string[][][] = [];
  let finished = false;
  let failure: { code: string; row: number } | undefined;
  let parser: Papa.Parser | undefined;
  let rowsBefore = 0;
  let paused = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const stream = text.pipe(new SpaceBeforeQuote());
  stream.on('error', (error: NodeJS.ErrnoException) => {
    failure ??= { code: error.code ?? 'EIO', row: -1 };
    notify();
  });
  Papa.parse<string[]>(stream as unknown as File, {
    skipEmptyLines: 'greedy',
    delimiter: ',',
    chunk(results, p) {
      parser = p;
      if (results.errors.length > 0 && failure === undefined) {
        // papaparse rows count from the chunk start, header included.
        failure = { code: results.errors[0].code, row: rowsBefore + (results.errors[0].row ?? 0) };
        p.abort();
      }
      rowsBefore += results.data.length;
      queue.push(results.data);
      if (queue.length >= 4 && !paused) {
        paused = true;
        p.pause();
      }
      notify();
    },
    complete() {
      finished = true;
      notify();
    },
    error(error: Error) {
      failure ??= { code: (error as { code?: string }).code ?? 'EIO', row: -1 };
      notify();
    },
  });
  try {
    for (;;) {
      const batch = queue.shift();
      if (batch !== undefined) {
        // papaparse polls every 3 ms when resumed while not paused: resume only what we paused.
        if (paused && queue.length < 2) {
          paused = false;
          parser?.resume();
        }
        yield batch;
        continue;
      }
      if (failure !== undefined) {
        if (failure.row < 0) throw new SourceUnreadableError(name, `cannot read file (${failure.code})`);
        // Row numbers are data rows: the header is row 0.
        throw new MalformedRowError(name, failure.row, failure.code === 'MissingQuotes' ? 'a quoted field is never closed' : 'malformed quoting');
      }
      if (finished) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    if (!finished) parser?.abort();
    stream.destroy();
  }
}

function headerIndexes(source: string, header: readonly string[], columns: readonly string[]): number[] {
  const names = header.map((h) => h.trim());
  return columns.map((column) => {
    const index = names.indexOf(column);
    if (index < 0) throw new MissingColumnError(source, column);
    return index;
  });
}

/**
 * A batch of data rows as parsed, without a copy per row: `cells[i][columns[c]]`
 * is the raw text of requested column c in data row `firstRow + i`, to be
 * trimmed when `trim` is set (CSV fields; API values are taken as given).
 */
export interface CellBatch {
  readonly firstRow: number;
  readonly trim: boolean;
  readonly cells: readonly (readonly string[])[];
  readonly columns: readonly number[];
}

/**
 * Batches of a CSV file's rows (header first): split directly when quote-free
 * (see quote-free-csv.ts), else parsed by papaparse, from the text already read
 * when it was small enough to read whole, else streamed from the file.
 */
async function* csvRows(name: string, path: string, range?: ByteRange): AsyncGenerator<string[][]> {
  let text: string | undefined;
  try {
    text = await readCsvText(path, range);
  } catch (error) {
    throw new SourceUnreadableError(name, `cannot read file (${(error as { code?: string }).code ?? 'EIO'})`);
  }
  if (text === undefined) yield* csvBatches(name, csvText(path, range));
  else if (isQuoteFree(text)) yield* quoteFreeBatches(text);
  else yield* csvBatches(name, textChunks(text));
}

/**
 * A text already in memory as a stream of ~1 MB pieces, as a file stream would
 * give it (papaparse joins rows across pieces); no piece ends inside a surrogate pair.
 */
function textChunks(text: string): Readable {
  const piece = 1 << 20;
  return Readable.from(
    (function* () {
      for (let at = 0; at < text.length; ) {
        let end = Math.min(text.length, at + piece);
        if (end < text.length && (text.charCodeAt(end) & 0xfc00) === 0xdc00) end++;
        yield text.slice(at, end);
        at = end;
      }
    })(),
    { objectMode: false, encoding: 'utf8' },
  );
}

async function* readCsvCells(name: string, path: string, columns: readonly string[], range?: ByteRange): AsyncGenerator<CellBatch> {
  let indexes: number[] | undefined;
  let width = 0;
  let row = 0;
  for await (const records of csvRows(name, path, range)) {
    let start = 0;
    if (indexes === undefined) {
      if (records.length === 0) continue;
      indexes = headerIndexes(name, records[0], columns);
      width = records[0].length;
      start = 1;
    }
    let end = start;
    while (end < records.length && records[end].length === width) end++;
    if (end < records.length) {
      // The rows before the bad one are read first, so an error among them (a repeated id) is the one reported.
      if (end > start) yield { firstRow: row + 1, trim: true, cells: records.slice(start, end), columns: indexes };
      throw new MalformedRowError(name, row + end - start + 1, `row has ${records[end].length} fields, the header has ${width}`);
    }
    if (records.length > start) yield { firstRow: row + 1, trim: true, cells: start === 0 ? records : records.slice(start), columns: indexes };
    row += records.length - start;
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

async function* readObjectCells(
  name: string,
  records: Iterable<PlainRecord> | AsyncIterable<PlainRecord>,
  columns: readonly string[],
): AsyncGenerator<CellBatch> {
  const seen = new Array<boolean>(columns.length).fill(false);
  const identity = columns.map((_, i) => i);
  let row = 0;
  let batch: string[][] = [];
  for await (const record of records as AsyncIterable<PlainRecord>) {
    row++;
    let values: string[];
    try {
      if (record === null || typeof record !== 'object' || Array.isArray(record)) {
        throw new MalformedRowError(name, row, 'record is not a plain object');
      }
      values = columns.map((column, i) => {
        if (column in record) seen[i] = true;
        return cellText(name, row, column, record[column]);
      });
    } catch (error) {
      // The records before the bad one are read first, so an error among them (a repeated id) is the one reported.
      if (batch.length > 0) yield { firstRow: row - batch.length, trim: false, cells: batch, columns: identity };
      throw error;
    }
    batch.push(values);
    if (batch.length >= 4096) {
      yield { firstRow: row - batch.length + 1, trim: false, cells: batch, columns: identity };
      batch = [];
    }
  }
  if (batch.length > 0) yield { firstRow: row - batch.length + 1, trim: false, cells: batch, columns: identity };
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
 * Reads one source (or, given a byte range, part of a CSV source, with rows
 * numbered from the part's start), yielding batches of parsed rows and where the requested
 * columns sit in them. Throws typed errors naming the source, row and column:
 * missing file, absent column, malformed row, wrong value type, empty source.
 */
export async function* readSourceCells(input: SourceInput, columns: readonly string[], range?: ByteRange): AsyncGenerator<CellBatch> {
  if ('records' in input) {
    yield* readObjectCells(input.name, input.records, columns);
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
  if (format === 'ndjson') yield* readObjectCells(input.name, parseNdjson(input.name, input.path), columns);
  else yield* readCsvCells(input.name, input.path, columns, range);
}

/**
 * Reads one source, yielding batches of data rows with the trimmed raw text of
 * the requested columns. Same errors as readSourceCells.
 */
export async function* readSource(input: SourceInput, columns: readonly string[]): AsyncGenerator<SourceRow[]> {
  for await (const { firstRow, trim, cells, columns: at } of readSourceCells(input, columns)) {
    yield cells.map((record, i) => ({ row: firstRow + i, values: at.map((c) => (trim ? record[c].trim() : record[c])) }));
  }
}
