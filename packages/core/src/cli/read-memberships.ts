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
export async function readMemberships(path: string, groupColumn: string, what: string, visit: (membership: Membership) => void): Promise<void> {
  const columns = ['source', 'record_id', groupColumn];
  const where = `${what} file ${path}`;
  try {
    for await (const batch of readCsvCells(where, path, columns, 'utf-8')) {
      const [source, recordId, group] = batch.columns;
      for (let i = 0; i < batch.cells.length; i++) {
        const cells = batch.cells[i];
        const membership = { source: cells[source].trim(), recordId: cells[recordId].trim(), group: cells[group].trim() };
        const empty = [membership.source, membership.recordId, membership.group].findIndex((value) => value === '');
        if (empty >= 0) throw new MpiError('MALFORMED_ROW', `${where} has an empty ${columns[empty]} at data row ${batch.firstRow + i}`);
        visit(membership);
      }
    }
  } catch (error) {
    throw error instanceof SourceError ? fileError(error, where, columns) : error;
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
