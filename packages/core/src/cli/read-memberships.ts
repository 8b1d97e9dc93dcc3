import { EncodingError, MpiError, SourceError } from '../errors.js';
import type { Membership } from '../evaluate/evaluate.js';
import { readCsvCells } from '../read/csv-reader.js';

/**
 * Streams the memberships of a groups or truth CSV (`source,record_id,<groupColumn>`)
 * to `visit`: a 10M-row file is never held as one string or as objects.
 *
 * The file is read as a source file is (read/csv-reader.ts): the same byte order
 * mark, UTF-8 check, quoting and row-width rules, so an id reads the same in the
 * truth file as in the source it came from. Any problem is an error, never a
 * score: a file with no data row (scored against nothing, an empty groups file
 * came out as F1 1.0000), a header without the columns, a malformed row, bytes
 * that are not UTF-8, an empty field. Errors name the file, data row and column,
 * never a value.
 */
export function readMemberships(path: string, groupColumn: string, what: string, visit: (membership: Membership) => void): Promise<void> {
  return readCsvRows(path, ['source', 'record_id', groupColumn], what, (values) => visit({ source: values[0], recordId: values[1], group: values[2] }));
}

/**
 * Streams the trimmed values of `columns` of each data row of a CSV file with the
 * checks of readMemberships (an empty value is an error); a row `visit` finds
 * unusable ends the read with the error it returns. `row` counts data rows from 1.
 */
export async function readCsvRows(
  path: string,
  columns: readonly string[],
  what: string,
  visit: (values: readonly string[], row: number) => MpiError | undefined | void,
): Promise<void> {
  for await (const batch of csvRowBatches(path, columns, what)) {
    for (const { values, row } of batch) {
      const failure = visit(values, row);
      if (failure) throw failure;
    }
  }
}

/** The rows readCsvRows visits, a batch of the reader's at a time (for callers that pull). */
async function* csvRowBatches(path: string, columns: readonly string[], what: string): AsyncGenerator<{ values: readonly string[]; row: number }[]> {
  const where = `${what} file ${path}`;
  try {
    for await (const batch of readCsvCells(where, path, columns, 'utf-8')) {
      const rows: { values: readonly string[]; row: number }[] = [];
      for (let i = 0; i < batch.cells.length; i++) {
        const cells = batch.cells[i];
        const values = batch.columns.map((index) => cells[index].trim());
        const empty = values.findIndex((value) => value === '');
        if (empty >= 0) throw new MpiError('MALFORMED_ROW', `${where} has an empty ${columns[empty]} at data row ${batch.firstRow + i}`);
        rows.push({ values, row: batch.firstRow + i });
      }
      yield rows;
    }
  } catch (error) {
    throw error instanceof SourceError ? fileError(error, where, columns) : error;
  }
}

/** The memberships of a groups or truth CSV as readMemberships reads them, pulled (for a consumer that appends them elsewhere in batches). */
export async function* memberships(path: string, groupColumn: string, what: string): AsyncGenerator<Membership> {
  for await (const batch of csvRowBatches(path, ['source', 'record_id', groupColumn], what)) {
    for (const { values } of batch) yield { source: values[0], recordId: values[1], group: values[2] };
  }
}

/**
 * The reader's error, worded for a truth or groups file (the reader's own
 * wording speaks of sources and settings); same code, the reader's error as cause.
 */
function fileError(error: SourceError, where: string, columns: readonly string[]): MpiError {
  const row = error.row === undefined ? '' : ` at data row ${error.row}`;
  const column = error.column === undefined ? '' : `, column "${error.column}"`;
  const message = ((): string => {
    switch (error.code) {
      case 'EMPTY_SOURCE':
        return `${where} has no data rows`;
      case 'MISSING_COLUMN':
        return `${where} needs columns ${columns.join(', ')}; the header lacks ${error.column}`;
      case 'MALFORMED_ROW':
        return `${where} is malformed CSV${row} (${error.detail})`;
      default:
        // Bytes that are not UTF-8: the reader's advice (declare the source's encoding) is for sources.
        if (error instanceof EncodingError && error.encoding !== 'utf-16') return `${where} holds bytes that are not valid UTF-8${row || ' in the header'}${column}: save it as UTF-8`;
        return `${where}${row}${column}: ${error.detail}`;
    }
  })();
  return new MpiError(error.code, message, { cause: error });
}
