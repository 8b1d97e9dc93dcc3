// The raw text of the columns the settings read, record by record: what the
// index stores, so it can normalize and score every record again with the
// stored model when records arrive or leave.
import { readSource, sourceFieldPlan } from '@mpi/core/advanced';
import type { Settings, SourceInput } from '@mpi/core';

/** A record as the index keeps it. */
export interface RawRecord {
  readonly source: string;
  readonly recordId: string;
  /** Raw text by column name: the record id column and every field column of the source's plan. */
  readonly data: Record<string, string>;
}

/** The key of a record in maps: source and record id. */
export const recordKey = (source: string, recordId: string) => `${source}\u0000${recordId}`;

/** Reads the sources' raw records (same errors as link(): missing columns, malformed rows, encoding). */
export async function readRawRecords(sources: readonly SourceInput[], settings: Settings): Promise<RawRecord[]> {
  const records: RawRecord[] = [];
  for (const input of sources) {
    const plan = sourceFieldPlan(settings, input.name);
    const columns = [...new Set([plan.recordId, ...plan.fields.map((field) => field.column)])];
    for await (const batch of readSource(input, columns)) {
      for (const { values } of batch) {
        const data: Record<string, string> = {};
        columns.forEach((column, i) => (data[column] = values[i]));
        records.push({ source: input.name, recordId: values[0], data });
      }
    }
  }
  return records;
}
