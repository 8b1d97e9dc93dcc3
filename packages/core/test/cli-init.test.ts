// `mpi init` and inferred settings: what the header names and values decide, and that
// the inferred settings link as well as the hand-written kinds-only settings each data set ships with.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { evaluate, inferSettings, link, type Settings, type SourceInput } from '../src/index.js';
import { guessDateFormat } from '../src/settings/infer/date-format.js';
import { kindFromHeader } from '../src/settings/infer/header-kinds.js';
import { kindFromValues } from '../src/settings/infer/value-kinds.js';
import { runMpi, febrlDir, repoRoot, runProcess, tempDir, writeIn } from './helpers.js';

const mpi = runMpi;

const readJsonFile = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Settings;

/** Pairwise F1 of linking `sources` with `settings` against the truth `personOf` gives each record. */
async function pairwiseF1(settings: Settings, sources: readonly SourceInput[], personOf: (source: string, recordId: string) => string): Promise<number> {
  const result = await link({ settings, sources, threads: 1 });
  const predicted = result.groups().flatMap((g) => g.records.map((r) => ({ ...r, group: g.id })));
  return evaluate(predicted, predicted.map((m) => ({ ...m, group: personOf(m.source, m.recordId) }))).pairwise.f1;
}

/** Settings with every field given as an object: "birth_date" and { "kind": "birth_date" } say the same. */
function canonical(settings: Settings): Settings {
  const fields = (f: Settings['fields'] | undefined) => (f === undefined ? undefined : Object.fromEntries(Object.entries(f).map(([c, spec]) => [c, typeof spec === 'string' ? { kind: spec } : spec])));
  const sources = settings.sources && Object.fromEntries(Object.entries(settings.sources).map(([name, o]) => [name, { ...o, fields: fields(o.fields) }]));
  return { ...settings, fields: fields(settings.fields)!, ...(sources ? { sources } : {}) };
}

const febrlPerson = (_: string, recordId: string) => /^rec-(\d+)-/.exec(recordId)![1];

/** `mpi init` on the sources; returns the settings it wrote. */
async function init(dir: string, sources: readonly { name: string; path: string }[], mode?: string): Promise<Settings> {
  const out = join(dir, 'inferred.json');
  const run = await mpi(['init', ...sources.flatMap((s) => ['--source', `${s.name}=${s.path}`]), ...(mode ? ['--mode', mode] : []), '--out', out]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return readJsonFile(out);
}

/** A copy of a CSV file without its last column. */
function withoutLastColumn(from: string, to: string): string {
  const lines = readFileSync(from, 'utf8').split('\n');
  writeFileSync(to, lines.map((line) => line.replace(/,[^,]*$/, '')).join('\n'));
  return to;
}

describe('header names', () => {
  it('name each field kind in the spellings source systems use', async () => {
    const cases: Record<string, string[]> = {
      record_id: ['rec_id', 'RecordID', 'MRN', 'patient_id', 'id'],
      given_name: ['given_name', 'first_name', 'FIRST', 'fname', 'Forename', 'First Name', 'firstName', 'patient_first_name', 'FIRST_NM'],
      middle_name: ['middle_name', 'MI', 'middleInitial'],
      family_name: ['surname', 'last_name', 'LNAME', 'Family Name', 'lastName'],
      full_name: ['name', 'full_name', 'PatientName'],
      birth_date: ['dob', 'DOB', 'birth_date', 'date_of_birth', 'BirthDate', 'pt_dob'],
      sex: ['sex', 'Gender'],
      street_number: ['street_number', 'house_no'],
      street_address: ['address_1', 'address', 'street', 'home_street_address', 'AddressLine1'],
      address_line_2: ['address_2', 'addr2', 'AddressLine2'],
      city: ['city', 'suburb', 'Town', 'mailing_city'],
      state: ['state', 'province'],
      postcode: ['postcode', 'zip', 'ZipCode', 'postal_code', 'home_postcode'],
      phone: ['phone', 'home_phone', 'cell_phone', 'Telephone', 'mobile'],
      email: ['email', 'e-mail', 'EmailAddress'],
      national_id: ['ssn', 'SSN', 'soc_sec_id', 'national_id', 'nhs_number'],
    };
    for (const [meaning, headers] of Object.entries(cases)) for (const header of headers) expect([header, kindFromHeader(header)]).toEqual([header, meaning]);
  });

  it('say nothing for names the engine has no kind for', async () => {
    for (const header of ['notes', 'col7', 'visit_date', 'home', 'amount', 'patient']) expect([header, kindFromHeader(header)]).toEqual([header, undefined]);
  });
});

describe('values, where the header says nothing', () => {
  it('show e-mail addresses, sex codes, formatted phone numbers, social security numbers and dates', async () => {
    expect(kindFromValues(['a@b.org', 'c.d@e.com', ''])).toBe('email');
    expect(kindFromValues(['M', 'F', 'F', 'U'])).toBe('sex');
    expect(kindFromValues(['555-123-4567', '(555) 765-4321', '+15551234567'])).toBe('phone');
    expect(kindFromValues(['123-45-6789', '987-65-4321'])).toBe('national_id');
    expect(kindFromValues(['1980-03-05', '1975-12-31'])).toBe('birth_date');
  });

  it('leave bare digits and words alone: they could be postcodes, numbers, names or cities', async () => {
    for (const values of [['2119', '3165'], ['7', '177'], ['smith', 'jones'], ['x', 'x', 'o']]) expect(kindFromValues(values)).toBeUndefined();
  });
});

describe('birth date formats from values', () => {
  it('tell ISO, compact, day-first and month-first dates apart by their shapes and by parts above 12', async () => {
    expect(guessDateFormat(['1980-03-05', '1975-12-31'])).toEqual({ format: 'YYYY-MM-DD' });
    expect(guessDateFormat(['19800305', '19751231'])).toEqual({ format: 'YYYYMMDD' });
    expect(guessDateFormat(['05/03/1980', '31/12/1975'])).toEqual({ format: 'DD/MM/YYYY' });
    expect(guessDateFormat(['03/05/1980', '12/31/1975'])).toEqual({ format: 'MM/DD/YYYY' });
    expect(guessDateFormat(['3/5/1980', '12/31/1975'])).toEqual({ format: 'M/D/YYYY' });
    expect(guessDateFormat(['05.03.1980', '31.12.1975'])).toEqual({ format: 'DD.MM.YYYY' });
  });

  it('declare no format when no part shows the order, when forms are mixed, or when values are not dates', async () => {
    expect(guessDateFormat(['03/05/1980', '01/02/1975'])).toEqual({ reason: 'day-month-order-undecided' });
    expect(guessDateFormat(['1980-03-05', '05/03/1980', '19800305'])).toEqual({ reason: 'mixed-forms' });
    expect(guessDateFormat(['33010', '29587'])).toEqual({ reason: 'not-dates' });
  });

  it('are not turned by a few swapped dates', async () => {
    const monthFirst = [...Array.from({ length: 40 }, (_, i) => `${(i % 12) + 1}/${(i % 15) + 14}/1970`), '25/3/1970'];
    expect(guessDateFormat(monthFirst)).toEqual({ format: 'M/D/YYYY' });
  });
});

describe('mpi init', () => {
  it('writes settings and prints what it decided per column, names and kinds but no value', async () => {
    const dir = tempDir();
    const source = writeIn(dir, 'a.csv', 'patient_id,FIRST,LNAME,DOB,notes,contact\nP1,Maria,Okafor,31/12/1975,call back,maria@example.org\nP2,Jon,Li,05/03/1980,,jon@example.org\n');
    const out = join(dir, 'settings.json');
    const run = await mpi(['init', '--source', `clinic=${source}`, '--out', out]);
    expect(run.code).toBe(0);
    expect(readJsonFile(out)).toEqual({
      recordId: 'patient_id',
      fields: { FIRST: 'given_name', LNAME: 'family_name', DOB: { kind: 'birth_date', format: 'DD/MM/YYYY' }, contact: 'email' },
    });
    expect(run.stdout).toMatch(/record id patient_id/);
    expect(run.stdout).toMatch(/DOB +birth_date DD\/MM\/YYYY \(by its name\)/);
    expect(run.stdout).toMatch(/contact +email \(by its values\)/);
    expect(run.stdout).toMatch(/notes +left out: neither its name nor its values show a field kind/);
    for (const value of ['Maria', 'Okafor', '31/12/1975', 'call back', 'maria@example.org']) expect(run.stdout + run.stderr).not.toContain(value);
  });

  it('prints the settings on stdout without --out, the decisions on stderr', async () => {
    const dir = tempDir();
    const source = writeIn(dir, 'a.csv', 'id,given_name,family_name\n1,Ann,Lee\n');
    const run = await mpi(['init', '--source', `s=${source}`]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ recordId: 'id', fields: { given_name: 'given_name', family_name: 'family_name' } });
    expect(run.stderr).toMatch(/given_name +given_name/);
  });

  it('refuses a source with no column it can take for the record id, naming the source', async () => {
    const dir = tempDir();
    const source = writeIn(dir, 'a.csv', 'given_name,family_name\nAnn,Lee\nAnn,Lee\n');
    const run = await mpi(['init', '--source', `ward=${source}`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/source "ward": no column is named like a record id/);
  });

  it('gives each source its own record id and date format where they differ', async () => {
    const dir = tempDir();
    const a = writeIn(dir, 'a.csv', 'mrn,first_name,dob\nA1,Ann,1980-03-05\n');
    const b = writeIn(dir, 'b.csv', 'rec_id,first_name,dob\nB1,Ann,05/31/1980\n');
    const { settings } = await inferSettings([{ name: 'a', path: a }, { name: 'b', path: b }]);
    expect(settings).toEqual({
      recordId: 'mrn',
      fields: { first_name: 'given_name', dob: { kind: 'birth_date', format: 'YYYY-MM-DD' } },
      sources: { b: { recordId: 'rec_id', fields: { dob: { kind: 'birth_date', format: 'MM/DD/YYYY' } } } },
    });
  });
});

describe('inferSettings', () => {
  it('reads NDJSON files and in-memory arrays as link() reads them', async () => {
    const dir = tempDir();
    const ndjson = writeIn(dir, 'a.ndjson', '{"id":"1","forename":"Ann","dob":"1980-03-05"}\n{"id":"2","forename":"Bo","dob":"1975-12-31","email":"b@example.org"}\n');
    const records = [{ key: 'k1', forename: 'Ann', dob: new Date(Date.UTC(1980, 2, 5)) }];
    const { settings, sources } = await inferSettings([{ name: 'a', path: ndjson }, { name: 'b', records }]);
    expect(settings).toEqual({
      recordId: 'id',
      fields: { forename: 'given_name', dob: { kind: 'birth_date', format: 'YYYY-MM-DD' } },
      sources: { a: { fields: { email: 'email' } }, b: { recordId: 'key' } },
    });
    expect(sources.map((s) => s.delimiter)).toEqual([undefined, undefined]);
  });

  it('refuses records it could not read again for linking (an iterator rather than an array)', async () => {
    function* records() {
      yield { id: '1', forename: 'Ann' };
    }
    await expect(inferSettings([{ name: 'gen', records: records() }])).rejects.toMatchObject({ code: 'SOURCE_NOT_REREADABLE' });
  });

  it('refuses a source where no column shows a kind to match on', async () => {
    const dir = tempDir();
    const path = writeIn(dir, 'a.csv', 'id,notes\n1,a\n2,b\n');
    await expect(inferSettings([{ name: 'ward', path }])).rejects.toThrow(/source "ward": no column's name or values show a field kind/);
  });
});

describe('inferred settings link as well as the hand-written kinds-only settings', () => {
  it('on FEBRL3 (dedupe) and FEBRL4 (link), with and without the national id column', { timeout: 240_000 }, async () => {
    const dir = tempDir();
    const sets = [
      { settings: 'febrl3', mode: 'dedupe', files: { f3: 'dataset3.csv' } },
      { settings: 'febrl4', mode: 'link', files: { a: 'dataset4a.csv', b: 'dataset4b.csv' } },
    ];
    for (const set of sets) {
      for (const nationalId of [true, false]) {
        // Without the national id, the column is gone from the files (inference cannot know to ignore a column it sees).
        const sources = Object.entries(set.files).map(([name, file]) => ({
          name,
          path: nationalId ? join(febrlDir, file) : withoutLastColumn(join(febrlDir, file), join(dir, file)),
        }));
        const hand = readJsonFile(resolve(repoRoot, 'bench/settings', `${set.settings}${nationalId ? '' : '-no-national-id'}.json`));
        const inferred = await init(dir, sources, set.mode);
        const handF1 = await pairwiseF1(hand, sources, febrlPerson);
        expect([set.settings, nationalId, await pairwiseF1(inferred, sources, febrlPerson)]).toEqual([set.settings, nationalId, handF1]);
      }
    }
  });

  it('on generated sources (default and four regimes): the same settings and the same F1', { timeout: 400_000 }, async () => {
    for (const regime of [undefined, 'names-dob-only', 'no-address', 'multi-valued', 'excel-dates']) {
      const dir = tempDir();
      const generated = await runProcess(process.execPath, [resolve(repoRoot, 'fixtures/dist/cli.js'), 'generate', '--people', '800', '--seed', '7', '--out', dir, ...(regime ? ['--regime', regime] : [])]);
      expect(generated.status).toBe(0);
      const hand = readJsonFile(join(dir, 'settings.json'));
      const sources = ['ehr', 'lab', 'payer', 'clinic'].map((name) => ({ name, path: join(dir, `${name}.csv`) }));
      const inferred = await init(dir, sources, hand.mode);
      expect([regime, canonical(inferred)]).toEqual([regime, canonical(hand)]);
      const truth = new Map<string, string>(
        (parse(readFileSync(join(dir, 'truth.csv'), 'utf8'), { columns: true }) as { source: string; record_id: string; person_id: string }[]).map((t) => [`${t.source}/${t.record_id}`, t.person_id]),
      );
      const personOf = (source: string, recordId: string) => truth.get(`${source}/${recordId}`)!;
      expect([regime, await pairwiseF1(inferred, sources, personOf)]).toEqual([regime, await pairwiseF1(hand, sources, personOf)]);
    }
  });
});
