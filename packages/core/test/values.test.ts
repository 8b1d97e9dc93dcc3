import { describe, expect, it } from 'vitest';
import { buildRecordTable, InvalidValueError, link, validateSettings, type PlainRecord, type Settings } from '../src/index.js';
import { defaultComparisons } from '../src/defaults/field-kinds.js';
import { tempDir, writeIn } from './helpers.js';

// Issue 19, classes 2, 8 and 10: values that fail validation stay evidence, a
// column that fails as a whole is loud, and several columns of one kind are
// several values of one field.

const records = (rows: readonly Record<string, string>[]): PlainRecord[] => rows.map((row, i) => ({ id: String(i + 1), ...row }));
const dates = (values: readonly string[]) => records(values.map((dob) => ({ name: 'ann', dob })));
const dateSettings: Settings = { recordId: 'id', fields: { name: 'given_name', dob: 'birth_date' } };

/** The birth date of each record as the table holds it ('' when missing). */
async function birthDates(values: readonly string[], settings: Settings = dateSettings) {
  const table = await buildRecordTable([{ name: 'ehr', records: dates(values) }], settings);
  const column = table.columns.birth_date;
  return { table, values: Array.from(column.ids, (id) => column.dictionary[id]) };
}

describe('a birth date that fails validation stays evidence', () => {
  it('keeps an impossible date (a digit slip) and a date before the plausible years as their digits, flagged', async () => {
    const { table, values } = await birthDates(['1990-86-17', '1779-03-02', 'not a date', '1990-06-17']);
    expect(values).toEqual(['19908617', '17790302', '', '19900617']);
    expect(table.flags.map((f) => [f.row, f.reason])).toEqual([
      [1, 'impossible-date'],
      [2, 'implausible-year'],
      [3, 'unparseable-date'],
    ]);
  });

  it('reads the plausible years from the field', async () => {
    const settings: Settings = { recordId: 'id', fields: { name: 'given_name', dob: { kind: 'birth_date', earliestYear: 1700, latestYear: 2000 } } };
    validateSettings(settings);
    const { table, values } = await birthDates(['1779-03-02', '2001-01-01'], settings);
    expect(values).toEqual(['17790302', '20010101']);
    expect(table.flags.map((f) => [f.row, f.reason])).toEqual([[2, 'implausible-year']]);
  });

  it('refuses a plausible range that ends before it starts, or on a field that is not a date', () => {
    expect(() => validateSettings({ recordId: 'id', fields: { dob: { kind: 'birth_date', earliestYear: 1900, latestYear: 1800 } } })).toThrow(/latestYear/);
    expect(() => validateSettings({ recordId: 'id', fields: { name: { kind: 'given_name', earliestYear: 1900 } } })).toThrow(/only a birth_date field reads earliestYear/);
  });

  it('lets a pair whose birth dates differ by a slip that made one impossible meet at "one digit off"', async () => {
    const people = records([
      { first: 'zebulon', last: 'quartermaine', dob: '1990-06-17', sex: 'm' },
      { first: 'zebulon', last: 'quartermaine', dob: '1990-86-17', sex: 'm' },
      { first: 'ann', last: 'smith', dob: '1950-01-01', sex: 'f' },
      { first: 'bob', last: 'jones', dob: '1960-02-02', sex: 'm' },
    ]);
    const settings: Settings = { recordId: 'id', fields: { first: 'given_name', last: 'family_name', dob: 'birth_date', sex: 'sex' } };
    const result = await link({ settings, sources: [{ name: 'ehr', records: people }], threads: 1 });
    const dob = result.explain({ source: 'ehr', recordId: '1' }, { source: 'ehr', recordId: '2' }).terms.find((t) => t.comparison === 'birth_date');
    expect(dob?.label).toBe('one digit off or adjacent digits swapped');
  });
});

describe('a column that fails as a whole', () => {
  it('is a warning naming source, column and share, never a value', async () => {
    const { table } = await birthDates(['soon', 'later', 'never', '1990-06-17']);
    expect(table.warnings).toHaveLength(1);
    const [warning] = table.warnings;
    expect(warning).toMatchObject({ source: 'ehr', column: 'dob', kind: 'mostly-invalid', values: 4, share: 0.75, reason: 'unparseable-date' });
    expect(warning.message).toMatch(/source "ehr", column "dob": 75\.0% of 4 non-empty values/);
    for (const value of ['soon', 'later', 'never', '1990']) expect(warning.message).not.toContain(value);
  });

  it('points at the plausible years when they are what most values fall outside', async () => {
    const { table } = await birthDates(['1779-03-02', '1790-01-01', '1850-05-05']);
    expect(table.warnings.map((w) => w.reason)).toEqual(['implausible-year']);
    expect(table.warnings[0].message).toMatch(/earliestYear and latestYear/);
  });

  it('is no warning when half or fewer of the values fail', async () => {
    const { table } = await birthDates(['soon', '1990-06-17', '', '']);
    expect(table.warnings).toEqual([]);
  });

  it('is an error with invalidValues "error"', async () => {
    const error = await buildRecordTable([{ name: 'ehr', records: dates(['soon', 'later']) }], { ...dateSettings, invalidValues: 'error' }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(InvalidValueError);
  });
});

describe('spreadsheet serial day numbers', () => {
  it('are read as dates when most of a birth-date column without a format are serial numbers, with a warning', async () => {
    // 1990-05-17 is 33010; 1925-01-01 is 9133; one value is junk.
    const { table, values } = await birthDates(['33010', '9133', '33010.5', 'junk']);
    expect(values).toEqual(['19900517', '19250101', '19900517', '']);
    expect(table.flags.map((f) => [f.row, f.reason])).toEqual([[4, 'unparseable-date']]);
    expect(table.warnings).toEqual([expect.objectContaining({ source: 'ehr', column: 'dob', kind: 'spreadsheet-serial-dates', values: 4, share: 0.75 })]);
  });

  it('are read as dates in a column declared with format "excel", silently', async () => {
    const settings: Settings = { recordId: 'id', fields: { name: 'given_name', dob: { kind: 'birth_date', format: 'excel' } } };
    const { table, values } = await birthDates(['33010', '60'], settings);
    expect(values).toEqual(['19900517', '19000229']);
    expect(table.flags.map((f) => f.reason)).toEqual(['impossible-date']);
    expect(table.warnings).toEqual([]);
  });

  it('are flagged one by one however many a column holds (200,000 serial numbers among 500,000 dates)', async () => {
    // A column's rejected serial values were once added to its flags with one spread call, past the call stack's limit.
    const values = Array.from({ length: 500_000 }, (_, i) => (i % 5 < 2 ? '33010' : '1990-05-17'));
    const { table } = await birthDates(values);
    expect(table.flags.length).toBe(200_000);
    expect(table.flags.every((f, i) => f.reason === 'unparseable-date' && (i === 0 || f.row > table.flags[i - 1].row))).toBe(true);
  }, 60_000);

  it('are not guessed in a column where they are few, nor in a column of four-digit birth years', async () => {
    const few = await birthDates(['33010', '1990-05-17', '1991-01-01']);
    expect(few.values).toEqual(['', '19900517', '19910101']);
    expect(few.table.flags.map((f) => [f.row, f.reason])).toEqual([[1, 'unparseable-date']]);
    const years = await birthDates(['1990', '1985', '1923']);
    expect(years.values).toEqual(['', '', '']);
    expect(years.table.warnings.map((w) => w.kind)).toEqual(['mostly-invalid']);
  });

  it('fail at the first one with invalidValues "error" when not read as dates', async () => {
    const error = await buildRecordTable([{ name: 'ehr', records: dates(['1990-05-17', '33010', '1991-01-01']) }], { ...dateSettings, invalidValues: 'error' }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(InvalidValueError);
    expect((error as Error).message).toMatch(/source "ehr", row 2, column "dob".*unparseable-date/);
  });
});

describe('several columns of one kind are several values of one field', () => {
  const phones: Settings = { recordId: 'id', fields: { name: 'given_name', home_phone: 'phone', cell_phone: 'phone' } };

  it('keeps every value in its own value column, the first present value first', async () => {
    const table = await buildRecordTable(
      [{ name: 'ehr', records: records([{ name: 'ann', home_phone: '0412 345 678', cell_phone: '02 9876 5432' }, { name: 'bob', home_phone: '', cell_phone: '0412 345 678' }]) }],
      { ...phones, defaultCountry: 'AU' },
    );
    expect(table.valueColumns).toEqual(new Map([['phone', ['phone#2']]]));
    const value = (column: string, r: number) => table.columns[column].dictionary[table.columns[column].ids[r]];
    expect([value('phone', 0), value('phone#2', 0)]).toEqual(['+61412345678', '+61298765432']);
    expect([value('phone', 1), value('phone#2', 1)]).toEqual(['+61412345678', '']);
    const [, phone] = defaultComparisons(table.fieldKinds, table.valueColumns);
    expect(phone).toMatchObject({ column: 'phone', valueColumns: ['phone#2'] });
  });

  it('lets a pair match on the second value of one record (the best level over the pairs of values)', async () => {
    const people = records([
      { first: 'ann', last: 'smith', home_phone: '0298765432', cell_phone: '0412345678' },
      { first: 'ann', last: 'smith', home_phone: '0412345678', cell_phone: '' },
      { first: 'bob', last: 'jones', home_phone: '0299999999', cell_phone: '' },
      { first: 'cy', last: 'young', home_phone: '0288888888', cell_phone: '' },
    ]);
    const settings: Settings = { recordId: 'id', defaultCountry: 'AU', fields: { first: 'given_name', last: 'family_name', home_phone: 'phone', cell_phone: 'phone' } };
    const result = await link({ settings, sources: [{ name: 'ehr', records: people }], threads: 1 });
    const phone = result.explain({ source: 'ehr', recordId: '1' }, { source: 'ehr', recordId: '2' }).terms.find((t) => t.comparison === 'phone');
    expect(phone?.label).toBe('exact');
  });

  it('refuses the field option on a full name, which feeds three fields', () => {
    expect(() => validateSettings({ recordId: 'id', fields: { name: { kind: 'full_name', field: 'alias' } } })).toThrow(/fields\.name\.field|\/fields\/name\/field/);
  });

  it('joins columns of any kind into one field with the field option', async () => {
    const settings = validateSettings({ recordId: 'id', fields: { name: 'given_name', mrn_a: { kind: 'identifier', field: 'mrn' }, mrn_b: { kind: 'identifier', field: 'mrn' } } });
    const table = await buildRecordTable([{ name: 'ehr', records: records([{ name: 'ann', mrn_a: 'A1', mrn_b: 'B2' }]) }], settings);
    expect([...table.fieldKinds.keys()]).toEqual(['given_name', 'mrn']);
    expect(table.valueColumns.get('mrn')).toEqual(['mrn#2']);
  });
});

describe('read in worker threads', () => {
  it('settles serial dates per source and keeps value columns as a single-threaded read does', async () => {
    const dir = tempDir();
    const settings: Settings = { recordId: 'id', defaultCountry: 'AU', fields: { name: 'given_name', dob: 'birth_date', home_phone: 'phone', cell_phone: 'phone' } };
    const header = 'id,name,dob,home_phone,cell_phone\n';
    const sources = [
      { name: 'clinic', path: writeIn(dir, 'clinic.csv', `${header}1,ann,33010,0298765432,0412345678\n2,bob,9133,,0412000000\n`) },
      { name: 'ehr', path: writeIn(dir, 'ehr.csv', `${header}1,ann,1990-05-17,0412345678,\n2,cy,33010,0299999999,0299999999\n3,di,1991-01-01,,\n`) },
    ];
    const inWorkers = await buildRecordTable(sources, settings, 2, { parallelReadBytes: 0 });
    const here = await buildRecordTable(sources, settings, 1);
    for (const table of [inWorkers, here]) {
      const value = (column: string) => Array.from(table.columns[column].ids, (id) => table.columns[column].dictionary[id]);
      expect(value('birth_date')).toEqual(['19900517', '19250101', '19900517', '', '19910101']);
      expect(value('phone')).toEqual(['+61298765432', '+61412000000', '+61412345678', '+61299999999', '']);
      expect(value('phone#2')).toEqual(['+61412345678', '', '', '', '']);
      expect(table.flags).toEqual([{ source: 'ehr', row: 2, column: 'dob', reason: 'unparseable-date' }]);
      expect(table.warnings.map((w) => [w.source, w.kind])).toEqual([['clinic', 'spreadsheet-serial-dates']]);
    }
  });
});
