// The index commands' CSV files: small inputs (decisions, record ids to remove)
// parsed whole, outputs written atomically through core's writer.
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { MpiError } from '@mpi/core';
import { CsvWriter, writeAtomically } from '@mpi/core/cli';

/** The rows of a CSV file with a header, as objects; errors name the file's role and row, never a value. */
export async function readCsvObjects(path: string, what: string, columns: readonly string[]): Promise<Record<string, string>[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new MpiError('FILE_UNREADABLE', `cannot read the ${what} file (${(error as { code?: string }).code ?? 'error'})`);
  }
  let rows: Record<string, string>[];
  try {
    rows = parse(text, { columns: (header: string[]) => header.map((h) => h.trim()), skip_empty_lines: true, trim: true, bom: true });
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw new MpiError('MALFORMED_CSV', `the ${what} file is malformed CSV${line !== undefined ? ` near line ${line}` : ''}`);
  }
  if (rows.length === 0) throw new MpiError('EMPTY_FILE', `the ${what} file has no data rows`);
  const missing = columns.filter((column) => !(column in rows[0]!));
  if (missing.length > 0) throw new MpiError('MISSING_COLUMN', `the ${what} file needs columns ${columns.join(', ')}; the header lacks ${missing.join(', ')}`);
  rows.forEach((row, i) => {
    const empty = columns.find((column) => !row[column]);
    if (empty !== undefined) throw new MpiError('MALFORMED_CSV', `the ${what} file has an empty ${empty} at data row ${i + 1}`);
  });
  return rows;
}

/** Writes rows under a header to `path` atomically (the previous file or the complete new one). */
export async function writeCsv(path: string, label: string, header: readonly string[], rows: Iterable<readonly string[]>): Promise<void> {
  await writeAtomically(path, label, async (file) => {
    const writer = new CsvWriter(file, header);
    for (const row of rows) {
      writer.row(row);
      await writer.flushIfFull();
    }
    await writer.flush();
  });
}
