// The header and first rows of a source, for inferring settings: read with the readers' own rules.
import Papa from 'papaparse';
import { MpiError } from '../errors.js';
import { csvDelimiter, fileStart } from './csv-delimiter.js';
import { parseNdjson, type NdjsonCursor } from './ndjson.js';
import type { SourceInput } from './source-input.js';
import { sourceEncoding } from './source-text.js';
import { readSourceCells, sourceFormat } from './sources.js';

/** Bytes read to find a CSV header line: far more than any header. */
const HEADER_BYTES = 1 << 20;

/** A source's column names (in file order) and the raw text of its first rows. */
export interface SourceSample {
  readonly columns: readonly string[];
  /** Column names the header gives more than once: the reader refuses to pick one, so they are not sampled. */
  readonly repeated: readonly string[];
  /** `rows[r][c]`: the trimmed text of column c in data row r + 1. */
  readonly rows: readonly (readonly string[])[];
  /** The delimiter a CSV file is read with (declared or detected). */
  readonly delimiter?: string;
}

/** The keys of objects in order of first appearance. */
function keysOf(records: readonly unknown[]): string[] {
  const keys = new Set<string>();
  for (const record of records) if (record !== null && typeof record === 'object' && !Array.isArray(record)) for (const key of Object.keys(record)) keys.add(key);
  return [...keys];
}

/** The header line of a CSV file split at its delimiter (papaparse, so a quoted name reads as the reader reads it). */
async function csvHeader(input: Extract<SourceInput, { readonly path: string }>, encoding: 'utf-8' | 'windows-1252', delimiter: string): Promise<string[]> {
  const { text } = await fileStart(input.name, input.path, encoding, HEADER_BYTES);
  const parsed = Papa.parse<string[]>(text, { delimiter, preview: 1, skipEmptyLines: 'greedy' });
  return (parsed.data[0] ?? []).map((name) => name.trim());
}

/** The column names of a source: a CSV header, or the keys of the first NDJSON lines or records. */
async function sourceColumns(input: SourceInput, rows: number): Promise<{ columns: string[]; delimiter?: string }> {
  if ('records' in input) {
    if (!Array.isArray(input.records)) {
      throw new MpiError('SOURCE_NOT_REREADABLE', `source "${input.name}": settings are inferred from records given as an array (an iterator would be used up before linking)`);
    }
    return { columns: keysOf(input.records.slice(0, rows)) };
  }
  const encoding = sourceEncoding(input.name, input.encoding);
  if ((await sourceFormat(input)) === 'ndjson') {
    const cursor: NdjsonCursor = { line: '', controls: false };
    const first: unknown[] = [];
    // Only the keys are wanted here: a pattern that matches nothing leaves the control-character scan off.
    for await (const record of parseNdjson(input.name, input.path, encoding, cursor, /$^/)) {
      first.push(record);
      if (first.length >= rows) break;
    }
    return { columns: keysOf(first) };
  }
  const delimiter = await csvDelimiter(input.name, input.path, encoding, input.delimiter);
  return { columns: await csvHeader(input, encoding, delimiter), delimiter };
}

/**
 * The column names and the first `rows` data rows of a source, read as link()
 * reads them (same encodings, delimiter and typed errors).
 */
export async function sampleSource(input: SourceInput, rows: number): Promise<SourceSample> {
  const { columns, delimiter } = await sourceColumns(input, rows);
  const repeated = [...new Set(columns.filter((c, i) => columns.indexOf(c) !== i))];
  const unique = columns.filter((c) => c !== '' && !repeated.includes(c));
  const read = delimiter === undefined || 'records' in input ? input : { ...input, delimiter };
  const sample: string[][] = [];
  outer: for await (const { trim, cells, columns: at } of readSourceCells(read, unique)) {
    for (const record of cells) {
      sample.push(at.map((c) => (trim ? record[c].trim() : record[c])));
      if (sample.length >= rows) break outer;
    }
  }
  return { columns: unique, repeated, rows: sample, ...(delimiter === undefined ? {} : { delimiter }) };
}
