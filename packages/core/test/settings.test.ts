import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { isKeyTransform } from '@mpi/blocking';
import { describe, expect, it } from 'vitest';
import { broadBlockingRules, defaultBlockingRules, defaultComparisons } from '../src/defaults/field-kinds.js';
import { buildRecordTable, link, MpiError, SettingsError, validateSettings, type FieldKind } from '../src/index.js';
import { InvalidSettingsError, type SettingsIssue, type SettingsIssueCode } from '../src/settings/issues.js';
import { parseSettingsJson } from '../src/settings/json.js';
import { KEY_TRANSFORM_PATTERN, SETTINGS_SCHEMA, settingsSchemaText } from '../src/settings/schema.js';
import { cliPath, febrlSettings, repoRoot, runProcess, tempDir, writeIn } from './helpers.js';

/** The issues validateSettings reports for `settings`, or [] when it accepts them. */
function issuesOf(settings: unknown, sources?: readonly string[]): readonly SettingsIssue[] {
  try {
    validateSettings(settings, { sources });
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidSettingsError);
    return (error as InvalidSettingsError).issues;
  }
}

const base = { recordId: 'id', fields: { first: 'given_name', last: 'family_name', dob: 'birth_date', zip: 'postcode' } } as const;
const withBase = (extra: object) => ({ ...base, ...extra });
const rule = (...columns: string[]) => ({ kind: 'key', keys: columns.map((column) => ({ column })) });
const levels = (...types: string[]) => types.map((type) => ({ label: type, test: { type } }));
const comparison = (extra: object = {}) => ({ name: 'first', column: 'given_name', levels: levels('null', 'exact', 'else'), ...extra });

/** Each row: a mistake, the settings that make it, and where and what the first issue must be. */
const BAD: readonly { why: string; settings: unknown; path: string; code: SettingsIssueCode; message?: RegExp }[] = [
  // Keys the engine does not know were ignored without a word.
  { why: 'a misspelt top-level key', settings: withBase({ treshold: 0.9 }), path: '/treshold', code: 'UNKNOWN_KEY', message: /^unknown key, did you mean threshold\?$/ },
  { why: 'a misspelt EM option', settings: withBase({ em: { maxIteration: 5 } }), path: '/em/maxIteration', code: 'UNKNOWN_KEY', message: /did you mean maxIterations\?/ },
  { why: 'a misspelt key of a source override', settings: withBase({ sources: { lab: { recordID: 'mrn' } } }), path: '/sources/lab/recordID', code: 'UNKNOWN_KEY', message: /did you mean recordId\?/ },
  { why: 'an unknown key of a key part', settings: withBase({ blockingRules: [{ kind: 'key', keys: [{ column: 'given_name', transfrom: 'soundex' }] }] }), path: '/blockingRules/0/keys/0/transfrom', code: 'UNKNOWN_KEY' },
  { why: 'unordered on a sorted-neighbourhood rule', settings: withBase({ blockingRules: [{ kind: 'sortedNeighbourhood', keys: [{ column: 'given_name' }], window: 5, unordered: true }] }), path: '/blockingRules/0/unordered', code: 'UNKNOWN_KEY' },
  // Wrong types: "lots" of EM iterations used to skip EM silently.
  { why: 'EM iterations given as a word', settings: withBase({ em: { maxIterations: 'lots' } }), path: '/em/maxIterations', code: 'TYPE' },
  { why: 'a fraction where a count is meant', settings: withBase({ em: { maxIterations: 2.5 } }), path: '/em/maxIterations', code: 'TYPE' },
  { why: 'a fractional u sample size', settings: withBase({ uSampleSize: 1000.5 }), path: '/uSampleSize', code: 'TYPE' },
  { why: 'a fractional seed (the random generator truncates it)', settings: withBase({ seed: 1.5 }), path: '/seed', code: 'TYPE' },
  { why: 'a threshold given as a string', settings: withBase({ threshold: '0.9' }), path: '/threshold', code: 'TYPE' },
  { why: 'a null blocking rule (was a TypeError)', settings: withBase({ blockingRules: [null] }), path: '/blockingRules/0', code: 'TYPE' },
  { why: 'a field declared as a number', settings: { recordId: 'id', fields: { first: 3 } }, path: '/fields/first', code: 'TYPE', message: /field kind name or an object/ },
  { why: 'fields given as a list', settings: { recordId: 'id', fields: ['given_name'] }, path: '/fields', code: 'TYPE' },
  { why: 'settings that are not an object', settings: [base], path: '', code: 'TYPE' },
  // Missing and out-of-range values.
  { why: 'no record id column', settings: { fields: base.fields }, path: '/recordId', code: 'REQUIRED' },
  { why: 'no fields', settings: { recordId: 'id' }, path: '/fields', code: 'REQUIRED' },
  { why: 'a threshold above 1', settings: withBase({ threshold: 1.5 }), path: '/threshold', code: 'OUT_OF_RANGE', message: /in \[0, 1\]/ },
  { why: 'zero EM iterations (EM would not run)', settings: withBase({ em: { maxIterations: 0 } }), path: '/em/maxIterations', code: 'OUT_OF_RANGE' },
  { why: 'a pair budget below 1', settings: withBase({ maxPairs: 0 }), path: '/maxPairs', code: 'OUT_OF_RANGE' },
  { why: 'no comparison at all', settings: withBase({ comparisons: [] }), path: '/comparisons', code: 'OUT_OF_RANGE', message: /leave the key out for the defaults/ },
  { why: 'no blocking rule at all', settings: withBase({ blockingRules: [] }), path: '/blockingRules', code: 'OUT_OF_RANGE' },
  { why: 'a key rule without key parts', settings: withBase({ blockingRules: [{ kind: 'key', keys: [] }] }), path: '/blockingRules/0/keys', code: 'OUT_OF_RANGE' },
  { why: 'a window of 1', settings: withBase({ blockingRules: [{ kind: 'sortedNeighbourhood', keys: [{ column: 'given_name' }], window: 1 }] }), path: '/blockingRules/0/window', code: 'OUT_OF_RANGE' },
  { why: 'a sorted-neighbourhood rule without a window', settings: withBase({ blockingRules: [{ kind: 'sortedNeighbourhood', keys: [{ column: 'given_name' }] }] }), path: '/blockingRules/0/window', code: 'REQUIRED' },
  { why: 'a blocking rule without a kind', settings: withBase({ blockingRules: [{ keys: [{ column: 'given_name' }] }] }), path: '/blockingRules/0/kind', code: 'REQUIRED' },
  // Names that are not among the allowed ones.
  { why: 'an unknown field kind', settings: { recordId: 'id', fields: { x: 'shoe_size' } }, path: '/fields/x', code: 'UNKNOWN_VALUE', message: /^unknown field kind "shoe_size"/ },
  { why: 'an unknown field kind in object form', settings: { recordId: 'id', fields: { dob: { kind: 'birthdate', format: 'YYYY-MM-DD' } } }, path: '/fields/dob/kind', code: 'UNKNOWN_VALUE', message: /did you mean birth_date\?/ },
  { why: 'an unknown mode', settings: withBase({ mode: 'merge' }), path: '/mode', code: 'UNKNOWN_VALUE' },
  { why: 'an unknown clustering method', settings: withBase({ clustering: 'single' }), path: '/clustering', code: 'UNKNOWN_VALUE', message: /^must be one of averageLinkage, connectedComponents$/ },
  { why: 'an unknown blocking rule kind', settings: withBase({ blockingRules: [{ kind: 'block', keys: [{ column: 'given_name' }] }] }), path: '/blockingRules/0/kind', code: 'UNKNOWN_VALUE' },
  { why: 'a misspelt key transform', settings: withBase({ blockingRules: [{ kind: 'key', keys: [{ column: 'given_name' }, { column: 'family_name', transform: 'doubleMetaphon' }] }] }), path: '/blockingRules/0/keys/1/transform', code: 'UNKNOWN_VALUE', message: /did you mean doubleMetaphone\?/ },
  { why: 'a prefix of no characters', settings: withBase({ blockingRules: [{ kind: 'key', keys: [{ column: 'given_name', transform: 'prefix:0' }] }] }), path: '/blockingRules/0/keys/0/transform', code: 'UNKNOWN_VALUE' },
  { why: 'an unknown level test', settings: withBase({ comparisons: [comparison({ levels: levels('null', 'jaroWinklr', 'else') })] }), path: '/comparisons/0/levels/1/test/type', code: 'UNKNOWN_VALUE', message: /did you mean jaroWinkler\?/ },
  { why: 'a level test without its parameter', settings: withBase({ comparisons: [comparison({ levels: levels('null', 'jaroWinkler', 'else') })] }), path: '/comparisons/0/levels/1/test/threshold', code: 'REQUIRED' },
  { why: 'an unknown invalid-values policy', settings: withBase({ invalidValues: 'drop' }), path: '/invalidValues', code: 'UNKNOWN_VALUE' },
  // What the schema cannot see: these failed when the first value was read (exit 70), at blocking, or never.
  { why: 'a date format without a year', settings: { recordId: 'id', fields: { dob: { kind: 'birth_date', format: 'DD/MM' } } }, path: '/fields/dob/format', code: 'DATE_FORMAT' },
  { why: 'a date format of unknown tokens', settings: withBase({ sources: { lab: { fields: { dob: { kind: 'birth_date', format: 'QQ-WW' } } } } }), path: '/sources/lab/fields/dob/format', code: 'DATE_FORMAT' },
  { why: 'a phone country the phone library does not know', settings: { recordId: 'id', fields: { tel: { kind: 'phone', defaultCountry: 'XX' } } }, path: '/fields/tel/defaultCountry', code: 'COUNTRY' },
  { why: 'a three-letter default country', settings: withBase({ defaultCountry: 'USA' }), path: '/defaultCountry', code: 'COUNTRY' },
  { why: 'a date format on a phone column (never read)', settings: { recordId: 'id', fields: { tel: { kind: 'phone', format: 'MM/DD/YYYY' } } }, path: '/fields/tel/format', code: 'OPTION_NOT_USED' },
  { why: 'a blocking column that is a file column, not a field', settings: withBase({ blockingRules: [rule('last')] }), path: '/blockingRules/0/keys/0/column', code: 'UNKNOWN_FIELD', message: /fields: given_name, family_name, birth_date, postcode/ },
  { why: 'a training rule over a field not declared', settings: withBase({ trainingRules: [rule('given_name', 'national_id')] }), path: '/trainingRules/0/keys/1/column', code: 'UNKNOWN_FIELD' },
  { why: 'a comparison of a field not declared', settings: withBase({ comparisons: [comparison({ column: 'given_nam' })] }), path: '/comparisons/0/column', code: 'UNKNOWN_FIELD', message: /did you mean given_name\?/ },
  { why: 'a swap with a field not declared', settings: withBase({ comparisons: [comparison({ levels: [...levels('null'), { label: 's', test: { type: 'swapped', other: 'surname' } }, ...levels('else')] })] }), path: '/comparisons/0/levels/1/test/other', code: 'UNKNOWN_FIELD' },
  { why: 'levels that do not start with the null level', settings: withBase({ comparisons: [comparison({ levels: levels('exact', 'else') })] }), path: '/comparisons/0/levels/0/test/type', code: 'LEVEL_ORDER' },
  { why: 'levels that do not end with the else level', settings: withBase({ comparisons: [comparison({ levels: levels('null', 'exact') })] }), path: '/comparisons/0/levels/1/test/type', code: 'LEVEL_ORDER' },
  { why: 'two comparisons of one name', settings: withBase({ comparisons: [comparison(), comparison({ column: 'family_name' })] }), path: '/comparisons/1/name', code: 'DUPLICATE_NAME' },
  { why: 'the record id column also a matching field', settings: { recordId: 'mrn', fields: { mrn: 'identifier', first: 'given_name' } }, path: '/fields/mrn', code: 'RECORD_ID_FIELD' },
  { why: 'a source whose record id column is one of its fields', settings: withBase({ sources: { lab: { recordId: 'first' } } }), path: '/sources/lab/recordId', code: 'RECORD_ID_FIELD' },
  { why: 'nothing to match on', settings: { recordId: 'id', fields: { first: 'ignore' } }, path: '/fields', code: 'NO_FIELDS' },
];

describe('validateSettings rejects bad settings before any record is read, naming where and what', () => {
  it.each(BAD)('$why: $path $code', ({ settings, path, code, message }) => {
    const issues = issuesOf(settings);
    expect(issues[0], JSON.stringify(issues)).toMatchObject({ path, code });
    if (message) expect(issues[0].message).toMatch(message);
  });

  it('reports every problem at once, in document order, each on its own line, as a SettingsError at the first one', () => {
    const settings = withBase({ treshold: 0.9, em: { maxIterations: 'lots' }, blockingRules: [null], comparisons: [], fields: { dob: { kind: 'birth_date', format: 'DD/MM' } } });
    let error: unknown;
    try {
      validateSettings(settings);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SettingsError);
    expect(error).toMatchObject({ code: 'SETTINGS', path: '/fields/dob/format' });
    const issues = (error as InvalidSettingsError).issues;
    expect(issues.map((issue) => issue.path).sort()).toEqual(['/blockingRules/0', '/comparisons', '/em/maxIterations', '/fields/dob/format', '/treshold']);
    // In the order of the settings: `fields` comes second, after recordId.
    expect((error as Error).message.split('\n')).toEqual([
      expect.stringMatching(/^settings fields\.dob\.format: not a date format/),
      'settings treshold: unknown key, did you mean threshold?',
      'settings em.maxIterations: must be an integer (a whole number)',
      'settings blockingRules[0]: must be an object',
      'settings comparisons: must have at least 1 item; leave the key out for the defaults',
    ]);
  });

  it('writes paths of awkward column names as JSON Pointers, and quotes them in the message', () => {
    const [issue] = issuesOf({ recordId: 'id', fields: { 'date of birth': { kind: 'birth_date', format: 'nope' }, 'a/b~c': 'given_name' } });
    expect(issue.path).toBe('/fields/date of birth/format');
    const [slash] = issuesOf({ recordId: 'id', fields: { 'a/b~c': 'shoe_size' } });
    expect(slash.path).toBe('/fields/a~1b~0c');
    expect(() => validateSettings({ recordId: 'id', fields: { 'date of birth': 'birthday' } })).toThrow('settings fields["date of birth"]: unknown field kind "birthday"');
  });

  it('suggests nothing when no known key is near', () => {
    const [issue] = issuesOf(withBase({ colour: 'blue' }));
    expect(issue.message).toMatch(/^unknown key \(known keys: \$schema, recordId, mode, fields, /);
  });
});

describe('validateSettings accepts good settings and returns them as they are', () => {
  const everyField = Object.fromEntries(
    (['given_name', 'middle_name', 'family_name', 'birth_date', 'sex', 'street_number', 'street_address', 'address_line_2', 'city', 'state', 'postcode', 'phone', 'email', 'national_id'] as const).map(
      (kind) => [kind, kind],
    ),
  ) as Record<string, FieldKind>;

  const GOOD: readonly { why: string; settings: object }[] = [
    { why: 'the minimal settings', settings: base },
    { why: 'FEBRL settings naming field kinds only', settings: febrlSettings('link') },
    {
      why: 'every option given',
      settings: {
        $schema: './node_modules/@mpi/core/data/settings.schema.json',
        recordId: 'id',
        mode: 'link_and_dedupe',
        fields: { name: 'full_name', dob: { kind: 'birth_date', format: 'MMM D, YYYY' }, tel: { kind: 'phone', defaultCountry: 'au' }, mrn: 'identifier', notes: 'ignore' },
        sources: { lab: { recordId: 'lab_id', fields: { dob: { kind: 'birth_date', format: 'auto' }, notes: 'text' } } },
        blockingRules: [
          { kind: 'key', name: 'names', keys: [{ column: 'given_name', transform: 'doubleMetaphone' }, { column: 'family_name', transform: 'prefix:3' }], unordered: true },
          { kind: 'sortedNeighbourhood', keys: [{ column: 'mrn' }, { column: 'notes', transform: 'sortedTokens' }], window: 5 },
        ],
        trainingRules: [rule('birth_date')],
        comparisons: [
          comparison({ levels: [...levels('null', 'exact'), { label: 'jw', test: { type: 'jaroWinkler', threshold: 0.9 }, tfAdjustment: true }, { label: 'swap', test: { type: 'swapped', other: 'family_name', threshold: 0.9 } }, ...levels('else')] }),
          { name: 'dob', column: 'birth_date', evidenceGroup: 'person', levels: [...levels('null'), { label: 'near', test: { type: 'dateWithinDays', days: 31 } }, ...levels('else')] },
        ],
        threshold: 0.8,
        clustering: 'connectedComponents',
        em: { maxIterations: 50, tolerance: 1e-6 },
        uSampleSize: 50_000,
        seed: 7,
        maxPairs: 1_000_000,
        invalidValues: 'error',
        defaultCountry: ' gb ',
      },
    },
    // What the engine derives itself must pass its own schema.
    {
      why: 'the default blocking rules and comparisons written out',
      settings: {
        recordId: 'id',
        fields: everyField,
        blockingRules: [...defaultBlockingRules(new Set(Object.keys(everyField))), ...broadBlockingRules(new Set(Object.keys(everyField)))],
        comparisons: defaultComparisons(new Map(Object.entries(everyField))),
      },
    },
  ];

  it.each(GOOD)('$why', ({ settings }) => {
    expect(issuesOf(settings)).toEqual([]);
    expect(validateSettings(settings)).toBe(settings);
  });

  it.each(['bench/settings/febrl3.json', 'bench/settings/febrl4.json', 'bench/settings/febrl3-no-national-id.json', 'bench/settings/febrl4-no-national-id.json'])(
    'the settings file %s',
    (file) => {
      expect(issuesOf(parseSettingsJson(readFileSync(join(repoRoot, file), 'utf8'), file))).toEqual([]);
    },
  );

  it('the generated population settings, with the sources they override given', () => {
    const text = readFileSync(join(repoRoot, 'fixtures/population/settings.json'), 'utf8');
    expect(issuesOf(parseSettingsJson(text, 'settings.json'), ['clinic', 'ehr', 'lab', 'payer'])).toEqual([]);
  });
});

describe('a column named like an Object property', () => {
  it('is a field like any other, in validation and when the table is built', async () => {
    const settings = JSON.parse('{"recordId":"id","fields":{"__proto__":"given_name","family":"family_name"},"blockingRules":[{"kind":"key","keys":[{"column":"given_name"}]}]}');
    expect(issuesOf(settings)).toEqual([]);
    const table = await buildRecordTable([{ name: 'ehr', records: [JSON.parse('{"id":"1","__proto__":"Ann","family":"Lee"}')] }], settings);
    expect(Object.keys(table.columns).sort()).toEqual(['family_name', 'given_name']);
  });
});

describe('source overrides must name sources that are given', () => {
  const settings = withBase({ sources: { lab: { recordId: 'lab_id' } } });

  it('an override of a source not given is an error at its path, with the nearest given name', () => {
    expect(issuesOf(settings, ['ehr', 'labs'])).toEqual([
      { path: '/sources/lab', code: 'UNKNOWN_SOURCE', message: 'overrides a source that is not given, did you mean labs? (sources: ehr, labs)' },
    ]);
    expect(issuesOf(settings, ['ehr', 'lab'])).toEqual([]);
    // Without the source names (a settings file on its own) there is nothing to compare with.
    expect(issuesOf(settings)).toEqual([]);
  });

  it('an empty list of sources leaves the fields as declared (link() then refuses the empty list itself)', async () => {
    expect(issuesOf(base, [])).toEqual([]);
    await expect(link({ settings: base, sources: [], threads: 1 })).rejects.toMatchObject({ code: 'NO_SOURCES' });
  });

  it('link() checks them before reading any source', async () => {
    const run = link({ settings, sources: [{ name: 'labs', path: '/no/such/file.csv' }], threads: 1 });
    await expect(run).rejects.toBeInstanceOf(InvalidSettingsError);
    await expect(run).rejects.toMatchObject({ path: '/sources/lab', issues: [{ code: 'UNKNOWN_SOURCE' }] });
  });

  it('link() reports a null blocking rule as a settings error, not a TypeError', async () => {
    const records = [{ id: '1', first: 'Ann', last: 'Lee', dob: '1980-01-02', zip: '2000' }];
    await expect(link({ settings: withBase({ blockingRules: [null] }) as never, sources: [{ name: 'ehr', records }], threads: 1 })).rejects.toMatchObject({
      code: 'SETTINGS',
      path: '/blockingRules/0',
    });
  });
});

describe('a settings file', () => {
  it('with a key repeated in one object is an error at the repeated key, reported with every other problem', () => {
    const text = '{ "recordId": "id", "fields": { "first": "given_name", "first": "family_name" },\n  "em": { "maxIterations": 5, "maxIterations": 50 }, "treshold": 0.9 }';
    let error: unknown;
    try {
      parseSettingsJson(text, 'settings.json');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidSettingsError);
    expect((error as InvalidSettingsError).issues.map(({ path, code }) => [path, code])).toEqual([
      ['/fields/first', 'DUPLICATE_KEY'],
      ['/em/maxIterations', 'DUPLICATE_KEY'],
      ['/treshold', 'UNKNOWN_KEY'],
    ]);
  });

  it('finds repeated keys inside lists too', () => {
    const text = '{ "recordId": "id", "fields": { "first": "given_name" }, "blockingRules": [ { "kind": "key", "kind": "key", "keys": [ { "column": "given_name" } ] } ] }';
    expect(() => parseSettingsJson(text, 's.json')).toThrow(expect.objectContaining({ issues: [{ path: '/blockingRules/0/kind', code: 'DUPLICATE_KEY', message: expect.any(String) }] }));
  });

  it('that is not JSON is BAD_JSON with the line and column', () => {
    expect(() => parseSettingsJson('{\n  "recordId": "id",\n}', 's.json')).toThrow(expect.objectContaining({ code: 'BAD_JSON', message: 'settings file s.json is not valid JSON (line 3, column 1)' }));
    expect(() => parseSettingsJson('{\n  "recordId": "id",\n}', 's.json')).toThrow(MpiError);
  });

  it('gives the same value as JSON.parse when it is valid', () => {
    const text = JSON.stringify(febrlSettings('dedupe'));
    expect(parseSettingsJson(text, 's.json')).toEqual(JSON.parse(text));
  });
});

describe('mpi link with bad settings', () => {
  const mpi = (args: string[]) => runProcess(process.execPath, [cliPath, ...args]);

  it('exits 2 on a bad date format before reading a source (it was exit 70 at the first value)', async () => {
    const dir = tempDir();
    const settings = writeIn(dir, 'settings.json', JSON.stringify({ recordId: 'id', fields: { dob: { kind: 'birth_date', format: 'DD/MM' }, first: 'given_name' } }));
    const source = writeIn(dir, 'a.csv', 'id,dob,first\n1,02/03/1980,Ann\n');
    const run = await mpi(['link', '--settings', settings, '--source', `a=${source}`, '--out', join(dir, 'g.csv'), '--quiet']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/settings fields\.dob\.format: not a date format/);
    expect(existsSync(join(dir, 'g.csv'))).toBe(false);
  });

  it('exits 2 on a repeated key, naming its path', async () => {
    const dir = tempDir();
    const settings = writeIn(dir, 'settings.json', '{ "recordId": "id", "threshold": 0.5, "fields": { "first": "given_name" }, "threshold": 0.99 }');
    const run = await mpi(['link', '--settings', settings, '--source', `a=${join(dir, 'absent.csv')}`, '--out', join(dir, 'g.csv'), '--quiet']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/settings threshold: this key appears twice/);
  });
});

describe('the published JSON Schema (data/settings.schema.json)', () => {
  const file = resolve(import.meta.dirname, '../data/settings.schema.json');

  it('is the schema validateSettings uses (rewrite it with `node scripts/settings-schema.mjs` after a build)', () => {
    expect(readFileSync(file, 'utf8')).toBe(settingsSchemaText());
  });

  it('works on its own in a standard validator', () => {
    const validate = new Ajv2020({ allErrors: true, discriminator: true }).compile(JSON.parse(readFileSync(file, 'utf8')));
    expect(validate(febrlSettings('link'))).toBe(true);
    expect(validate(withBase({ treshold: 0.9 }))).toBe(false);
    expect(validate.errors).toMatchObject([{ keyword: 'additionalProperties', params: { additionalProperty: 'treshold' } }]);
  });

  it('documents every property it lists', () => {
    const undocumented: string[] = [];
    const walk = (node: unknown, at: string): void => {
      if (Array.isArray(node)) node.forEach((item, i) => walk(item, `${at}/${i}`));
      if (node === null || typeof node !== 'object') return;
      for (const [key, value] of Object.entries(node)) {
        if (key === 'properties') {
          for (const [name, property] of Object.entries(value as Record<string, { description?: string }>)) {
            if (!property.description) undocumented.push(`${at}/properties/${name}`);
          }
        }
        walk(value, `${at}/${key}`);
      }
    };
    walk(SETTINGS_SCHEMA, '#');
    expect(undocumented).toEqual([]);
  });

  it('accepts exactly the key transforms the blocking package accepts', () => {
    const pattern = new RegExp(KEY_TRANSFORM_PATTERN);
    const samples = ['exact', 'doubleMetaphone', 'soundex', 'firstToken', 'lastToken', 'sortedTokens', 'year', 'yearMonth', 'monthDay', 'prefix:1', 'suffix:12', 'prefix:0', 'prefix:x', 'prefix:', 'prefix:01', 'soundx', 'Exact', 'prefix:123456789012345'];
    for (const sample of samples) expect(pattern.test(sample), sample).toBe(isKeyTransform(sample));
  });
});
