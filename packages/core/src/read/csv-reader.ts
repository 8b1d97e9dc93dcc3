// CSV files: decoded, split when quote-free, else parsed by papaparse; cut into byte ranges for the parallel reader.
import { Readable } from 'node:stream';
import { open } from 'node:fs/promises';
import Papa from 'papaparse';
import { QUOTE_FREE_MAX_BYTES, isQuoteFree, quoteFreeBatches, readCsvText } from './quote-free-csv.js';
import { DuplicateColumnError, EmptySourceError, EncodingError, MalformedRowError, MissingColumnError, SourceUnreadableError } from '../errors.js';
import { BAD_BYTES, decodeFileStream, decodeFileText, invalidBytesMessage } from './source-text.js';
import type { ByteRange, CellBatch, ControlScan } from './source-input.js';

const CRLF = /\r\n/g;

/** Blanks between a delimiter and an opening quote (a doubled quote is an escaped one, left alone). */
function spaceBeforeQuote(delimiter: string): RegExp {
  const blanks = delimiter === '\t' ? ' ' : ' \\t';
  return new RegExp(`${delimiter.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[${blanks}]+"(?!")`, 'g');
}

/**
 * The text papaparse parses, from the decoded text, piece by piece:
 * - "\r\n" becomes "\n", so a file mixing CRLF and LF line ends reads as the
 *   quote-free split reads it (papaparse guesses one line end from the start of
 *   the file and would read the other as field text, joining two rows). A line
 *   break inside a quoted value reads as "\n" either way.
 * - Blanks between a delimiter and an opening quote (`a, "b, c"`) are dropped;
 *   papaparse would otherwise read the field as unquoted (csv-parse's `trim` did
 *   the same). A doubled quote (an escaped quote inside a quoted field) is left alone.
 * A trailing carriage return or comma-and-blanks is held back so the patterns are seen across pieces.
 */
export async function* csvParserText(pieces: AsyncIterable<string> | Iterable<string>, delimiter = ','): AsyncGenerator<string> {
  const spaceBefore = spaceBeforeQuote(delimiter);
  const delimiterCode = delimiter.charCodeAt(0);
  const blank = (c: number) => c !== delimiterCode && (c === 0x20 || c === 0x09);
  let tail = '';
  for await (const piece of pieces) {
    let text = tail + piece;
    let end = text.length;
    if (end > 0 && text.charCodeAt(end - 1) === 0x0d) end--;
    let blanks = end;
    while (blanks > 0 && blank(text.charCodeAt(blanks - 1))) blanks--;
    if (blanks > 0 && text.charCodeAt(blanks - 1) === delimiterCode) end = blanks - 1;
    tail = text.slice(end);
    if (end < text.length) text = text.slice(0, end);
    if (text.includes('\r')) text = text.replace(CRLF, '\n');
    text = text.replace(spaceBefore, `${delimiter}"`);
    if (text !== '') yield text;
  }
  if (tail !== '') yield tail;
}

/** The decoded text of a CSV file, or of its header and the rows in `range`, streamed (see source-text.ts). */
function csvText(name: string, path: string, range: ByteRange | undefined, encoding: 'utf-8' | 'windows-1252'): AsyncGenerator<string> {
  if (range === undefined) return decodeFileStream(name, path, [{ start: 0 }], encoding);
  if (range.start <= range.headerEnd) return decodeFileStream(name, path, [{ start: 0, end: range.end }], encoding);
  // Both pieces end on a line break, so no character straddles the seam.
  return decodeFileStream(name, path, [{ start: 0, end: range.headerEnd }, { start: range.start, end: range.end }], encoding);
}

/** Text pieces as a stream papaparse reads, after {@link csvParserText}. */
function parserStream(pieces: AsyncIterable<string> | Iterable<string>, delimiter: string): Readable {
  return Readable.from(csvParserText(pieces, delimiter), { objectMode: false, encoding: 'utf8' });
}

/** Bytes read at a time while placing cuts: what {@link csvCuts} holds, whatever the file's size. */
export const CUT_SCAN_BYTES = 1 << 20;

/**
 * Offsets that cut a CSV file into about `parts` pieces of whole rows, for reading
 * one large source on several threads. A cut is placed only after a line break
 * outside quotes (an even number of quote characters before it) and never inside
 * the header line. Returns the header's end and the cuts; no cuts when the file
 * is small or has no safe place.
 *
 * Whether a line break ends a row depends on every quote character before it (a
 * quoted value may hold line breaks, and a quote inside one is doubled, so the
 * count's parity stays right), so no seek can tell it from the bytes around a cut
 * alone: the file is read once, in order, `blockBytes` at a time, counting quotes.
 * Only one block is held (not the file: 1.6 GB for a 10M-record source), and the
 * cuts are the same whatever the block size (csv-cuts.test.ts).
 */
export async function csvCuts(path: string, parts: number, blockBytes = CUT_SCAN_BYTES): Promise<{ headerEnd: number; cuts: number[] }> {
  const file = await open(path, 'r');
  try {
    const size = (await file.stat()).size;
    const block = Buffer.allocUnsafe(Math.max(1, Math.min(blockBytes, size)));
    const cuts: number[] = [];
    let headerEnd = 0;
    let step = 0;
    let quotes = 0;
    // The next cut is the first line break at or after `at` with an even count of quotes before it.
    let at = 0;
    for (let position = 0; position < size; ) {
      const { bytesRead } = await file.read(block, 0, block.length, position);
      if (bytesRead === 0) break;
      const bytes = block.subarray(0, bytesRead);
      let from = 0;
      if (headerEnd === 0) {
        const newline = bytes.indexOf(0x0a);
        // The header holds a quote: its end is not sure to be a line break outside quotes.
        if (bytes.subarray(0, newline < 0 ? bytesRead : newline).includes(0x22)) return { headerEnd: newline < 0 ? 0 : position + newline + 1, cuts };
        if (newline < 0) {
          position += bytesRead;
          continue;
        }
        headerEnd = position + newline + 1;
        if (parts < 2) return { headerEnd, cuts };
        step = Math.ceil((size - headerEnd) / parts);
        at = headerEnd + step;
        from = newline + 1;
      }
      while (from < bytesRead) {
        const newline = bytes.indexOf(0x0a, Math.max(from, at - position));
        const scanned = newline < 0 ? bytesRead : newline;
        for (let q = bytes.indexOf(0x22, from); q >= 0 && q < scanned; q = bytes.indexOf(0x22, q + 1)) quotes++;
        from = scanned;
        if (newline < 0) break;
        const cut = position + newline + 1;
        if (cut >= size) return { headerEnd, cuts };
        from = newline + 1;
        if (quotes % 2 !== 0) continue;
        cuts.push(cut);
        if (cuts.length === parts - 1) return { headerEnd, cuts };
        at = headerEnd + (cuts.length + 1) * step;
      }
      position += bytesRead;
    }
    return { headerEnd, cuts };
  } finally {
    await file.close();
  }
}

/**
 * Parses CSV text (a file stream, or a text already read) in batches of rows with papaparse (about five times faster
 * than csv-parse on these files, which matters at 1M records), pausing the
 * parser while the consumer catches up so memory stays bounded.
 * `stream` is text from {@link parserStream}: byte order mark dropped, line ends "\n".
 */
async function* csvBatches(name: string, stream: Readable, delimiter: string): AsyncGenerator<string[][]> {
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
  let thrown: Error | undefined;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    // A typed error from decoding (UTF-16) is passed on as it is.
    if (error instanceof EncodingError) thrown ??= error;
    failure ??= { code: error.code ?? 'EIO', row: -1 };
    notify();
  });
  Papa.parse<string[]>(stream as unknown as File, {
    skipEmptyLines: 'greedy',
    delimiter,
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
        if (thrown !== undefined) throw thrown;
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

/**
 * Where each requested column sits in the header. Names are trimmed; a requested
 * column that appears twice is refused (which one to read would be a guess), and
 * so is a header holding NUL characters (UTF-16 text without a byte order mark).
 */
function headerIndexes(source: string, header: readonly string[], columns: readonly string[]): number[] {
  const names = header.map((h) => h.trim());
  if (names.some((n) => n.includes('\0'))) {
    throw new EncodingError(source, undefined, undefined, 'utf-16', 'the header holds NUL characters: the file looks like UTF-16, which is not read; save it as UTF-8');
  }
  return columns.map((column) => {
    const index = names.indexOf(column);
    if (index < 0) throw new MissingColumnError(source, column);
    if (names.indexOf(column, index + 1) >= 0) {
      const positions = names.flatMap((n, i) => (n === column ? [i + 1] : []));
      throw new DuplicateColumnError(source, column, positions);
    }
    return index;
  });
}

/** Index of the field holding BAD_BYTES (the text was cut at an invalid byte there), or -1. */
function badBytesField(record: readonly string[] | undefined): number {
  if (record === undefined) return -1;
  for (let f = record.length - 1; f >= 0; f--) if (record[f].includes(BAD_BYTES)) return f;
  return -1;
}

/**
 * The reader's size limit, open to tests: a CSV text (file or part) above
 * `wholeTextBytes` is streamed through papaparse instead of read whole.
 * Changing it affects this thread only (read workers keep the default).
 */
export const readerLimits = { wholeTextBytes: QUOTE_FREE_MAX_BYTES };

/** A control character but tab, LF and CR (C0, DEL, C1): looked for once per CSV text, or per piece of a streamed one. */
const CONTROL_CHARACTER = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/;
/**
 * Batches of a CSV file's rows (header first): split directly when quote-free
 * (see quote-free-csv.ts), else parsed by papaparse, from the text already read
 * when it was small enough to read whole, else streamed from the file.
 */
async function* csvRows(name: string, path: string, encoding: 'utf-8' | 'windows-1252', delimiter: string, scan: ControlScan, range?: ByteRange): AsyncGenerator<string[][]> {
  let text: string | undefined;
  try {
    text = await readCsvText(path, range, (bytes) => decodeFileText(name, bytes, encoding), readerLimits.wholeTextBytes);
  } catch (error) {
    if (error instanceof EncodingError) throw error;
    throw new SourceUnreadableError(name, `cannot read file (${(error as { code?: string }).code ?? 'EIO'})`);
  }
  if (text === undefined) {
    // Each piece is scanned before papaparse parses its rows, so the flag is up before they are read.
    const pieces = async function* () {
      for await (const piece of csvText(name, path, range, encoding)) {
        if (!scan.controls && CONTROL_CHARACTER.test(piece)) scan.controls = true;
        yield piece;
      }
    };
    yield* csvBatches(name, parserStream(pieces(), delimiter), delimiter);
    return;
  }
  scan.controls = CONTROL_CHARACTER.test(text);
  if (isQuoteFree(text)) yield* quoteFreeBatches(text, delimiter);
  else yield* csvBatches(name, parserStream(textChunks(text), delimiter), delimiter);
}

/**
 * A text already in memory as a stream of ~1 MB pieces, as a file stream would
 * give it (papaparse joins rows across pieces); no piece ends inside a surrogate pair.
 */
function* textChunks(text: string): Generator<string> {
  const piece = 1 << 20;
  for (let at = 0; at < text.length; ) {
    let end = Math.min(text.length, at + piece);
    if (end < text.length && (text.charCodeAt(end) & 0xfc00) === 0xdc00) end++;
    yield text.slice(at, end);
    at = end;
  }
}

/**
 * Why a row has another number of fields than the header, when a field shows it:
 * a line break read as field text (a lone CR in a file of LF line ends, or the
 * reverse) or the start of another row.
 */
function fieldCountHint(record: readonly string[]): string {
  return record.some((field) => field.includes('\r') || field.includes('\n'))
    ? ' (a field holds a line break: the file mixes line endings, or a quoted value spans lines)'
    : '';
}

/** The requested columns of a CSV file (or of a byte range of it), in batches of raw cells; fields split at `delimiter`. */
export async function* readCsvCells(
  name: string,
  path: string,
  columns: readonly string[],
  encoding: 'utf-8' | 'windows-1252',
  range?: ByteRange,
  delimiter = ',',
): AsyncGenerator<CellBatch> {
  let indexes: number[] | undefined;
  let header: readonly string[] = [];
  let width = 0;
  let row = 0;
  const scan: ControlScan = { controls: false };
  for await (const records of csvRows(name, path, encoding, delimiter, scan, range)) {
    const { controls } = scan;
    let start = 0;
    // The text ends at the first invalid byte (source-text.ts): the last row read holds it.
    const badField = badBytesField(records[records.length - 1]);
    const limit = badField >= 0 ? records.length - 1 : records.length;
    if (indexes === undefined) {
      if (records.length === 0) continue;
      if (limit === 0) throw new EncodingError(name, undefined, undefined, encoding, invalidBytesMessage('header'));
      header = records[0];
      indexes = headerIndexes(name, header, columns);
      width = records[0].length;
      start = 1;
    }
    let end = start;
    while (end < limit && records[end].length === width) end++;
    if (end < limit) {
      // The rows before the bad one are read first, so an error among them (a repeated id) is the one reported.
      if (end > start) yield { firstRow: row + 1, trim: true, controls, cells: records.slice(start, end), columns: indexes };
      throw new MalformedRowError(name, row + end - start + 1, `row has ${records[end].length} fields, the header has ${width}${fieldCountHint(records[end])}`);
    }
    if (limit > start) yield { firstRow: row + 1, trim: true, controls, cells: start === 0 && limit === records.length ? records : records.slice(start, limit), columns: indexes };
    row += limit - start;
    if (badField >= 0) {
      const column = badField < header.length ? header[badField].trim() : undefined;
      throw new EncodingError(name, row + 1, column, encoding, invalidBytesMessage('row'));
    }
  }
  if (indexes === undefined || row === 0) throw new EmptySourceError(name);
}
