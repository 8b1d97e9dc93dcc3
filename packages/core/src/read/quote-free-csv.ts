import { open } from 'node:fs/promises';
import { decodeFileText } from './source-text.js';
import type { ByteRange } from './source-input.js';

// Own code beside papaparse, for the common CSV file with no quote character at
// all: there, RFC 4180 parsing is splitting lines at "\n" and fields at ",", which
// native String methods do without papaparse's per-character state machine.
// Measured on FEBRL4's two 0.5 MB files in a fresh process: papaparse 85 ms,
// splitting 18 ms (papaparse's code starts cold in the interpreter). Anything
// else (a quote anywhere, a lone "\r" line end, a text above the size limit)
// goes to papaparse, so quoting rules live in one well-kept place.

/** The largest CSV text (a file, or a part of one) read whole to try the quote-free path. */
export const QUOTE_FREE_MAX_BYTES = 64 << 20;

/**
 * Rows per batch handed to the reader. Small, so a batch's field strings die
 * young: with 8,192 rows a batch outlived young-generation collections, which
 * copied it to the old generation. FEBRL4's read, alternating runs in fresh
 * processes: 286 ms median at 8,192, 255 at 512 (128: 258, 2,048: 276).
 */
export const QUOTE_FREE_BATCH_ROWS = 512;

/**
 * The text of a CSV file, or of its header and the rows in `range`, when it is at
 * most QUOTE_FREE_MAX_BYTES long; otherwise undefined (the caller streams it).
 * `decode` makes the text of the bytes, which start at the start of the file
 * (default: UTF-8 as source-text.ts decodes it, byte order mark dropped).
 * Read errors are thrown as they come (the caller names the source).
 */
export async function readCsvText(
  path: string,
  range?: ByteRange,
  decode = (bytes: Buffer) => decodeFileText('', bytes, 'utf-8'),
  maxBytes = QUOTE_FREE_MAX_BYTES,
): Promise<string | undefined> {
  const file = await open(path, 'r');
  try {
    const size = range === undefined ? (await file.stat()).size : range.headerEnd + (range.end - Math.max(range.start, range.headerEnd));
    if (size > maxBytes) return undefined;
    const bytes = Buffer.allocUnsafe(size);
    const pieces: [number, number][] = range === undefined ? [[0, size]] : [[0, range.headerEnd], [Math.max(range.start, range.headerEnd), range.end]];
    let at = 0;
    for (const [from, to] of pieces) {
      for (let position = from; position < to; ) {
        const { bytesRead } = await file.read(bytes, at, to - position, position);
        if (bytesRead === 0) break;
        at += bytesRead;
        position += bytesRead;
      }
    }
    return decode(at === size ? bytes : bytes.subarray(0, at));
  } finally {
    await file.close();
  }
}

/**
 * Whether a CSV text can be split without a CSV parser: no quote character, and
 * no carriage return but in "\r\n" (line ends "\n" or "\r\n", mixed or not: the
 * parser path reads "\r\n" as "\n" too; a file of lone "\r" line ends is the parser's).
 */
export function isQuoteFree(text: string): boolean {
  if (text.includes('"')) return false;
  return !text.includes('\r') || !/\r(?!\n)/.test(text);
}

/**
 * Rows of a quote-free CSV text, in batches, as papaparse gives them with
 * `skipEmptyLines: 'greedy'` and then every field trimmed (String.prototype.trim,
 * which the reader applies to CSV fields anyway): lines end at "\n" or "\r\n",
 * fields split at every delimiter (a comma unless the source declares or shows
 * another), and a line whose fields are all blank is skipped.
 * Each field is cut once at its trimmed bounds: splitting the line and trimming
 * made three strings per field (FEBRL puts a space after every comma).
 */
export function* quoteFreeBatches(text: string, delimiter = ','): Generator<string[][]> {
  let batch: string[][] = [];
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const next = end + 1;
    if (end > start && text.charCodeAt(end - 1) === 0x0d) end--;
    const fields = trimmedFields(text, start, end, delimiter);
    start = next;
    if (isBlank(fields)) continue;
    batch.push(fields);
    if (batch.length === QUOTE_FREE_BATCH_ROWS) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** The fields of text[start, end) split at the delimiter, each trimmed. */
function trimmedFields(text: string, start: number, end: number, delimiter: string): string[] {
  const fields: string[] = [];
  for (let from = start; ; ) {
    let comma = text.indexOf(delimiter, from);
    if (comma < 0 || comma > end) comma = end;
    let first = from;
    let last = comma;
    while (first < last && isTrimmed(text.charCodeAt(first))) first++;
    while (last > first && isTrimmed(text.charCodeAt(last - 1))) last--;
    fields.push(text.slice(first, last));
    if (comma === end) return fields;
    from = comma + 1;
  }
}

/** Whether String.prototype.trim removes this UTF-16 code unit (WhiteSpace and LineTerminator of ECMAScript). */
export function isTrimmed(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}

function isBlank(fields: readonly string[]): boolean {
  for (const field of fields) if (field !== '') return false;
  return true;
}
