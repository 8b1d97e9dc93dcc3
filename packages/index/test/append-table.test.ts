// A match appends the query rows to the index's table instead of reading every
// record again: the appended rows must hold the values a table read from all
// the records at once holds.
import { describe, expect, it } from 'vitest';
import { buildRecordTable, type RecordTable, type Settings } from '@mpi/core';
import { appendTable } from '../src/append-table.js';
import { population, populationSettings } from './helpers.js';

const settings = populationSettings as unknown as Settings;
const records = population(120);

/** Every field's value of every row, by source and record id. */
function values(table: RecordTable): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (let r = 0; r < table.size; r++) {
    const row: Record<string, string> = {};
    for (const [field, column] of Object.entries(table.columns)) row[field] = column.dictionary[column.ids[r]]!;
    out.set(`${table.sources[table.source[r]]}:${table.recordIds[r]}`, row);
  }
  return out;
}

describe('appendTable', () => {
  it('gives every row the values a table of all the records gives it, and keeps id 0 empty', async () => {
    const base = await buildRecordTable([{ name: 'ehr', records: records.ehr }, { name: 'lab', records: records.lab }], settings, 1);
    const extra = await buildRecordTable([{ name: 'payer', records: records.payer }], settings, 1);
    const whole = await buildRecordTable(
      [{ name: 'ehr', records: records.ehr }, { name: 'lab', records: records.lab }, { name: 'payer', records: records.payer }],
      settings,
      1,
    );
    const appended = appendTable(base, extra);
    expect(appended.size).toBe(whole.size);
    expect(values(appended)).toEqual(values(whole));
    for (const column of Object.values(appended.columns)) expect(column.dictionary[0]).toBe('');
    // The base table is left as it was.
    expect(values(base).size).toBe(base.size);
  });

  it('keeps each value once per dictionary through chains and branches of appends (they share the value lookup)', async () => {
    const read = (names: ('ehr' | 'lab' | 'payer' | 'clinic')[]) => buildRecordTable(names.map((name) => ({ name, records: records[name] })), settings, 1);
    const base = await read(['ehr']);
    const withLab = appendTable(base, await read(['lab']));
    const branch = appendTable(base, await read(['clinic']));
    const chain = appendTable(appendTable(withLab, await read(['payer'])), await read(['clinic']));
    expect(values(chain)).toEqual(values(await read(['ehr', 'lab', 'payer', 'clinic'])));
    expect(values(branch)).toEqual(values(await read(['ehr', 'clinic'])));
    for (const table of [withLab, branch, chain]) {
      for (const column of Object.values(table.columns)) expect(new Set(column.dictionary).size).toBe(column.dictionary.length);
    }
  });
});
