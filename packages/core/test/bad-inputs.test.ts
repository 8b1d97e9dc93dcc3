/**
 * A catalogue of bad inputs and what each must come to: a typed error with its
 * code, naming the source, row and column (or the settings key, or the CLI
 * option) and never a patient's value; or the input read, with unusable values
 * flagged; or the input read correctly. Each row is driven through the public
 * API (buildRecordTable, link) or the real `mpi` command (packages/core/dist,
 * built by `pnpm build`).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as blocking from '@mpi/blocking';
import * as scoring from '@mpi/scoring';
import {
  buildRecordTable,
  link,
  MpiError,
  type LinkOptions,
  type PlainRecord,
  type RecordTable,
  type Settings,
  type SourceInput,
} from '../src/index.js';
import { runProcess, tempDir } from './helpers.js';

const cliPath = resolve(import.meta.dirname, '../dist/cli.js');

/** Values standing for patient data: no error message, log or CLI output may contain them. */
const PATIENT_VALUES = ['Zelophehad', 'Quixtrude', 'Ysolde', 'Brannagh', '1961-04-12', '555-0143', 'MRN-'];

/** The settings every reader row uses unless it says otherwise. */
const SETTINGS: Settings = {
  recordId: 'id',
  fields: { given: 'given_name', family: 'family_name', dob: 'birth_date', phone: 'phone' },
};
const GIVEN_ONLY: Settings = { recordId: 'id', fields: { given: 'given_name' } };
const HEADER = 'id,given,family,dob,phone';
const ROW1 = 'MRN-001,Zelophehad,Quixtrude,1961-04-12,(202) 555-0143';
const ROW2 = 'MRN-002,Ysolde,Brannagh,1970-01-02,202-555-0144';
const lines = (...rows: string[]) => rows.join('\n') + '\n';
const RECORD1 = { id: 'MRN-001', given: 'Zelophehad', family: 'Quixtrude', dob: '1961-04-12', phone: '(202) 555-0143' };
const RECORD2 = { id: 'MRN-002', given: 'Ysolde', family: 'Brannagh', dob: '1970-01-02', phone: '202-555-0144' };
const json = (...records: unknown[]) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

type Input =
  /** A file read as source "src" (CSV or NDJSON), with the settings given or SETTINGS. */
  | { readonly csv: string | Uint8Array; readonly settings?: unknown }
  | { readonly ndjson: string | Uint8Array; readonly settings?: unknown }
  /** In-memory records as source "src", read in the time zone given (default: the process's). */
  | { readonly records: () => Iterable<unknown>; readonly settings?: unknown; readonly timeZone?: string }
  /** link() over RECORD1 and RECORD2 as source "src", with these settings and options. */
  | { readonly link: unknown; readonly options?: Partial<LinkOptions>; readonly sources?: readonly SourceInput[] }
  /** The `mpi` command with these arguments, in a folder holding good.csv, settings.json, truth.csv and groups.csv. */
  | { readonly cli: (dir: string) => string[] };

type Expected =
  /**
   * A typed error: an MpiError with this code (undefined: a code still being
   * named; then the location is what is checked), or, given `type`, that error
   * class of @mpi/blocking or @mpi/scoring; naming these places.
   */
  | {
      readonly error: string | undefined;
      readonly type?: string;
      readonly source?: string;
      readonly row?: number;
      readonly column?: string;
      readonly key?: readonly string[];
    }
  /** Read: these record ids, these values flagged (none otherwise), and any further check. */
  | { readonly ids: readonly string[]; readonly flagged?: readonly { row: number; column: string }[]; readonly check?: (table: RecordTable) => void }
  /** The command exits with this code, its stderr matching, its stdout not; `after` checks the folder. */
  | { readonly exit: number; readonly stderr?: RegExp; readonly stdoutNot?: RegExp; readonly after?: (dir: string) => void };

interface Row {
  readonly name: string;
  readonly input: Input;
  readonly expect: Expected;
}

/** The normalized value of a logical field (given_name, birth_date...) for a record id ('' when missing). */
function valueOf(table: RecordTable, field: string, recordId: string): string {
  const row = table.recordIds.indexOf(recordId);
  expect(row, `record ${recordId} is in the table`).toBeGreaterThanOrEqual(0);
  expect(Object.keys(table.columns), `field ${field} is in the table`).toContain(field);
  const column = table.columns[field];
  return column.dictionary[column.ids[row]] ?? '';
}

/** No normalized value of the table contains this text. */
const nowhere = (text: string) => (table: RecordTable) => {
  for (const column of Object.values(table.columns)) for (const value of column.dictionary) expect(value).not.toContain(text);
};

/** Both records have the same normalized value of `field`, and it is not missing. */
const sameValue = (field: string, a: string, b: string) => (table: RecordTable) => {
  expect(valueOf(table, field, a)).not.toBe('');
  expect(valueOf(table, field, b)).toBe(valueOf(table, field, a));
};

const readRows: Row[] = [
  // CSV
  { name: 'CSV: plain, LF', input: { csv: lines(HEADER, ROW1, ROW2) }, expect: { ids: ['MRN-001', 'MRN-002'] } },
  { name: 'CSV: a BOM before the header', input: { csv: '\ufeff' + lines(HEADER, ROW1, ROW2) }, expect: { ids: ['MRN-001', 'MRN-002'] } },
  {
    name: 'CSV: a BOM before a quoted header',
    input: { csv: '\ufeff' + lines('"id","given","family","dob","phone"', ROW1, ROW2) },
    expect: { ids: ['MRN-001', 'MRN-002'] },
  },
  { name: 'CSV: quoted header names', input: { csv: lines('"id","given","family","dob","phone"', ROW1) }, expect: { ids: ['MRN-001'] } },
  { name: 'CSV: blanks around header names', input: { csv: lines(' id , given ,family,dob, phone', ROW1) }, expect: { ids: ['MRN-001'] } },
  {
    name: 'CSV: CRLF throughout',
    input: { csv: [HEADER, ROW1, ROW2].join('\r\n') + '\r\n' },
    expect: { ids: ['MRN-001', 'MRN-002'], check: nowhere('\r') },
  },
  {
    name: 'CSV: a CRLF file with one LF row',
    input: { csv: `${HEADER}\r\n${ROW1}\n${ROW2}\r\nMRN-003,Zelophehad,Quixtrude,1961-04-12,(202) 555-0143\r\n` },
    expect: { ids: ['MRN-001', 'MRN-002', 'MRN-003'], check: sameValue('phone', 'MRN-001', 'MRN-003') },
  },
  { name: 'CSV: no line break after the last row', input: { csv: `${HEADER}\n${ROW1}` }, expect: { ids: ['MRN-001'] } },
  { name: 'CSV: blank lines between rows', input: { csv: lines(HEADER, ROW1, '', '', ROW2) }, expect: { ids: ['MRN-001', 'MRN-002'] } },
  {
    name: 'CSV: a quoted value holding a comma, a quote and a line break',
    input: { csv: lines(HEADER, 'MRN-001,"Zelo, ""Z""\nphehad",Quixtrude,1961-04-12,', ROW2) },
    expect: { ids: ['MRN-001', 'MRN-002'] },
  },
  { name: 'CSV: extra columns the settings do not name', input: { csv: lines(`${HEADER},notes`, `${ROW1},x`) }, expect: { ids: ['MRN-001'] } },
  { name: 'CSV: a row with too few fields', input: { csv: lines(HEADER, ROW1, 'MRN-002,Ysolde,Brannagh') }, expect: { error: 'MALFORMED_ROW', source: 'src', row: 2 } },
  { name: 'CSV: a row with too many fields', input: { csv: lines(HEADER, `${ROW1},extra`, ROW2) }, expect: { error: 'MALFORMED_ROW', source: 'src', row: 1 } },
  { name: 'CSV: a quote never closed', input: { csv: lines(HEADER, ROW1, 'MRN-002,"Ysolde,Brannagh,1970-01-02,') }, expect: { error: 'MALFORMED_ROW', source: 'src', row: 2 } },
  { name: 'CSV: an empty file', input: { csv: '' }, expect: { error: 'EMPTY_SOURCE', source: 'src' } },
  { name: 'CSV: a header and no row', input: { csv: lines(HEADER) }, expect: { error: 'EMPTY_SOURCE', source: 'src' } },
  { name: 'CSV: blank lines only', input: { csv: '\n\n\r\n' }, expect: { error: 'EMPTY_SOURCE', source: 'src' } },
  {
    name: 'CSV: a column named twice in the header',
    input: { csv: lines('id,given,given,family,dob,phone', 'MRN-001,Zelophehad,Ysolde,Quixtrude,1961-04-12,') },
    expect: { error: 'DUPLICATE_COLUMN', source: 'src', column: 'given' },
  },
  { name: 'CSV: no record id column', input: { csv: lines('given,family,dob,phone', 'Zelophehad,Quixtrude,1961-04-12,') }, expect: { error: 'MISSING_COLUMN', source: 'src', column: 'id' } },
  { name: 'CSV: no column for a field', input: { csv: lines('id,given,family,phone', 'MRN-001,Zelophehad,Quixtrude,') }, expect: { error: 'MISSING_COLUMN', source: 'src', column: 'dob' } },
  { name: 'CSV: an empty record id', input: { csv: lines(HEADER, ROW1, ',Ysolde,Brannagh,1970-01-02,') }, expect: { error: 'INVALID_VALUE', source: 'src', row: 2, column: 'id' } },
  { name: 'CSV: a blank record id', input: { csv: lines(HEADER, '  ,Ysolde,Brannagh,1970-01-02,', ROW1) }, expect: { error: 'INVALID_VALUE', source: 'src', row: 1, column: 'id' } },
  { name: 'CSV: a repeated record id', input: { csv: lines(HEADER, ROW1, ROW2, ROW1) }, expect: { error: 'DUPLICATE_RECORD_ID', source: 'src', row: 3, column: 'id' } },
  {
    name: 'CSV: record ids equal once trimmed',
    input: { csv: lines(HEADER, ROW1, ' MRN-001 ,Ysolde,Brannagh,1970-01-02,') },
    expect: { error: 'DUPLICATE_RECORD_ID', source: 'src', row: 2, column: 'id' },
  },
  { name: 'CSV: a NUL byte in a record id', input: { csv: lines(HEADER, ROW1, 'MRN-0\u000002,Ysolde,Brannagh,1970-01-02,') }, expect: { error: 'INVALID_VALUE', source: 'src', row: 2, column: 'id' } },
  {
    name: 'CSV: a NUL byte in a name is flagged, never matched on',
    input: { csv: lines(HEADER, ROW1, 'MRN-002,Ysol\u0000de,Brannagh,1970-01-02,') },
    expect: { ids: ['MRN-001', 'MRN-002'], flagged: [{ row: 2, column: 'given' }], check: nowhere('\u0000') },
  },
  {
    name: 'CSV: Latin-1 bytes (not UTF-8) in a name are an encoding error, never read as U+FFFD',
    input: { csv: Buffer.concat([Buffer.from(`${HEADER}\n${ROW1}\nMRN-002,Jos`), Buffer.from([0xe9]), Buffer.from(',Brannagh,1970-01-02,\n')]) },
    expect: { error: 'INVALID_ENCODING', source: 'src', row: 2, column: 'given' },
  },
  {
    name: 'CSV: a UTF-16 file is an encoding error',
    input: { csv: Buffer.from(lines(HEADER, ROW1), 'utf16le') },
    expect: { error: 'INVALID_ENCODING', source: 'src' },
  },
  {
    name: 'CSV: a value over MAX_FIELD_LENGTH is flagged',
    input: { csv: lines(HEADER, `MRN-001,${'Zelophehad'.repeat(200)},Quixtrude,1961-04-12,`) },
    expect: { ids: ['MRN-001'], flagged: [{ row: 1, column: 'given' }] },
  },
  {
    name: 'CSV: an impossible birth date is flagged',
    input: { csv: lines(HEADER, 'MRN-001,Zelophehad,Quixtrude,1961-02-30,') },
    expect: { ids: ['MRN-001'], flagged: [{ row: 1, column: 'dob' }] },
  },
  {
    name: 'CSV: a zero-width space inside a name',
    input: { csv: lines(HEADER, ROW1, 'MRN-002,Zelo\u200bphehad,Quixtrude,1961-04-12,') },
    expect: { ids: ['MRN-001', 'MRN-002'], check: sameValue('given_name', 'MRN-001', 'MRN-002') },
  },
  {
    name: 'CSV: full-width digits in a birth date',
    input: { csv: lines(HEADER, ROW1, 'MRN-002,Zelophehad,Quixtrude,１９６１-０４-１２,') },
    expect: { ids: ['MRN-001', 'MRN-002'], check: sameValue('birth_date', 'MRN-001', 'MRN-002') },
  },
  {
    name: 'CSV: full-width digits in a phone number',
    input: { csv: lines(HEADER, ROW1, 'MRN-002,Zelophehad,Quixtrude,1961-04-12,(２０２) ５５５-０１４３') },
    expect: { ids: ['MRN-001', 'MRN-002'], check: sameValue('phone', 'MRN-001', 'MRN-002') },
  },
  {
    name: 'CSV: a field column named constructor',
    input: { csv: lines('id,constructor,family', 'MRN-001,Zelophehad,Quixtrude'), settings: { recordId: 'id', fields: { constructor: 'given_name', family: 'family_name' } } },
    expect: { ids: ['MRN-001'], check: (t) => expect(valueOf(t, 'given_name', 'MRN-001')).not.toBe('') },
  },
  {
    name: 'CSV: a field column named __proto__',
    input: { csv: lines('id,__proto__,family', 'MRN-001,Zelophehad,Quixtrude'), settings: JSON.parse('{"recordId":"id","fields":{"__proto__":"given_name","family":"family_name"}}') },
    expect: { ids: ['MRN-001'], check: (t) => expect(valueOf(t, 'given_name', 'MRN-001')).not.toBe('') },
  },
  {
    name: 'CSV: a record id column named constructor',
    input: { csv: lines('constructor,given', 'MRN-001,Zelophehad'), settings: { recordId: 'constructor', fields: { given: 'given_name' } } },
    expect: { ids: ['MRN-001'] },
  },

  // NDJSON
  { name: 'NDJSON: plain', input: { ndjson: json(RECORD1, RECORD2) }, expect: { ids: ['MRN-001', 'MRN-002'] } },
  { name: 'NDJSON: a BOM before the first line', input: { ndjson: '\ufeff' + json(RECORD1, RECORD2) }, expect: { ids: ['MRN-001', 'MRN-002'] } },
  { name: 'NDJSON: CRLF and blank lines', input: { ndjson: `${JSON.stringify(RECORD1)}\r\n\r\n${JSON.stringify(RECORD2)}\r\n` }, expect: { ids: ['MRN-001', 'MRN-002'] } },
  { name: 'NDJSON: a line that is not JSON', input: { ndjson: json(RECORD1) + '{"id": "MRN-002", "given": "Ysolde"\n' }, expect: { error: 'MALFORMED_ROW', source: 'src', row: 2 } },
  { name: 'NDJSON: a line holding an array', input: { ndjson: json(RECORD1, ['MRN-002', 'Ysolde']) }, expect: { error: 'MALFORMED_ROW', source: 'src', row: 2 } },
  { name: 'NDJSON: a line holding a string', input: { ndjson: json('Zelophehad', RECORD2) }, expect: { error: 'MALFORMED_ROW', source: 'src', row: 1 } },
  { name: 'NDJSON: a line holding null', input: { ndjson: json(RECORD1, null) }, expect: { error: 'MALFORMED_ROW', source: 'src', row: 2 } },
  { name: 'NDJSON: a nested object as a value', input: { ndjson: json(RECORD1, { ...RECORD2, given: { first: 'Ysolde' } }) }, expect: { error: 'INVALID_VALUE', source: 'src', row: 2, column: 'given' } },
  { name: 'NDJSON: an array as a value', input: { ndjson: json({ ...RECORD1, family: ['Quixtrude'] }) }, expect: { error: 'INVALID_VALUE', source: 'src', row: 1, column: 'family' } },
  { name: 'NDJSON: a boolean as a value', input: { ndjson: json({ ...RECORD1, phone: true }) }, expect: { error: 'INVALID_VALUE', source: 'src', row: 1, column: 'phone' } },
  { name: 'NDJSON: numeric record ids', input: { ndjson: '{"id": 17, "given": "Zelophehad"}\n{"id": 18, "given": "Ysolde"}\n', settings: GIVEN_ONLY }, expect: { ids: ['17', '18'] } },
  {
    name: 'NDJSON: a numeric record id above 2^53 keeps its digits',
    input: { ndjson: '{"id": 9007199254740993, "given": "Zelophehad"}\n{"id": 9007199254740992, "given": "Ysolde"}\n', settings: GIVEN_ONLY },
    expect: { ids: ['9007199254740992', '9007199254740993'] },
  },
  { name: 'NDJSON: a column no line has', input: { ndjson: json({ id: 'MRN-001', given: 'Zelophehad', family: 'Quixtrude', phone: null }) }, expect: { error: 'MISSING_COLUMN', source: 'src', column: 'dob' } },
  { name: 'NDJSON: an empty file', input: { ndjson: '' }, expect: { error: 'EMPTY_SOURCE', source: 'src' } },
  { name: 'NDJSON: a repeated record id', input: { ndjson: json(RECORD1, RECORD2, RECORD1) }, expect: { error: 'DUPLICATE_RECORD_ID', source: 'src', row: 3, column: 'id' } },

  // In-memory records
  { name: 'memory: null as a record', input: { records: () => [RECORD1, null] }, expect: { error: 'MALFORMED_ROW', source: 'src', row: 2 } },
  { name: 'memory: undefined as a record', input: { records: () => [undefined, RECORD2] }, expect: { error: 'MALFORMED_ROW', source: 'src', row: 1 } },
  { name: 'memory: a number as a record', input: { records: () => [RECORD1, 42] }, expect: { error: 'MALFORMED_ROW', source: 'src', row: 2 } },
  { name: 'memory: an array as a record', input: { records: () => [['MRN-001', 'Zelophehad']] }, expect: { error: 'MALFORMED_ROW', source: 'src', row: 1 } },
  // eslint-disable-next-line no-sparse-arrays
  { name: 'memory: a sparse array of records', input: { records: () => [RECORD1, , RECORD2] }, expect: { error: 'MALFORMED_ROW', source: 'src', row: 2 } },
  { name: 'memory: no records', input: { records: () => [] }, expect: { error: 'EMPTY_SOURCE', source: 'src' } },
  {
    name: 'memory: a Date at local midnight is that calendar day, east of UTC',
    input: { records: () => [RECORD1, { ...RECORD1, id: 'MRN-002', dob: new Date(1961, 3, 12) }], timeZone: 'Pacific/Auckland' },
    expect: { ids: ['MRN-001', 'MRN-002'], check: sameValue('birth_date', 'MRN-001', 'MRN-002') },
  },
  {
    name: 'memory: a Date at local midnight is that calendar day, west of UTC',
    input: { records: () => [RECORD1, { ...RECORD1, id: 'MRN-002', dob: new Date(1961, 3, 12) }], timeZone: 'America/Los_Angeles' },
    expect: { ids: ['MRN-001', 'MRN-002'], check: sameValue('birth_date', 'MRN-001', 'MRN-002') },
  },
  { name: 'memory: an invalid Date', input: { records: () => [{ ...RECORD1, dob: new Date(Number.NaN) }] }, expect: { error: 'INVALID_VALUE', source: 'src', row: 1, column: 'dob' } },
  {
    name: 'memory: numbers as values and ids',
    input: { records: () => [{ ...RECORD1, id: 1, phone: 2025550143 }, { ...RECORD2, id: 2 }] },
    expect: { ids: ['1', '2'], check: (t) => expect(valueOf(t, 'phone', '1')).not.toBe('') },
  },
  { name: 'memory: a nested object as a value', input: { records: () => [RECORD1, { ...RECORD2, family: { name: 'Brannagh' } }] }, expect: { error: 'INVALID_VALUE', source: 'src', row: 2, column: 'family' } },
  // eslint-disable-next-line no-sparse-arrays
  { name: 'memory: a sparse array as a value', input: { records: () => [{ ...RECORD1, given: ['Zelophehad', , 'Z'] }] }, expect: { error: 'INVALID_VALUE', source: 'src', row: 1, column: 'given' } },
  { name: 'memory: a symbol as a value', input: { records: () => [{ ...RECORD1, given: Symbol('Zelophehad') }] }, expect: { error: 'INVALID_VALUE', source: 'src', row: 1, column: 'given' } },
  {
    name: 'memory: null, undefined and absent values are missing',
    input: { records: () => [{ id: 'MRN-001', given: null, family: undefined, dob: '1961-04-12', phone: null }, { id: 'MRN-002', given: 'Ysolde', family: 'Brannagh' }] },
    expect: { ids: ['MRN-001', 'MRN-002'], check: (t) => expect([valueOf(t, 'given_name', 'MRN-001'), valueOf(t, 'birth_date', 'MRN-002')]).toEqual(['', '']) },
  },
  { name: 'memory: a null record id', input: { records: () => [RECORD1, { ...RECORD2, id: null }] }, expect: { error: 'INVALID_VALUE', source: 'src', row: 2, column: 'id' } },
  {
    name: 'memory: a field column named constructor, absent from a record',
    input: {
      records: () => [{ id: 'MRN-001', constructor: 'Zelophehad' }, { id: 'MRN-002' }],
      settings: { recordId: 'id', fields: { constructor: 'given_name' } },
    },
    expect: { ids: ['MRN-001', 'MRN-002'], check: (t) => expect(valueOf(t, 'given_name', 'MRN-002')).toBe('') },
  },
  {
    name: 'memory: a field column named toString, in no record',
    input: { records: () => [{ id: 'MRN-001', given: 'Zelophehad' }], settings: { recordId: 'id', fields: { given: 'given_name', toString: 'family_name' } } },
    expect: { error: 'MISSING_COLUMN', source: 'src', column: 'toString' },
  },
];

/** Settings rows: link() over two good records, with settings that are wrong in one place. */
const settingsRow = (name: string, settings: unknown, key: readonly string[]): Row => ({ name: `settings: ${name}`, input: { link: settings }, expect: { error: 'SETTINGS', key } });
const fields = SETTINGS.fields;

const settingsRows: Row[] = [
  settingsRow('not an object', [SETTINGS], []),
  settingsRow('an unknown key', { ...SETTINGS, threshhold: 0.9 }, ['threshhold']),
  settingsRow('an unknown key inside em', { ...SETTINGS, em: { maxIteration: 10 } }, ['em', 'maxIteration']),
  settingsRow('recordId not a string', { ...SETTINGS, recordId: 7 }, ['recordId']),
  settingsRow('fields an array', { ...SETTINGS, fields: ['given'] }, ['fields']),
  settingsRow('an unknown field kind', { ...SETTINGS, fields: { ...fields, given: 'first_name' } }, ['fields', 'given']),
  settingsRow('the record id also a field', { ...SETTINGS, fields: { ...fields, id: 'identifier' } }, ['fields', 'id']),
  settingsRow('a date format with unknown tokens', { ...SETTINGS, fields: { ...fields, dob: { kind: 'birth_date', format: 'YYYY-QQ-DD' } } }, ['fields', 'dob', 'format']),
  settingsRow('a default country that is no ISO code', { ...SETTINGS, defaultCountry: 'USA' }, ['defaultCountry']),
  settingsRow("a field's default country that is no ISO code", { ...SETTINGS, fields: { ...fields, phone: { kind: 'phone', defaultCountry: 'XX' } } }, ['fields', 'phone', 'defaultCountry']),
  settingsRow('blockingRules [null]', { ...SETTINGS, blockingRules: [null] }, ['blockingRules', '0']),
  settingsRow('blockingRules []', { ...SETTINGS, blockingRules: [] }, ['blockingRules']),
  settingsRow('em.maxIterations "lots"', { ...SETTINGS, em: { maxIterations: 'lots' } }, ['em', 'maxIterations']),
  settingsRow('em.tolerance negative', { ...SETTINGS, em: { tolerance: -1 } }, ['em', 'tolerance']),
  settingsRow('comparisons []', { ...SETTINGS, comparisons: [] }, ['comparisons']),
  settingsRow('an override for a source not given', { ...SETTINGS, sources: { pharmacy: { recordId: 'rx' } } }, ['sources', 'pharmacy']),
  settingsRow('threshold above 1', { ...SETTINGS, threshold: 1.5 }, ['threshold']),
  settingsRow('threshold below 0', { ...SETTINGS, threshold: -0.1 }, ['threshold']),
  settingsRow('threshold a string', { ...SETTINGS, threshold: '0.9' }, ['threshold']),
  settingsRow('an unknown mode', { ...SETTINGS, mode: 'merge' }, ['mode']),
  settingsRow('maxPairs 0', { ...SETTINGS, maxPairs: 0 }, ['maxPairs']),
  settingsRow('invalidValues "ignore"', { ...SETTINGS, invalidValues: 'ignore' }, ['invalidValues']),
  {
    name: 'settings: invalidValues "error" turns a flagged value into an error',
    input: { link: { ...SETTINGS, invalidValues: 'error' }, sources: [{ name: 'src', records: [RECORD1, { ...RECORD2, dob: '1970-02-30' }] }] },
    expect: { error: 'INVALID_VALUE', source: 'src', row: 2, column: 'dob' },
  },
  {
    name: 'link(): the same source name twice',
    input: { link: SETTINGS, sources: [{ name: 'src', records: [RECORD1] }, { name: 'src', records: [RECORD2] }] },
    expect: { error: 'SETTINGS', key: ['sources'] },
  },
  {
    name: 'link(): more candidate pairs than maxPairs',
    input: {
      link: { ...SETTINGS, maxPairs: 1, blockingRules: [{ kind: 'key', name: 'same family', keys: [{ column: 'family_name' }] }] },
      sources: [{ name: 'src', records: [RECORD1, { ...RECORD1, id: 'MRN-002' }, { ...RECORD1, id: 'MRN-003' }] }],
    },
    expect: { error: undefined, type: 'PairBudgetExceededError', key: ['same family'] },
  },
  { name: 'link(): no source', input: { link: SETTINGS, sources: [] }, expect: { error: 'NO_SOURCES' } },
  { name: 'link(): threads 0', input: { link: SETTINGS, options: { threads: 0 } }, expect: { error: 'BAD_THREADS' } },
  { name: 'link(): threads 1.5', input: { link: SETTINGS, options: { threads: 1.5 } }, expect: { error: 'BAD_THREADS' } },
];

/** The files every CLI row's folder starts with. */
function cliFolder(): string {
  const dir = tempDir('mpi-bad-');
  writeFileSync(join(dir, 'good.csv'), lines(HEADER, ROW1, ROW2));
  writeFileSync(join(dir, 'settings.json'), JSON.stringify(SETTINGS));
  writeFileSync(join(dir, 'truth.csv'), lines('source,record_id,person_id', 'src,MRN-001,p1', 'src,MRN-002,p2'));
  writeFileSync(join(dir, 'groups.csv'), lines('source,record_id,identity_id', 'src,MRN-001,g1', 'src,MRN-002,g2'));
  return dir;
}

/** `mpi link` over good.csv with settings.json, writing out.csv, with these arguments changed or added. */
const linkArgs = (dir: string, extra: readonly string[] = [], { settings = 'settings.json', out = 'out.csv' } = {}) => [
  'link', '--quiet', '--settings', join(dir, settings), '--source', `src=${join(dir, 'good.csv')}`, '--out', join(dir, out), ...extra,
];
const noOutput = (dir: string) => expect(existsSync(join(dir, 'out.csv')), 'no groups file is written').toBe(false);

const cliRows: Row[] = [
  { name: 'CLI: link with good input succeeds', input: { cli: (dir) => linkArgs(dir) }, expect: { exit: 0, after: (dir) => expect(readFileSync(join(dir, 'out.csv'), 'utf8').trim().split('\n')).toHaveLength(3) } },
  { name: 'CLI: no command', input: { cli: () => [] }, expect: { exit: 2 } },
  { name: 'CLI: an unknown command', input: { cli: () => ['merge'] }, expect: { exit: 2, stderr: /merge/ } },
  {
    name: 'CLI: link without --settings infers them and says so',
    input: { cli: (dir) => ['link', '--source', `src=${join(dir, 'good.csv')}`, '--out', join(dir, 'out.csv')] },
    expect: { exit: 0, stderr: /no --settings given: settings inferred/, after: (dir) => expect(readFileSync(join(dir, 'out.csv'), 'utf8').trim().split('\n')).toHaveLength(3) },
  },
  { name: 'CLI: link without --source', input: { cli: (dir) => ['link', '--settings', join(dir, 'settings.json'), '--out', join(dir, 'out.csv')] }, expect: { exit: 2, stderr: /--source/, after: noOutput } },
  { name: 'CLI: link without --out', input: { cli: (dir) => ['link', '--settings', join(dir, 'settings.json'), '--source', `src=${join(dir, 'good.csv')}`] }, expect: { exit: 2, stderr: /--out/ } },
  { name: 'CLI: --source without NAME=', input: { cli: (dir) => linkArgs(dir).map((a) => (a.startsWith('src=') ? join(dir, 'good.csv') : a)) }, expect: { exit: 2, stderr: /--source/, after: noOutput } },
  { name: "CLI: --threshold ''", input: { cli: (dir) => linkArgs(dir, ['--threshold', '']) }, expect: { exit: 2, stderr: /--threshold/, after: noOutput } },
  { name: 'CLI: --threshold 2', input: { cli: (dir) => linkArgs(dir, ['--threshold', '2']) }, expect: { exit: 2, stderr: /--threshold/, after: noOutput } },
  { name: 'CLI: --threads 0', input: { cli: (dir) => linkArgs(dir, ['--threads', '0']) }, expect: { exit: 2, stderr: /--threads/, after: noOutput } },
  { name: 'CLI: --max-pairs abc', input: { cli: (dir) => linkArgs(dir, ['--max-pairs', 'abc']) }, expect: { exit: 2, stderr: /--max-pairs/, after: noOutput } },
  {
    name: 'CLI: --out naming an input file',
    input: { cli: (dir) => linkArgs(dir, [], { out: 'good.csv' }) },
    expect: { exit: 2, stderr: /--out/, after: (dir) => expect(readFileSync(join(dir, 'good.csv'), 'utf8')).toBe(lines(HEADER, ROW1, ROW2)) },
  },
  { name: 'CLI: --out in a folder that does not exist', input: { cli: (dir) => linkArgs(dir, [], { out: 'no/such/folder/out.csv' }) }, expect: { exit: 2, stderr: /--out/ } },
  {
    name: 'CLI: --out naming a folder',
    input: { cli: (dir) => (mkdirSync(join(dir, 'folder')), linkArgs(dir, [], { out: 'folder' })) },
    expect: { exit: 2, stderr: /--out/ },
  },
  {
    name: 'CLI: settings file that is not JSON',
    input: { cli: (dir) => (writeFileSync(join(dir, 'bad.json'), '{"recordId": "id",'), linkArgs(dir, [], { settings: 'bad.json' })) },
    expect: { exit: 2, stderr: /settings/, after: noOutput },
  },
  { name: 'CLI: settings file missing', input: { cli: (dir) => linkArgs(dir, [], { settings: 'none.json' }) }, expect: { exit: 2, stderr: /settings/, after: noOutput } },
  {
    name: 'CLI: settings with a key given twice',
    input: { cli: (dir) => (writeFileSync(join(dir, 'twice.json'), '{"recordId": "id", "threshold": 0.9, "fields": {"given": "given_name"}, "threshold": 0.1}'), linkArgs(dir, [], { settings: 'twice.json' })) },
    expect: { exit: 2, stderr: /threshold/, after: noOutput },
  },
  { name: 'CLI: a source file missing', input: { cli: (dir) => [...linkArgs(dir), '--source', `lab=${join(dir, 'none.csv')}`] }, expect: { exit: 2, stderr: /source "lab"/, after: noOutput } },
  {
    name: 'CLI: a malformed source names source and row',
    input: { cli: (dir) => (writeFileSync(join(dir, 'bad.csv'), lines(HEADER, ROW1, 'MRN-002,"Ysolde')), [...linkArgs(dir), '--source', `lab=${join(dir, 'bad.csv')}`]) },
    expect: { exit: 2, stderr: /source "lab", row 2/, after: noOutput },
  },
  {
    name: 'CLI: evaluate with a truth file of the wrong header is an error, not F1 1.0',
    input: { cli: (dir) => (writeFileSync(join(dir, 'wrong.csv'), lines('src,id,person', 'src,MRN-001,p1', 'src,MRN-002,p2')), ['evaluate', '--groups', join(dir, 'groups.csv'), '--truth', join(dir, 'wrong.csv')]) },
    expect: { exit: 2, stderr: /truth/, stdoutNot: /F1/ },
  },
  {
    name: 'CLI: evaluate with a groups file of the wrong header',
    input: { cli: (dir) => (writeFileSync(join(dir, 'wrong.csv'), lines('source,record_id,group', 'src,MRN-001,g1')), ['evaluate', '--groups', join(dir, 'wrong.csv'), '--truth', join(dir, 'truth.csv')]) },
    expect: { exit: 2, stderr: /groups/, stdoutNot: /F1/ },
  },
  {
    name: 'CLI: evaluate with groups missing a record fails conservation',
    input: { cli: (dir) => (writeFileSync(join(dir, 'part.csv'), lines('source,record_id,identity_id', 'src,MRN-001,g1')), ['evaluate', '--groups', join(dir, 'part.csv'), '--truth', join(dir, 'truth.csv')]) },
    expect: { exit: 3, stdoutNot: /conservation ok/ },
  },
  { name: 'CLI: evaluate without --truth', input: { cli: (dir) => ['evaluate', '--groups', join(dir, 'groups.csv')] }, expect: { exit: 2, stderr: /--truth/ } },
];

/** Runs `read` in a time zone (Node applies a change of TZ at once), then restores the zone. */
async function inTimeZone<T>(zone: string | undefined, read: () => Promise<T>): Promise<T> {
  if (zone === undefined) return read();
  const before = process.env.TZ;
  process.env.TZ = zone;
  try {
    return await read();
  } finally {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  }
}

/** What an API row came to: the table read, or what was thrown. */
async function runApi(input: Exclude<Input, { cli: unknown }>): Promise<{ table?: RecordTable; error?: unknown }> {
  try {
    if ('link' in input) {
      const sources = input.sources ?? [{ name: 'src', records: [RECORD1, RECORD2] }];
      return { table: (await link({ settings: input.link as Settings, sources, threads: 1, ...input.options })).table };
    }
    const settings = (input.settings ?? SETTINGS) as Settings;
    if ('records' in input) {
      const records = input.records;
      return { table: await inTimeZone(input.timeZone, () => buildRecordTable([{ name: 'src', records: records() as Iterable<PlainRecord> }], settings, 1)) };
    }
    const dir = tempDir('mpi-bad-');
    const format = 'csv' in input ? 'csv' : 'ndjson';
    const path = join(dir, `src.${format}`);
    writeFileSync(path, 'csv' in input ? input.csv : input.ndjson);
    return { table: await buildRecordTable([{ name: 'src', path, format }], settings, 1) };
  } catch (error) {
    return { error };
  }
}

/** The `mpi` command's exit code and output. */
function mpi(args: readonly string[], cwd: string) {
  return runProcess(process.execPath, [cliPath, ...args], { cwd });
}

function expectNoPatientValue(text: string): void {
  for (const value of PATIENT_VALUES) expect(text, 'no patient value in messages').not.toContain(value);
}

/** The error classes @mpi/blocking and @mpi/scoring export (MpiErrors, told apart here by class name). */
const PACKAGE_ERRORS = (Object.values({ ...blocking, ...scoring }) as unknown[]).filter(
  (value): value is new (...args: never[]) => Error => typeof value === 'function' && value.prototype instanceof Error,
);

function checkError(error: unknown, expected: Extract<Expected, { error: unknown }>): void {
  if (expected.type !== undefined) {
    expect(PACKAGE_ERRORS.some((Class) => error instanceof Class) && (error as Error).name, `a typed error: ${String(error)}`).toBe(expected.type);
  } else expect(error, 'a typed error (MpiError)').toBeInstanceOf(MpiError);
  const { code, message } = error as MpiError;
  if (expected.error !== undefined) expect(code).toBe(expected.error);
  if (expected.source !== undefined) expect(message).toContain(`source "${expected.source}"`);
  if (expected.row !== undefined) expect(message).toMatch(new RegExp(`\\brow ${expected.row}\\b`));
  if (expected.column !== undefined) expect(message).toContain(`column "${expected.column}"`);
  // A settings key is named by its path, however written (a.b, a/b, a[0]).
  if (expected.key !== undefined) expect(message).toMatch(new RegExp(expected.key.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[./\\[\\]"]+')));
  expectNoPatientValue(message);
}

describe('bad inputs and what they come to', () => {
  describe.each([
    ['readers', readRows],
    ['settings and link options', settingsRows],
  ] as const)('%s', (_, rows) => {
    it.each(rows.map((row) => [row.name, row] as const))('%s', async (_name, { input, expect: expected }) => {
      const { table, error } = await runApi(input as Exclude<Input, { cli: unknown }>);
      if ('error' in expected) {
        expect(table, 'the input is refused').toBeUndefined();
        checkError(error, expected);
        return;
      }
      if (error !== undefined) throw error;
      if (!('ids' in expected)) throw new Error('an API row expects an error or records');
      expect([...table!.recordIds].sort()).toEqual([...expected.ids].sort());
      expect(table!.flags.map(({ row, column }) => ({ row, column }))).toEqual(expected.flagged ?? []);
      for (const flag of table!.flags) expectNoPatientValue(flag.reason);
      expected.check?.(table!);
    });
  });

  describe('the mpi command', () => {
    // Each row starts a process: rows run a few at a time.
    it.concurrent.each(cliRows.map((row) => [row.name, row] as const))('%s', async (_name, { input, expect: expected }) => {
      if (!('cli' in input) || !('exit' in expected)) throw new Error('a CLI row gives arguments and an exit code');
      const dir = cliFolder();
      const run = await mpi(input.cli(dir), dir);
      expect(run.status, `exit code (stderr: ${run.stderr})`).toBe(expected.exit);
      if (expected.stderr) expect(run.stderr).toMatch(expected.stderr);
      if (expected.stdoutNot) expect(run.stdout).not.toMatch(expected.stdoutNot);
      expect(run.stderr).not.toMatch(/internal error/);
      expectNoPatientValue(run.stdout + run.stderr);
      expected.after?.(dir);
    });
  });
});
