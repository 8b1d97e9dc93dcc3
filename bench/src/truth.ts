import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { RecordTable } from '@mpi/core';

/** Where the truth of a bench case comes from: FEBRL's rec_id, or a truth CSV (source,record_id,person_id). */
export type TruthSpec = { readonly kind: 'febrl' } | { readonly kind: 'csv'; readonly path: string };

/** FEBRL: `rec-<n>-org` and `rec-<n>-dup-<k>` are the same person iff they share <n>. */
function febrlPerson(recordId: string): string {
  const match = /^rec-(\d+)-/.exec(recordId);
  if (!match) throw new Error(`FEBRL record id without entity number at some row`);
  return match[1];
}

/** The true person of every row of the table, as small integers (-1 when the truth does not know the record). */
export async function truthByRow(table: RecordTable, spec: TruthSpec): Promise<Int32Array> {
  const personIndex = new Map<string, number>();
  const intern = (person: string) => {
    let id = personIndex.get(person);
    if (id === undefined) personIndex.set(person, (id = personIndex.size));
    return id;
  };
  const out = new Int32Array(table.size).fill(-1);
  if (spec.kind === 'febrl') {
    for (let r = 0; r < table.size; r++) out[r] = intern(febrlPerson(table.recordIds[r]));
    return out;
  }
  const rows = parse(await readFile(spec.path, 'utf8'), { columns: true, bom: true, trim: true }) as Record<string, string>[];
  const byKey = new Map<string, string>();
  for (const row of rows) byKey.set(`${row.source}\u0000${row.record_id}`, row.person_id);
  for (let r = 0; r < table.size; r++) {
    const person = byKey.get(`${table.sources[table.source[r]]}\u0000${table.recordIds[r]}`);
    if (person !== undefined) out[r] = intern(person);
  }
  return out;
}
