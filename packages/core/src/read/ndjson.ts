// NDJSON sources: one JSON object per line. Lines are split here (readline would
// decode the bytes itself, replacing invalid UTF-8 with U+FFFD), the byte order
// mark and invalid bytes are handled once per file (source-text.ts), and a number
// in a requested field is read as the exact text in the file: JSON.parse turns
// 9007199254740993 into 9007199254740992 and 1.50 into 1.5.

import { EncodingError, MalformedRowError } from '../errors.js';
import { BAD_BYTES, decodeFileStream, invalidBytesMessage } from './source-text.js';

/**
 * The line being read, so a number value can be taken as written (see
 * {@link jsonNumberText}), and whether any text read so far matched the
 * control-character pattern (values are then checked one by one).
 */
export interface NdjsonCursor {
  line: string;
  controls: boolean;
}

/**
 * The records of an NDJSON file, one per non-blank line; rows count non-blank
 * lines from 1. `cursor.line` is the text of the record last yielded.
 */
export async function* parseNdjson(name: string, path: string, encoding: 'utf-8' | 'windows-1252', cursor: NdjsonCursor, controls: RegExp): AsyncGenerator<unknown> {
  let row = 0;
  let carry = '';
  function* lines(text: string, final: boolean): Generator<unknown> {
    let start = 0;
    for (;;) {
      let end = text.indexOf('\n', start);
      if (end < 0) {
        if (!final) {
          carry = text.slice(start);
          return;
        }
        end = text.length;
      }
      const line = text.slice(start, end);
      start = end + 1;
      if (line.trim() === '') {
        if (end === text.length) return;
        continue;
      }
      row++;
      if (final && end === text.length && line.endsWith(BAD_BYTES)) {
        throw new EncodingError(name, row, undefined, 'utf-8', invalidBytesMessage('row'));
      }
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        throw new MalformedRowError(name, row, 'line is not valid JSON');
      }
      cursor.line = line;
      yield record;
      if (end === text.length) return;
    }
  }
  for await (const chunk of decodeFileStream(name, path, [{ start: 0 }], encoding)) {
    // Pieces are cut anywhere: the carried partial line is scanned again with the piece.
    const text = carry + chunk;
    if (!cursor.controls && controls.test(text)) cursor.controls = true;
    yield* lines(text, false);
  }
  yield* lines(carry, true);
}

function skipSpace(text: string, at: number): number {
  while (at < text.length) {
    const c = text.charCodeAt(at);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
    at++;
  }
  return at;
}

/** Index just past the JSON string whose opening quote is at `at`. */
function stringEnd(text: string, at: number): number {
  for (let i = at + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i + 1;
  }
  return text.length;
}

/** Index just past the JSON value that starts at `at` (valid JSON assumed: JSON.parse read the line). */
function valueEnd(text: string, at: number): number {
  const first = text.charCodeAt(at);
  if (first === 0x22) return stringEnd(text, at);
  if (first === 0x7b || first === 0x5b) {
    let depth = 0;
    for (let i = at; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x22) i = stringEnd(text, i) - 1;
      else if (c === 0x7b || c === 0x5b) depth++;
      else if ((c === 0x7d || c === 0x5d) && --depth === 0) return i + 1;
    }
    return text.length;
  }
  let i = at;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x2c || c === 0x7d || c === 0x5d || c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) break;
    i++;
  }
  return i;
}

/**
 * The text of the number that member `key` of the JSON object on `line` holds,
 * exactly as written ("9007199254740993", "1.50", "1e3"), or undefined when the
 * member is absent or not a number. A repeated key: its last value, as JSON.parse
 * takes. Only called for a line whose parsed record holds a number in a requested field.
 */
export function jsonNumberText(line: string, key: string): string | undefined {
  let at = skipSpace(line, 0);
  if (line.charCodeAt(at) !== 0x7b) return undefined;
  at = skipSpace(line, at + 1);
  let found: string | undefined;
  while (at < line.length && line.charCodeAt(at) === 0x22) {
    const keyEnd = stringEnd(line, at);
    const raw = line.slice(at + 1, keyEnd - 1);
    const name = raw.includes('\\') ? (JSON.parse(line.slice(at, keyEnd)) as string) : raw;
    at = skipSpace(line, skipSpace(line, keyEnd) + 1); // past the colon
    const end = valueEnd(line, at);
    if (name === key) {
      const c = line.charCodeAt(at);
      found = c === 0x2d || (c >= 0x30 && c <= 0x39) ? line.slice(at, end) : undefined;
    }
    at = skipSpace(line, end);
    if (line.charCodeAt(at) === 0x2c) at = skipSpace(line, at + 1);
  }
  return found;
}
