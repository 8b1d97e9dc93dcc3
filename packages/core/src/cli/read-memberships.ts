import { createReadStream } from 'node:fs';
import Papa from 'papaparse';
import { MpiError } from '../errors.js';
import type { Membership } from '../evaluate/evaluate.js';

/**
 * Streams the memberships of a groups or truth CSV (`source,record_id,<groupColumn>`)
 * to `visit`: a 10M-row file is never held as one string or as objects.
 *
 * Any problem is an error, never a score: a file with no data row (scored against
 * nothing, an empty groups file came out as F1 1.0000), a header without the
 * columns, a row of the wrong width or with an empty field. The first failure
 * settles the promise before the parser is aborted: abort() fires `complete`
 * at once, which resolved the read and printed a perfect score for a file with
 * the wrong header.
 */
export function readMemberships(path: string, groupColumn: string, what: string, visit: (membership: Membership) => void): Promise<void> {
  return readCsvRows(path, ['source', 'record_id', groupColumn], what, (data) => visit({ source: data.source, recordId: data.record_id, group: data[groupColumn] }));
}

/**
 * Streams the rows of a CSV file with a header holding `columns` to `visit`, with
 * the checks of readMemberships; a row `visit` finds unusable ends the read with
 * the error it returns.
 */
export function readCsvRows(
  path: string,
  columns: readonly string[],
  what: string,
  visit: (data: Record<string, string>, row: number) => MpiError | undefined | void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const settle = (failure?: MpiError) => {
      if (settled) return;
      settled = true;
      if (failure) reject(failure);
      else resolve();
    };
    const stream = createReadStream(path, 'utf8');
    stream.on('error', (error: NodeJS.ErrnoException) =>
      settle(new MpiError('FILE_UNREADABLE', `cannot read ${what} file ${path} (${error.code ?? 'error'})`)),
    );
    let row = 0;
    Papa.parse<Record<string, string>>(stream, {
      header: true,
      skipEmptyLines: 'greedy',
      delimiter: ',',
      transformHeader: (h) => h.trim(),
      transform: (v) => v.trim(),
      step: (result, parser) => {
        if (settled) return;
        row++;
        const failure = rowProblem(result, row, columns, `${what} file ${path}`) ?? visit(result.data, row);
        if (failure) {
          settle(failure);
          parser.abort();
          stream.destroy();
        }
      },
      complete: () => settle(row === 0 ? new MpiError('EMPTY_FILE', `${what} file ${path} has no data rows`) : undefined),
      error: (error: Error) => settle(new MpiError('FILE_UNREADABLE', `cannot read ${what} file ${path} (${error.name})`)),
    });
  });
}

/** Why a parsed row cannot be used, naming the file, row and column but never a value. */
function rowProblem(result: Papa.ParseStepResult<Record<string, string>>, row: number, columns: readonly string[], where: string): MpiError | undefined {
  const fields = result.meta.fields ?? [];
  const missing = columns.filter((column) => !fields.includes(column));
  if (missing.length > 0) return new MpiError('MISSING_COLUMN', `${where} needs columns ${columns.join(', ')}; the header lacks ${missing.join(', ')}`);
  const problem = result.errors[0];
  if (problem) return new MpiError('MALFORMED_CSV', `${where} is malformed CSV at data row ${row} (${problem.code})`);
  const empty = columns.find((column) => !result.data[column]);
  if (empty !== undefined) return new MpiError('MALFORMED_CSV', `${where} has an empty ${empty} at data row ${row}`);
  return undefined;
}
