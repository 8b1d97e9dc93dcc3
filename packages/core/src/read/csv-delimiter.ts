// The field delimiter of a CSV source: the one it declares, or the one its header line shows.
import { open } from 'node:fs/promises';
import { SettingsError, SourceError, SourceUnreadableError } from '../errors.js';
import { decodeFileText } from './source-text.js';

/** Delimiters recognised in a header line when a source declares none, in the order a tie is reported. */
export const DETECTED_DELIMITERS = [',', ';', '\t', '|'] as const;

/** Bytes read from the start of a file to find its delimiter: the header and a few rows. */
const SNIFF_BYTES = 64 << 10;
/** Data rows beyond the header looked at when the header holds more than one candidate. */
const SNIFF_ROWS = 20;

/** A delimiter's name in messages (a tab is invisible). */
export function delimiterName(delimiter: string): string {
  return delimiter === '\t' ? 'tab' : `"${delimiter}"`;
}

/** Checks a declared delimiter: one character that is not a quote, a line break or a letter or digit. */
export function checkDelimiter(source: string, delimiter: string): string {
  if (typeof delimiter !== 'string' || delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r' || /[\p{L}\p{N}]/u.test(delimiter)) {
    throw new SettingsError('sources', `source "${source}": delimiter must be one character other than a quote, a line break, a letter or a digit (e.g. ";" or a tab)`);
  }
  return delimiter;
}

/** How often each candidate occurs in a line outside quoted text. */
function counts(line: string): number[] {
  const unquoted = line.replace(/"(?:[^"]|"")*"/g, '');
  return DETECTED_DELIMITERS.map((d) => unquoted.split(d).length - 1);
}

/**
 * The delimiter of a CSV text's first lines: the one candidate (`,` `;` tab `|`)
 * the header line holds; when it holds several, the one whose count is the same
 * in the header and every complete data row looked at; when it holds none, a
 * comma (a file of one column). Undefined when the lines cannot decide.
 */
export function detectDelimiter(text: string, complete = true): string | undefined {
  const lines = text.split('\n');
  // A text cut short by the read ends inside a line: only whole lines count.
  const whole = complete || lines.length === 1 ? lines : lines.slice(0, -1);
  const [header, ...rows] = whole.map((line) => line.replace(/\r$/, '')).filter((line) => line.trim() !== '');
  if (header === undefined) return ',';
  const inHeader = counts(header);
  const present = DETECTED_DELIMITERS.filter((_, i) => inHeader[i] > 0);
  if (present.length === 0) return ',';
  if (present.length === 1) return present[0];
  const sample = rows.slice(0, SNIFF_ROWS).map(counts);
  if (sample.length === 0) return undefined;
  const steady = present.filter((d) => {
    const i = DETECTED_DELIMITERS.indexOf(d);
    return sample.every((row) => row[i] === inHeader[i]);
  });
  return steady.length === 1 ? steady[0] : undefined;
}

/**
 * The delimiter to read a CSV file with: `declared` when given (checked), else
 * the one its first lines show. A file whose lines cannot decide is a typed
 * error naming the source and the candidates, never a guess.
 */
/**
 * The decoded text of a file's first `bytes` bytes (byte order mark dropped) and
 * whether that is the whole file. Read errors are typed, naming the source.
 */
export async function fileStart(source: string, path: string, encoding: 'utf-8' | 'windows-1252', bytes: number): Promise<{ text: string; complete: boolean }> {
  try {
    const file = await open(path, 'r');
    try {
      const buffer = Buffer.allocUnsafe(bytes);
      const { bytesRead } = await file.read(buffer, 0, bytes, 0);
      return { text: decodeFileText(source, buffer.subarray(0, bytesRead), encoding), complete: bytesRead < bytes };
    } finally {
      await file.close();
    }
  } catch (error) {
    if (error instanceof SourceError) throw error;
    throw new SourceUnreadableError(source, `cannot read file (${(error as { code?: string }).code ?? 'error'})`);
  }
}

/**
 * The delimiter to read a CSV file with: `declared` when given (checked), else
 * the one its first lines show. A file whose lines cannot decide is a typed
 * error naming the source and the candidates, never a guess.
 */
export async function csvDelimiter(source: string, path: string, encoding: 'utf-8' | 'windows-1252', declared: string | undefined): Promise<string> {
  if (declared !== undefined) return checkDelimiter(source, declared);
  const { text, complete } = await fileStart(source, path, encoding, SNIFF_BYTES);
  const delimiter = detectDelimiter(text, complete);
  if (delimiter === undefined) {
    const header = counts(text.split('\n')[0]);
    const shown = DETECTED_DELIMITERS.filter((_, i) => header[i] > 0).map(delimiterName);
    throw new SourceError(
      'AMBIGUOUS_DELIMITER',
      { source },
      `cannot tell the field delimiter: the header holds ${shown.join(' and ')}; declare it (--delimiter ${source}=CHAR, or delimiter in the source input)`,
    );
  }
  return delimiter;
}
