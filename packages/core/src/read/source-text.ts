// Bytes of a source file to text, checked once per file (or part of one), off
// the per-value path: the byte order mark, the encoding, and invalid bytes.
//
// A file's bytes are UTF-8 unless the source declares `encoding: 'latin1'` (or
// 'windows-1252'). Invalid UTF-8 is never replaced by U+FFFD (a Latin-1 "Müller"
// would silently read as "M?ller"): the text is cut at the first invalid byte and
// ends with BAD_BYTES, a lone surrogate that no decoded text can hold, so the
// reader parses every row before it as usual and names the row (and column) the
// bad byte sits in, without ever showing the bytes.

import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { EncodingError, SettingsError } from '../errors.js';

/** Encodings a file source may declare. */
export type SourceEncoding = 'utf-8' | 'utf8' | 'latin1' | 'iso-8859-1' | 'windows-1252' | 'cp1252';

/** What each declared name is read as. Latin-1 is read as its superset Windows-1252, as the WHATWG Encoding Standard (and browsers' TextDecoder) does. */
const ENCODINGS: Readonly<Record<SourceEncoding, 'utf-8' | 'windows-1252'>> = Object.freeze({
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  latin1: 'windows-1252',
  'iso-8859-1': 'windows-1252',
  'windows-1252': 'windows-1252',
  cp1252: 'windows-1252',
});

/** The decoder a source's declared encoding names (default UTF-8); a typed error for a name not in the list. */
export function sourceEncoding(source: string, encoding: string | undefined): 'utf-8' | 'windows-1252' {
  if (encoding === undefined) return 'utf-8';
  const key = String(encoding).toLowerCase();
  if (!Object.prototype.hasOwnProperty.call(ENCODINGS, key)) {
    throw new SettingsError('sources', `source "${source}": unsupported encoding "${encoding}" (use one of ${Object.keys(ENCODINGS).join(', ')})`);
  }
  return ENCODINGS[key as SourceEncoding];
}

// Windows-1252 bytes 0x80-0x9F (Node's TextDecoder reads them as Latin-1's C1
// controls). The five bytes Windows-1252 leaves undefined stay C1 controls, as
// the Encoding Standard maps them; the reader flags such values.
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
].map((code) => String.fromCharCode(code));
const C1 = /[\x80-\x9f]/g;
const HAS_C1 = /[\x80-\x9f]/;

/** Windows-1252 text of bytes: Latin-1, with bytes 0x80-0x9F mapped as Windows-1252 maps them. */
export function decodeWindows1252(bytes: Buffer): string {
  const text = bytes.toString('latin1');
  return HAS_C1.test(text) ? text.replace(C1, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]) : text;
}

/** Ends a text cut at its first invalid byte. A lone high surrogate: decoded UTF-8 or Windows-1252 never holds one. */
export const BAD_BYTES = '\ud800';

/** The message of an EncodingError for the first invalid byte. */
export function invalidBytesMessage(where: 'header' | 'row'): string {
  return `${where === 'header' ? 'the header holds' : 'holds'} bytes that are not valid UTF-8 (the first is reported): declare the source's encoding (e.g. encoding: 'latin1') or save the file as UTF-8`;
}

/**
 * Offset of the first byte of the first invalid UTF-8 sequence in `bytes`, or
 * `bytes.length` when all are valid (the Unicode definition: no overlong forms,
 * no surrogates, nothing above U+10FFFF, no truncated sequence). Only run on a
 * buffer that isUtf8 refused, to find where.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const c = bytes[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    const more = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (more === 0 || i + more >= bytes.length) return i;
    const second = bytes[i + 1];
    const low = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const high = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    if (second < low || second > high) return i;
    for (let k = 2; k <= more; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return i;
    i += more + 1;
  }
  return bytes.length;
}

/** Length of the byte order mark the bytes start with, after refusing UTF-16 (whose BOM is not UTF-8 and whose text would read as NULs). */
function byteOrderMark(source: string, bytes: Uint8Array): number {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 3;
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    throw new EncodingError(source, undefined, undefined, 'utf-16', 'the file starts with a UTF-16 byte order mark: UTF-16 is not read; save the file as UTF-8');
  }
  return 0;
}

/**
 * The text of bytes that start at the start of a file: without a byte order
 * mark (a UTF-8 one means UTF-8, whatever the declared encoding, as the
 * Encoding Standard's BOM sniffing says), and, in UTF-8, cut at the first
 * invalid byte and ended with BAD_BYTES.
 */
export function decodeFileText(source: string, bytes: Buffer, encoding: 'utf-8' | 'windows-1252'): string {
  const bom = byteOrderMark(source, bytes);
  if (bom === 3 || encoding === 'utf-8') {
    const end = bytes.length;
    if (isUtf8(bom === 0 ? bytes : bytes.subarray(bom))) return bytes.toString('utf8', bom, end);
    const bad = bom + firstInvalidUtf8(bytes.subarray(bom));
    return bytes.toString('utf8', bom, bad) + BAD_BYTES;
  }
  return decodeWindows1252(bytes);
}

/** Bytes [start, end) of a file (end exclusive); start 0 is the start of the file. */
export interface FilePiece {
  readonly start: number;
  readonly end?: number;
}

/** Length of `bytes` without a UTF-8 sequence cut short at its end (kept for the next chunk). */
function completeLength(bytes: Buffer): number {
  let i = bytes.length - 1;
  let back = 0;
  while (i >= 0 && back < 3 && (bytes[i] & 0xc0) === 0x80) {
    i--;
    back++;
  }
  if (i < 0) return bytes.length;
  const lead = bytes[i];
  const size = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return bytes.length - i < size ? i : bytes.length;
}

/**
 * The text of pieces of a file, streamed in ~1 MB chunks, with the checks of
 * {@link decodeFileText}: the byte order mark is dropped where a piece starts
 * the file, and UTF-8 text stops at the first invalid byte with BAD_BYTES.
 * Pieces of a CSV part end on line breaks, so no character straddles them.
 */
export async function* decodeFileStream(source: string, path: string, pieces: readonly FilePiece[], encoding: 'utf-8' | 'windows-1252'): AsyncGenerator<string> {
  // A UTF-8 byte order mark at the start of the file (the first piece) decides for every piece.
  let utf8 = encoding === 'utf-8';
  for (const piece of pieces) {
    let first = piece.start === 0;
    let carry: Buffer | undefined;
    const bytes = createReadStream(path, { start: piece.start, end: piece.end === undefined ? undefined : piece.end - 1, highWaterMark: 1 << 20 });
    for await (const read of bytes as AsyncIterable<Buffer>) {
      let chunk = carry === undefined ? read : Buffer.concat([carry, read]);
      carry = undefined;
      if (first) {
        if (chunk.length < 3) {
          carry = chunk; // Too short to tell a byte order mark (a tiny first read).
          continue;
        }
        first = false;
        const bom = byteOrderMark(source, chunk);
        if (bom === 3) utf8 = true;
        chunk = chunk.subarray(bom);
      }
      if (!utf8) {
        if (chunk.length > 0) yield decodeWindows1252(chunk);
        continue;
      }
      const complete = completeLength(chunk);
      const whole = complete === chunk.length ? chunk : chunk.subarray(0, complete);
      if (!isUtf8(whole)) {
        yield whole.toString('utf8', 0, firstInvalidUtf8(whole)) + BAD_BYTES;
        return;
      }
      if (complete < chunk.length) carry = Buffer.from(chunk.subarray(complete));
      if (whole.length > 0) yield whole.toString('utf8');
    }
    if (carry !== undefined && carry.length > 0) {
      // The file ends inside a character (or was too short to hold a byte order mark).
      const bom = first ? byteOrderMark(source, carry) : 0;
      const rest = carry.subarray(bom);
      if (!utf8 && bom !== 3) yield decodeWindows1252(rest);
      else if (isUtf8(rest)) yield rest.toString('utf8');
      else {
        yield rest.toString('utf8', 0, firstInvalidUtf8(rest)) + BAD_BYTES;
        return;
      }
    }
  }
}
