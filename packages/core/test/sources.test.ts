import { describe, expect, it } from 'vitest';
import {
  buildRecordTable,
  DuplicateRecordIdError,
  EmptySourceError,
  InvalidValueError,
  MalformedRowError,
  MissingColumnError,
  SettingsError,
  SourceUnreadableError,
  validateSettings,
} from '../src/index.js';
import { csvCuts } from '../src/read/sources.js';
import { tempDir, writeIn } from './helpers.js';

const settings = { recordId: 'id', fields: { first: 'given_name', last: 'family_name', dob: 'birth_date' } } as const;
const SECRET = 'Zebediah';

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('reading sources', () => {
  it('reads real-world CSV: BOM, CRLF, quoted fields with commas, spaces after commas', async () => {
    const dir = tempDir();
    const path = writeIn(dir, 'a.csv', '\uFEFFid, first, last, dob\r\n1, "Mary, Ann", Smith, 1980-02-03\r\n2, john, "O\'Brien", 19900101\r\n');
    const table = await buildRecordTable([{ name: 'a', path }], settings);
    expect(table.size).toBe(2);
    expect(table.recordIds).toEqual(['1', '2']);
    const given = table.columns.given_name;
    expect(given.dictionary[given.ids[0]]).toBe('mary ann');
    expect(table.columns.birth_date.dictionary[table.columns.birth_date.ids[0]]).toBe('19800203');
  });

  it('reads in-memory arrays and async iterables of plain objects', async () => {
    async function* records() {
      yield { id: 'x1', first: 'Ann', last: 'Lee', dob: new Date('1970-05-06T00:00:00Z') };
      yield { id: 'x2', first: 'Bo', last: 'Lee', dob: null };
    }
    const table = await buildRecordTable(
      [
        { name: 'mem', records: [{ id: 7, first: 'Cy', last: 'Ng', dob: '1999-12-31' }] },
        { name: 'stream', records: records() },
      ],
      settings,
    );
    expect(table.sources).toEqual(['mem', 'stream']);
    expect(table.recordIds).toEqual(['7', 'x1', 'x2']);
    expect(table.columns.birth_date.dictionary[table.columns.birth_date.ids[1]]).toBe('19700506');
    expect(table.columns.birth_date.ids[2]).toBe(0);
  });

  it('names the source on a missing file', async () => {
    const error = await failure(buildRecordTable([{ name: 'lab', path: '/nonexistent/lab.csv' }], settings));
    expect(error).toBeInstanceOf(SourceUnreadableError);
    expect(error.message).toContain('source "lab"');
  });

  it('names the source and column when a settings column is absent', async () => {
    const path = writeIn(tempDir(), 'a.csv', 'id,first,dob\n1,a,1980-01-01\n');
    const error = await failure(buildRecordTable([{ name: 'ehr', path }], settings));
    expect(error).toBeInstanceOf(MissingColumnError);
    expect(error.message).toMatch(/source "ehr".*column "last"/);
  });

  it('refuses an empty source, with or without a header', async () => {
    const dir = tempDir();
    for (const content of ['', 'id,first,last,dob\n']) {
      const error = await failure(buildRecordTable([{ name: 'e', path: writeIn(dir, 'e.csv', content) }], settings));
      expect(error).toBeInstanceOf(EmptySourceError);
    }
    expect(await failure(buildRecordTable([{ name: 'm', records: [] }], settings))).toBeInstanceOf(EmptySourceError);
  });

  it('refuses a record id repeated within a source, naming both rows', async () => {
    const path = writeIn(tempDir(), 'a.csv', `id,first,last,dob\n1,a,b,\n2,c,d,\n1,${SECRET},f,\n`);
    const error = await failure(buildRecordTable([{ name: 'ehr', path }], settings));
    expect(error).toBeInstanceOf(DuplicateRecordIdError);
    expect(error.message).toMatch(/source "ehr", row 3, column "id".*row 1/);
    expect(error.message).not.toContain(SECRET);
  });

  it('reports the first error in reading order, whether a repeated id or a bad row', async () => {
    const strict = { ...settings, invalidValues: 'error' } as const;
    const dir = tempDir();
    const repeatFirst = writeIn(dir, 'r.csv', `id,first,last,dob\n7,a,b,\n3,c,d,\n7,e,f,\n4,g,h,not a date\n`);
    const repeat = (await failure(buildRecordTable([{ name: 'r', path: repeatFirst }], strict))) as DuplicateRecordIdError;
    expect(repeat).toBeInstanceOf(DuplicateRecordIdError);
    expect([repeat.row, repeat.firstRow]).toEqual([3, 1]);
    const invalidFirst = writeIn(dir, 'i.csv', `id,first,last,dob\n7,a,b,\n4,g,h,not a date\n7,e,f,\n`);
    const invalid = await failure(buildRecordTable([{ name: 'i', path: invalidFirst }], strict));
    expect(invalid).toBeInstanceOf(InvalidValueError);
    expect(invalid.message).toMatch(/row 2, column "dob"/);
    // On the same row, the repeated id is reported: it is checked before the row's values.
    const sameRow = writeIn(dir, 's.csv', `id,first,last,dob\n7,a,b,\n7,g,h,not a date\n`);
    expect(await failure(buildRecordTable([{ name: 's', path: sameRow }], strict))).toBeInstanceOf(DuplicateRecordIdError);
    // A malformed row after a repeat: the repeat. Three copies: the second is reported.
    const thrice = writeIn(dir, 't.csv', `id,first,last,dob\n9,a,b,\n9,c,d,\n1,e,f,\n9,g,h,\n2,x\n`);
    const third = (await failure(buildRecordTable([{ name: 't', path: thrice }], settings))) as DuplicateRecordIdError;
    expect([third.row, third.firstRow]).toEqual([2, 1]);
    // In-memory records too: a repeat before a value of the wrong type.
    const records = [{ id: '5', first: 'a' }, { id: '5', first: 'b' }, { id: '6', first: ['not', 'text'] }];
    const inMemory = (await failure(buildRecordTable([{ name: 'm', records }], settings))) as DuplicateRecordIdError;
    expect(inMemory).toBeInstanceOf(DuplicateRecordIdError);
    expect([inMemory.row, inMemory.firstRow]).toEqual([2, 1]);
  });

  it('the same record id in two sources is two records', async () => {
    const table = await buildRecordTable(
      [
        { name: 'a', records: [{ id: '1', first: 'x', last: 'y', dob: '' }] },
        { name: 'b', records: [{ id: '1', first: 'x', last: 'y', dob: '' }] },
      ],
      settings,
    );
    expect(table.size).toBe(2);
  });

  it('refuses a row with the wrong number of fields, naming the row and never the value', async () => {
    const path = writeIn(tempDir(), 'a.csv', `id,first,last,dob\n1,a,b,\n2,${SECRET},d,,extra\n`);
    const error = await failure(buildRecordTable([{ name: 'lab', path }], settings));
    expect(error).toBeInstanceOf(MalformedRowError);
    expect(error.message).toMatch(/source "lab", row 2/);
    expect(error.message).not.toContain(SECRET);
  });

  it('refuses a quoted field that is never closed, without echoing the value', async () => {
    const path = writeIn(tempDir(), 'a.csv', `id,first,last,dob\n1,a,b,\n2,"${SECRET},d,\n3,e,f,\n`);
    const error = await failure(buildRecordTable([{ name: 'lab', path }], settings));
    expect(error).toBeInstanceOf(MalformedRowError);
    expect(error.message).not.toContain(SECRET);
  });

  it('flags an unreadable date and keeps the record, or fails when asked to', async () => {
    const path = writeIn(tempDir(), 'a.csv', 'id,first,last,dob\n1,a,b,1980-02-30\n2,c,d,not a date\n3,e,f,1980-02-03\n');
    const table = await buildRecordTable([{ name: 'ehr', path }], settings);
    expect(table.size).toBe(3);
    expect(table.flags).toEqual([
      { source: 'ehr', row: 1, column: 'dob', reason: 'impossible-date' },
      { source: 'ehr', row: 2, column: 'dob', reason: 'unparseable-date' },
    ]);
    // The impossible date keeps its digits as evidence beside the flag; the unreadable one is missing.
    expect(table.columns.birth_date.dictionary[table.columns.birth_date.ids[0]]).toBe('19800230');
    expect(table.columns.birth_date.ids[1]).toBe(0);
    const error = await failure(buildRecordTable([{ name: 'ehr', path }], { ...settings, invalidValues: 'error' }));
    expect(error).toBeInstanceOf(InvalidValueError);
    expect(error.message).toMatch(/source "ehr", row 1, column "dob".*impossible-date/);
  });

  it('flags a huge field instead of matching on it', async () => {
    const path = writeIn(tempDir(), 'a.csv', `id,first,last,dob\n1,${'x'.repeat(50_000)},b,\n`);
    const table = await buildRecordTable([{ name: 'ehr', path }], settings);
    expect(table.flags).toEqual([{ source: 'ehr', row: 1, column: 'first', reason: 'too-long' }]);
  });

  it('refuses a value of the wrong type from the API, naming source, row and field', async () => {
    const error = await failure(
      buildRecordTable([{ name: 'api', records: [{ id: '1', first: 'a', last: 'b', dob: '' }, { id: '2', first: { name: SECRET }, last: 'b' }] }], settings),
    );
    expect(error).toBeInstanceOf(InvalidValueError);
    expect(error.message).toMatch(/source "api", row 2, column "first"/);
  });

  it('refuses a record without an id', async () => {
    const error = await failure(buildRecordTable([{ name: 'api', records: [{ id: ' ', first: 'a', last: 'b', dob: '' }] }], settings));
    expect(error).toBeInstanceOf(InvalidValueError);
  });
});

describe('settings', () => {
  it('accepts the minimal settings of the issue', () => {
    expect(() =>
      validateSettings({
        recordId: 'rec_id',
        mode: 'link',
        fields: { given_name: 'given_name', surname: 'family_name', date_of_birth: 'birth_date', postcode: 'postcode', soc_sec_id: 'national_id' },
      }),
    ).not.toThrow();
  });

  it('names an unknown field kind', () => {
    expect(() => validateSettings({ recordId: 'id', fields: { x: 'shoe_size' } })).toThrow(SettingsError);
    expect(() => validateSettings({ recordId: 'id', fields: { x: 'shoe_size' } })).toThrow(/fields\.x: unknown field kind "shoe_size"/);
  });

  it('rejects a bad mode, threshold, clustering method or missing record id', () => {
    expect(() => validateSettings({ recordId: 'id', mode: 'merge', fields: {} })).toThrow(/mode/);
    expect(() => validateSettings({ recordId: 'id', threshold: 2, fields: {} })).toThrow(/threshold/);
    expect(() => validateSettings({ recordId: 'id', clustering: 'single', fields: {} })).toThrow(/clustering: must be one of averageLinkage, connectedComponents/);
    expect(() => validateSettings({ fields: {} })).toThrow(/recordId/);
  });

  it('applies per-source field overrides (formats differ between systems)', async () => {
    const table = await buildRecordTable(
      [
        { name: 'ehr', records: [{ id: '1', first: 'a', last: 'b', dob: '1980-02-03' }] },
        { name: 'lab', records: [{ id: '1', first: 'a', last: 'b', dob: '03/02/1980' }] },
      ],
      { ...settings, sources: { lab: { fields: { dob: { kind: 'birth_date', format: 'DD/MM/YYYY' } } } } },
    );
    const dob = table.columns.birth_date;
    expect(dob.ids[0]).toBe(dob.ids[1]);
  });

  it('fills given/middle/family from a full name only where the direct columns are empty', async () => {
    const table = await buildRecordTable(
      [
        {
          name: 'payer',
          records: [
            { id: '1', first: '', last: '', full: 'SMITH, JOHN A' },
            { id: '2', first: 'Ann', last: 'Lee', full: 'OTHER, NAME' },
          ],
        },
      ],
      { recordId: 'id', fields: { first: 'given_name', last: 'family_name', full: 'full_name' } },
    );
    const value = (field: string, row: number) => table.columns[field].dictionary[table.columns[field].ids[row]];
    expect([value('given_name', 0), value('family_name', 0)]).toEqual(['john', 'smith']);
    expect([value('given_name', 1), value('family_name', 1)]).toEqual(['ann', 'lee']);
  });
});

describe('reading several sources on one thread', () => {
  it('shares dictionaries and caches between them, and gives the table reading them in workers gives', async () => {
    const dir = tempDir();
    const multi = validateSettings({
      ...settings,
      fields: { ...settings.fields, full: 'full_name' },
      sources: { lab: { fields: { dob: { kind: 'birth_date', format: 'DD/MM/YYYY' } } } },
    });
    const ehr = writeIn(dir, 'ehr.csv', 'id,first,last,dob,full\n2,Ann,Lee,1980-03-05,\n1,BOB, Smith ,1999-13-01,\n3,,,,Cy Dee\n');
    const lab = writeIn(dir, 'lab.csv', 'id,first,last,dob,full\nL1,ann,LEE,05/03/1980,\nL2,Bob,Smith,01/02/1999,Bob Smith\nL3,Eve,,31/02/2001,\n');
    const claims = writeIn(dir, 'claims.csv', 'id,first,last,dob,full\nC1,Cy,Dee,1980-03-05,\n');
    const inputs = [{ name: 'lab', path: lab }, { name: 'ehr', path: ehr }, { name: 'claims', path: claims }];
    const oneThread = await buildRecordTable(inputs, multi, 1);
    const workers = await buildRecordTable(inputs, multi, 2, { parallelReadBytes: 0 });
    expect(oneThread.columns).toEqual(workers.columns);
    expect(oneThread.recordIds).toEqual(workers.recordIds);
    expect(oneThread.flags).toEqual(workers.flags);
    expect(oneThread.flags.map((f) => `${f.source}:${f.row}:${f.column}`)).toEqual(['ehr:2:dob', 'lab:3:dob']);
    const value = (field: string, row: number) => oneThread.columns[field].dictionary[oneThread.columns[field].ids[row]];
    const row = (source: string, id: string) => oneThread.recordIds.findIndex((r, i) => r === id && oneThread.sources[oneThread.source[i]] === source);
    // The same date written two ways meets in one value; the full name fills what the direct columns left empty.
    expect(value('birth_date', row('lab', 'L1'))).toBe(value('birth_date', row('ehr', '2')));
    expect([value('given_name', row('ehr', '3')), value('family_name', row('ehr', '3'))]).toEqual(['cy', 'dee']);
    // Files read in workers beside records read on this thread: the same table again.
    const labRecords = [
      { id: 'L1', first: 'ann', last: 'LEE', dob: '05/03/1980', full: '' },
      { id: 'L2', first: 'Bob', last: 'Smith', dob: '01/02/1999', full: 'Bob Smith' },
      { id: 'L3', first: 'Eve', last: '', dob: '31/02/2001', full: '' },
    ];
    const mixed = [...inputs.slice(1), { name: 'lab', records: labRecords }];
    const mixedTable = await buildRecordTable(mixed, multi, 2, { parallelReadBytes: 0 });
    expect(mixedTable.columns).toEqual(oneThread.columns);
    expect(mixedTable.recordIds).toEqual(oneThread.recordIds);
  });
});

describe('reading a large CSV source in parts on several threads', () => {
  /** The files here are ~9 MB, below the default threshold for reading in workers. */
  const IN_PARTS = { parallelReadBytes: 4 << 20 };
  const NAMES = ['Ann', 'Bo', 'Cy', 'Dee', 'Eve', 'Flo', '"Smith, Jr"', 'Gus'];
  /** About 9 MB of rows (enough to be cut into parts), ids out of order, some values invalid. */
  function largeCsv(rows: number, line: (i: number) => string): string {
    const out = ['id,first,last,dob'];
    for (let i = 0; i < rows; i++) out.push(line(i));
    return out.join('\n') + '\n';
  }
  const row = (i: number) => `r${(i * 7919) % 250_000},${NAMES[i % 8]},${NAMES[(i >> 3) % 8].replace(/[",]/g, '')}x${i % 977},19${50 + (i % 50)}-0${1 + (i % 9)}-1${i % 10}`;

  it('gives the same table as reading it whole on one thread', async () => {
    const path = writeIn(tempDir(), 'big.csv', largeCsv(250_000, (i) => (i % 1000 === 5 ? row(i).replace(/,19\d\d-/, ',1899-') : row(i))));
    const whole = await buildRecordTable([{ name: 'big', path }], settings, 1);
    const parts = await buildRecordTable([{ name: 'big', path }], settings, 2, IN_PARTS);
    expect(whole.size).toBe(250_000);
    expect(parts.recordIds).toEqual(whole.recordIds);
    expect(parts.rows).toEqual(whole.rows);
    expect(parts.columns).toEqual(whole.columns);
    expect(parts.flags).toEqual(whole.flags);
  }, 60_000);

  it('refuses a record id repeated across parts, naming the rows a single pass would', async () => {
    const path = writeIn(tempDir(), 'dup.csv', largeCsv(250_000, (i) => (i === 240_000 ? row(3) : row(i))));
    const error = (await failure(buildRecordTable([{ name: 'big', path }], settings, 2, IN_PARTS))) as DuplicateRecordIdError;
    expect(error).toBeInstanceOf(DuplicateRecordIdError);
    expect([error.row, error.firstRow]).toEqual([240_001, 4]);
  }, 60_000);

  it('never cuts inside a quoted field that spans lines', async () => {
    const text = largeCsv(2000, (i) => `${i},"line one\nline two, ${i}",x,`);
    const cuts = (await csvCuts(writeIn(tempDir(), 'q.csv', text), 7)).cuts;
    expect(cuts.length).toBeGreaterThan(0);
    for (const cut of cuts) expect(text.slice(cut)).toMatch(/^\d+,"line one\n/);
  });
});
