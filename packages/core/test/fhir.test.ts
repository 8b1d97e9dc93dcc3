// FHIR R4 Patient sources (docs/fhir.md): read from Bulk Data NDJSON or a Bundle,
// matched with settings the mapping gives, and the same groups as the same data in CSV.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRecordTable, fhirSettings, inferSettings, InvalidResourceError, link, MalformedRowError, type SourceInput } from '../src/index.js';
import { cliPath, febrlDir, processOutput, repoRoot, tempDir, writeIn } from './helpers.js';

const ndjson = (resources: readonly unknown[]) => resources.map((r) => JSON.stringify(r)).join('\n') + '\n';

/** Groups as sorted lists of "source/record" members, sorted: comparable whatever the group ids. */
async function groupsOf(run: ReturnType<typeof link>): Promise<string[][]> {
  const groups = (await run).groups().map((g) => g.records.map((r) => `${r.source}/${r.recordId}`).sort());
  return groups.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

describe('FEBRL through FHIR NDJSON', () => {
  it('gives the same groups as the CSV with equivalent settings', async () => {
    const dir = tempDir();
    // FEBRL's CSV holds no quoted field.
    const rows = readFileSync(join(febrlDir, 'dataset3.csv'), 'utf8').trimEnd().split('\n').map((line) => line.split(','));
    const header = rows[0].map((c) => c.trim());
    const at = (row: readonly string[], column: string) => (row[header.indexOf(column)] ?? '').trim();
    // FHIR has one street line where FEBRL has a number and a street: both files hold "number street".
    const line1 = (row: readonly string[]) => [at(row, 'street_number'), at(row, 'address_1')].filter((v) => v !== '').join(' ');
    const iso = (date: string) => (/^\d{8}$/.test(date) ? `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6)}` : date);
    const data = rows.slice(1);
    const patients = data.map((row) => ({
      resourceType: 'Patient',
      id: at(row, 'rec_id'),
      name: [{ use: 'official', given: at(row, 'given_name') ? [at(row, 'given_name')] : undefined, family: at(row, 'surname') || undefined }],
      birthDate: iso(at(row, 'date_of_birth')) || undefined,
      address: [{ line: [line1(row), at(row, 'address_2')].filter((v) => v !== ''), city: at(row, 'suburb') || undefined, state: at(row, 'state') || undefined, postalCode: at(row, 'postcode') || undefined }],
      identifier: at(row, 'soc_sec_id') ? [{ system: 'http://hl7.org/fhir/sid/us-ssn', value: at(row, 'soc_sec_id') }] : undefined,
    }));
    const fhirPath = writeIn(dir, 'febrl3.ndjson', ndjson(patients));
    const csvRows = data.map((row) => ['rec_id', 'given_name', 'surname', 'date_of_birth', 'suburb', 'postcode', 'state', 'soc_sec_id'].map((c) => at(row, c)).concat(line1(row), at(row, 'address_2')));
    const csvPath = writeIn(dir, 'febrl3.csv', ['rec_id,given_name,surname,date_of_birth,suburb,postcode,state,soc_sec_id,line1,address_2', ...csvRows.map((r) => r.join(','))].join('\n') + '\n');
    const csvSettings = {
      recordId: 'rec_id',
      fields: {
        given_name: 'given_name',
        surname: 'family_name',
        date_of_birth: { kind: 'birth_date', format: 'YYYYMMDD' },
        line1: 'street_address',
        address_2: 'address_line_2',
        suburb: 'city',
        state: 'state',
        postcode: 'postcode',
        soc_sec_id: 'national_id',
      },
    } as const;
    const fhir: SourceInput = { name: 'febrl', path: fhirPath };
    const viaFhir = await groupsOf(link({ settings: await fhirSettings([fhir]), sources: [fhir], threads: 1 }));
    const viaCsv = await groupsOf(link({ settings: csvSettings, sources: [{ name: 'febrl', path: csvPath }], threads: 1 }));
    expect(viaFhir.length).toBeLessThan(data.length); // duplicates were found
    expect(viaFhir).toEqual(viaCsv);
  }, 120_000);
});

describe('a generated population through FHIR NDJSON', () => {
  it('gives the same groups, without settings, as its CSV files with their settings.json', async () => {
    const dir = tempDir();
    const generate = (out: string, ...extra: string[]) =>
      processOutput(process.execPath, [resolve(repoRoot, 'fixtures/dist/cli.js'), 'generate', '--people', '800', '--seed', '3', '--out', join(dir, out), ...extra]);
    await generate('csv');
    await generate('fhir', '--format', 'fhir');
    expect(readFileSync(join(dir, 'fhir/truth.csv'), 'utf8')).toBe(readFileSync(join(dir, 'csv/truth.csv'), 'utf8'));
    const sources = ['ehr', 'lab', 'payer', 'clinic'];
    const run = async (out: string, args: string[]) => {
      await processOutput(process.execPath, [cliPath, 'link', ...args, '--out', join(dir, out), '--quiet']);
      return readFileSync(join(dir, out), 'utf8');
    };
    const viaCsv = await run('csv-groups.csv', ['--settings', join(dir, 'csv/settings.json'), ...sources.flatMap((s) => ['--source', `${s}=${join(dir, 'csv', s + '.csv')}`])]);
    const viaFhir = await run('fhir-groups.csv', sources.flatMap((s) => ['--source', `${s}=${join(dir, 'fhir', s + '.ndjson')}`]));
    expect(viaFhir.split('\n').length).toBeGreaterThan(1000);
    expect(viaFhir).toBe(viaCsv);
  }, 120_000);
});

const patient = <T extends Record<string, unknown>>(id: string, extra: T = {} as T) => ({ resourceType: 'Patient', id, ...extra });

/** Reads FHIR resources (NDJSON) with the settings their mapping gives. */
async function readFhir(text: string, name = 'p.ndjson') {
  const input: SourceInput = { name: 'A', path: writeIn(tempDir(), name, text) };
  return { input, table: await buildRecordTable([input], await fhirSettings([input])) };
}

describe('the Patient mapping', () => {
  it('keeps a partial birth date (1990, 1990-05) as what it is: flagged partial-date, no invented day', async () => {
    const { table } = await readFhir(ndjson([patient('a', { birthDate: '1990' }), patient('b', { birthDate: '1990-05' }), patient('c', { birthDate: '1990-05-17' })]));
    expect(table.flags.map((f) => [f.row, f.column, f.reason])).toEqual([
      [1, 'birthDate', 'partial-date'],
      [2, 'birthDate', 'partial-date'],
    ]);
    const dates = table.columns.birth_date;
    expect([...dates.ids].map((id) => dates.dictionary[id])).toEqual(['', '', '19900517']);
  });

  it('links two records that agree only on a second name, phone and identifier value', async () => {
    const first = patient('a', {
      name: [{ use: 'official', family: 'Okafor', given: ['Adaeze'] }, { use: 'maiden', family: 'Nwosu', given: ['Adaeze'] }],
      birthDate: '1971-03-09',
      telecom: [{ system: 'phone', value: '617-555-0100' }, { system: 'phone', value: '617-555-0199' }, { system: 'email', value: 'ada@example.org' }],
      identifier: [{ system: 'urn:oid:2.16.840.1.1', type: { coding: [{ code: 'MR' }] }, value: 'H1' }, { system: 'urn:oid:2.16.840.1.1', value: 'H2' }],
    });
    const second = patient('b', {
      name: [{ use: 'official', family: 'Nwosu', given: ['Adaeze'] }],
      birthDate: '1971-03-09',
      telecom: [{ system: 'phone', value: '(617) 555-0199' }],
      identifier: [{ system: 'urn:oid:2.16.840.1.1', value: 'H2' }],
    });
    const strangers = Array.from({ length: 40 }, (_, i) =>
      patient(`s${i}`, { name: [{ family: `Family${i}`, given: [`Given${i}`] }], birthDate: `19${50 + i}-0${1 + (i % 9)}-1${i % 10}`, telecom: [{ system: 'phone', value: `212-555-${1000 + i}` }] }),
    );
    const { input, table } = await readFhir(ndjson([first, second, ...strangers]));
    // Both names, both phones, each identifier system in a field of its own.
    expect(Object.keys(table.columns)).toEqual(expect.arrayContaining(['family_name', 'family_name#2', 'phone', 'phone#2', 'mrn urn:oid:2.16.840.1.1', 'identifier urn:oid:2.16.840.1.1']));
    const groupOfA = async (source: SourceInput) => {
      const result = await link({ settings: await fhirSettings([source]), sources: [source], threads: 1 });
      return result.groups().find((g) => g.records.some((r) => r.recordId === 'a'))!.records.map((r) => r.recordId).sort();
    };
    expect(await groupOfA(input)).toEqual(['a', 'b']);
    // Without its second name, phone and identifier the first record stays apart: the second values made the match.
    const firstValuesOnly = { ...first, name: [first.name[0]], telecom: [first.telecom[0], first.telecom[2]], identifier: [first.identifier[0]] };
    const alone = await readFhir(ndjson([firstValuesOnly, second, ...strangers]));
    expect(await groupOfA(alone.input)).toEqual(['a']);
  });

  it('never matches identifiers of different systems: each system is its own field', async () => {
    const settings = await fhirSettings([
      {
        name: 'A',
        path: writeIn(tempDir(), 'ids.ndjson', ndjson([
          patient('a', { identifier: [{ system: 'urn:hospital:1', value: '77' }], name: [{ family: 'X' }] }),
          patient('b', { identifier: [{ system: 'urn:hospital:2', value: '77' }], name: [{ family: 'X' }] }),
        ])),
      },
    ]);
    expect(settings.fields['identifier urn:hospital:1 #1']).toEqual({ kind: 'identifier', field: 'identifier urn:hospital:1' });
    expect(settings.fields['identifier urn:hospital:2 #1']).toEqual({ kind: 'identifier', field: 'identifier urn:hospital:2' });
  });

  it('reads a Bundle: its entries are the records, Patient.id the record id', async () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        { fullUrl: 'urn:uuid:1', resource: patient('p1', { name: [{ family: 'Lind', given: ['Ola'] }], gender: 'female', birthDate: '1980-02-03' }) },
        { fullUrl: 'urn:uuid:2', resource: patient('p2', { name: [{ family: 'Lind', given: ['Ola'] }], gender: 'female', birthDate: '1980-02-03' }) },
      ],
    };
    const { table } = await readFhir(JSON.stringify(bundle, null, 2), 'bundle.json');
    expect(table.recordIds).toEqual(['p1', 'p2']);
    const family = table.columns.family_name;
    expect(family.dictionary[family.ids[1]]).toBe('lind');
  });
});

describe('telling the file shapes apart', () => {
  it('reads a line longer than the bytes looked at (a Patient with a photo) as a line of NDJSON', async () => {
    const photo = [{ contentType: 'image/png', data: 'A'.repeat(200_000) }];
    const { table } = await readFhir(ndjson([patient('a', { photo, name: [{ family: 'Kim' }] }), patient('b', { name: [{ family: 'Kim' }] })]));
    expect(table.recordIds).toEqual(['a', 'b']);
  });

  it('reads Bundles one a line, and a file named .csv by its content', async () => {
    const bundle = (ids: string[]) => ({ resourceType: 'Bundle', type: 'collection', entry: ids.map((id) => ({ resource: patient(id, { gender: 'male' }) })) });
    const { table } = await readFhir(ndjson([bundle(['a', 'b']), bundle(['c'])]), 'export.csv');
    expect(table.recordIds).toEqual(['a', 'b', 'c']);
  });
});

describe('bad resources', () => {
  /** The error reading a source of these lines gives. */
  async function errorOf(text: string, name = 'bad.ndjson'): Promise<Error> {
    const input: SourceInput = { name: 'A', path: writeIn(tempDir(), name, text) };
    return fhirSettings([input]).then(
      () => expect.unreachable('no error') as never,
      (error: Error) => error,
    );
  }
  const secret = 'Zebediah-secret';

  it('a wrong type at a path: names the source, the row and the path, never the value', async () => {
    const error = await errorOf(ndjson([patient('a'), patient('b', { name: [{ family: 'X' }, { given: [secret, 42] }] })]));
    expect(error).toBeInstanceOf(InvalidResourceError);
    expect(error).toMatchObject({ code: 'INVALID_RESOURCE', source: 'A', row: 2, path: 'name[1].given[1]' });
    expect(error.message).toContain('row 2');
    expect(error.message).toContain('name[1].given[1]');
    expect(error.message).not.toContain(secret);
  });

  it('a resource that is not a Patient, and a Patient without id', async () => {
    expect(await errorOf(ndjson([patient('a'), { resourceType: 'Observation', id: 'o1' }]))).toMatchObject({ row: 2, path: 'resourceType', detail: expect.stringContaining('not a Patient') });
    expect(await errorOf(ndjson([patient('a'), patient('b'), { resourceType: 'Patient', name: [{ family: secret }] }]))).toMatchObject({ row: 3, path: 'id' });
  });

  it('a line that is not JSON', async () => {
    const error = await errorOf(`${JSON.stringify(patient('a'))}\n{"resourceType":"Patient","id":"b","name":[{"family":"${secret}"}\n`);
    expect(error).toBeInstanceOf(MalformedRowError);
    expect(error).toMatchObject({ source: 'A', row: 2 });
    expect(error.message).not.toContain(secret);
  });

  it('in a Bundle, the path runs from the Bundle: entry[1].resource.birthDate', async () => {
    const bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: patient('a') }, { resource: patient('b', { birthDate: 19900517 }) }] };
    expect(await errorOf(JSON.stringify(bundle, null, 1), 'b.json')).toMatchObject({ row: 2, path: 'entry[1].resource.birthDate' });
  });
});

describe('settings inferred beside CSV sources', () => {
  it('takes a FHIR file\'s kinds from the mapping and a CSV file\'s from its header', async () => {
    const dir = tempDir();
    const fhir: SourceInput = { name: 'ehr', path: writeIn(dir, 'ehr.ndjson', ndjson([patient('a', { name: [{ family: 'Berg', given: ['Ida'] }], identifier: [{ system: 'urn:h', value: '1' }] })])) };
    const csv: SourceInput = { name: 'lab', path: writeIn(dir, 'lab.csv', 'patient_id,first_name,last_name\nL1,Ida,Berg\n') };
    const { settings } = await inferSettings([fhir, csv]);
    expect(settings.recordId).toBe('id');
    expect(settings.sources?.lab?.recordId).toBe('patient_id');
    expect(settings.sources?.ehr).toEqual({
      fields: { 'name1.given': 'given_name', 'name1.family': 'family_name', 'identifier urn:h #1': { kind: 'identifier', field: 'identifier urn:h' } },
    });
    const result = await link({ settings, sources: [fhir, csv], threads: 1 });
    expect(result.groups().length).toBeGreaterThan(0);
  });
});

describe('mpi link on FHIR files', () => {
  it('needs no --settings', async () => {
    const dir = tempDir();
    const path = writeIn(dir, 'patients.ndjson', ndjson([patient('a', { name: [{ family: 'Berg', given: ['Ida'] }], birthDate: '1990-01-02' }), patient('b', { name: [{ family: 'Berg', given: ['Ida'] }], birthDate: '1990-01-02' })]));
    await processOutput(process.execPath, [cliPath, 'link', '--source', `A=${path}`, '--out', join(dir, 'groups.csv'), '--quiet']);
    expect(readFileSync(join(dir, 'groups.csv'), 'utf8').split('\n').slice(0, 3)).toEqual([
      'source,record_id,identity_id',
      expect.stringMatching(/^A,a,/),
      expect.stringMatching(/^A,b,/),
    ]);
  });
});
