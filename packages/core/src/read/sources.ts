// One entry to read any source: the format picked from the input, then the CSV or object reader.
import { stat } from 'node:fs/promises';
import { SourceUnreadableError } from '../errors.js';
import { csvDelimiter } from './csv-delimiter.js';
import { readCsvCells } from './csv-reader.js';
import { readFhirCells, sourceFormat } from './fhir/fhir-source.js';
import { readNdjsonCells, readObjectCells } from './object-reader.js';
import { readParquetCells } from './parquet-reader.js';
import type { ByteRange, CellBatch, SourceInput, SourceRow } from './source-input.js';
import { sourceEncoding } from './source-text.js';

export type { ByteRange, CellBatch, PlainRecord, SourceEncoding, SourceInput, SourceRow } from './source-input.js';
export { csvCuts, csvParserText, readerLimits } from './csv-reader.js';
export { dateText } from './object-reader.js';
export { sourceFormat } from './fhir/fhir-source.js';

/**
 * Reads one source (or, given a byte range, part of a CSV source, with rows
 * numbered from the part's start), yielding batches of parsed rows and where the requested
 * columns sit in them. Throws typed errors naming the source, row and column:
 * missing file, absent or repeated column, malformed row, bytes not in the
 * source's encoding, wrong value type, empty source (docs/input-rules.md).
 */
export async function* readSourceCells(input: SourceInput, columns: readonly string[], range?: ByteRange): AsyncGenerator<CellBatch> {
  if ('records' in input) {
    yield* readObjectCells(input.name, input.records, columns);
    return;
  }
  const encoding = sourceEncoding(input.name, input.encoding);
  try {
    const info = await stat(input.path);
    if (!info.isFile()) throw new SourceUnreadableError(input.name, 'path is not a file');
  } catch (error) {
    if (error instanceof SourceUnreadableError) throw error;
    throw new SourceUnreadableError(input.name, `cannot read file (${(error as { code?: string }).code ?? 'error'})`);
  }
  const format = await sourceFormat(input);
  if (format === 'parquet') yield* readParquetCells(input.name, input.path, columns);
  else if (format === 'fhir') yield* readFhirCells(input.name, input.path, columns, encoding);
  else if (format === 'ndjson') yield* readNdjsonCells(input.name, input.path, columns, encoding);
  else yield* readCsvCells(input.name, input.path, columns, encoding, range, await csvDelimiter(input.name, input.path, encoding, input.delimiter));
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
