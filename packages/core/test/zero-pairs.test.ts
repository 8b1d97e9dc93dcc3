// Inputs whose blocking yields no candidate pair (one record, people with
// nothing in common, link mode over one source, nothing but empty fields) and
// tiny inputs whose training sees almost nothing. Every record must still come
// out, as a singleton where nothing links it, with a model free of NaN.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchWeightTable, priorWeight } from '@mpi/scoring';
import { link, type LinkResult, type PlainRecord, type Settings } from '../src/index.js';
import { cliPath, runProcess, tempDir, writeIn } from './helpers.js';

const fields = { first: 'given_name', last: 'family_name', dob: 'birth_date', zip: 'postcode' } as const;
const dedupe: Settings = { recordId: 'id', fields };
const linkMode: Settings = { recordId: 'id', mode: 'link', fields };

const alone: PlainRecord[] = [{ id: '1', first: 'Ann', last: 'Smith', dob: '1980-01-01', zip: '02139' }];
/** Three people who share no name, date or postcode: no blocking rule pairs any two. */
const strangers: PlainRecord[] = [
  { id: '1', first: 'Ann', last: 'Smith', dob: '1980-01-01', zip: '02139' },
  { id: '2', first: 'Bob', last: 'Okafor', dob: '1971-06-12', zip: '94110' },
  { id: '3', first: 'Cyd', last: 'Wagner', dob: '1955-11-30', zip: '60614' },
];
const blank: PlainRecord[] = [1, 2, 3, 4].map((i) => ({ id: String(i), first: '', last: '', dob: '', zip: '' }));

/** Every record of the table, as source/recordId, exactly once across the groups. */
function members(result: LinkResult): string[] {
  return result.groups().flatMap((g) => g.records.map((r) => `${r.source}/${r.recordId}`));
}

/** No NaN or infinite number anywhere a score is made from. */
function expectFiniteModel(result: LinkResult): void {
  const { model } = result;
  for (const row of [...model.m, ...model.u]) for (const p of row) expect(Number.isFinite(p) && p >= 0 && p <= 1).toBe(true);
  expect(model.prior > 0 && model.prior < 1).toBe(true);
  expect(Number.isFinite(priorWeight(model))).toBe(true);
  for (const weights of matchWeightTable(model)) for (const w of weights) expect(Number.isFinite(w)).toBe(true);
  for (const chunk of result.weights) for (const w of chunk) expect(Number.isFinite(w)).toBe(true);
}

function expectSingletons(result: LinkResult, expected: readonly string[]): void {
  expect(result.pairs.count).toBe(0);
  expect(members(result).sort()).toEqual([...expected].sort());
  expect(result.clustering.groupCount).toBe(expected.length);
  expect(result.groups().every((g) => g.records.length === 1)).toBe(true);
  expectFiniteModel(result);
}

describe('link() with no candidate pair', () => {
  it('returns a lone record as its own group', async () => {
    const result = await link({ settings: dedupe, sources: [{ name: 'ehr', records: alone }], threads: 1 });
    expectSingletons(result, ['ehr/1']);
    expect(result.blocking.totalPairs).toBe(0);
    expect(result.blocking.reductionRatio).toBe(1);
  });

  it('returns three unrelated people as three singletons', async () => {
    const result = await link({ settings: dedupe, sources: [{ name: 'ehr', records: strangers }], threads: 1 });
    expectSingletons(result, ['ehr/1', 'ehr/2', 'ehr/3']);
    expect(result.blocking.totalPairs).toBe(3);
  });

  it('returns singletons in link mode with one source (an empty comparison space)', async () => {
    const result = await link({ settings: linkMode, sources: [{ name: 'ehr', records: strangers }], threads: 1 });
    expectSingletons(result, ['ehr/1', 'ehr/2', 'ehr/3']);
    expect(result.blocking.totalPairs).toBe(0);
  });

  it('returns singletons when every matching field is empty', async () => {
    const result = await link({ settings: dedupe, sources: [{ name: 'ehr', records: blank }], threads: 1 });
    expectSingletons(result, ['ehr/1', 'ehr/2', 'ehr/3', 'ehr/4']);
  });

  it('does the same on comparison workers', async () => {
    const result = await link({ settings: dedupe, sources: [{ name: 'ehr', records: strangers }], threads: 2, parallelBytes: 0 });
    expect(result.workers).toBeGreaterThan(0);
    expectSingletons(result, ['ehr/1', 'ehr/2', 'ehr/3']);
  });

  it('applies a given model to an input with no candidate pair', async () => {
    // A model trained where there are pairs, then applied where there are none.
    const twins = strangers.flatMap((r) => [r, { ...r, id: `${r.id}b`, first: `${r.first}e` }]);
    const trained = await link({ settings: dedupe, sources: [{ name: 'ehr', records: twins }], threads: 1 });
    expect(trained.pairs.count).toBeGreaterThan(0);
    const applied = await link({ settings: dedupe, sources: [{ name: 'ehr', records: alone }], threads: 1, model: trained.model });
    expectSingletons(applied, ['ehr/1']);
    expect(applied.model).toBe(trained.model);
    const linkOnly = await link({ settings: linkMode, sources: [{ name: 'ehr', records: strangers }], threads: 1, model: trained.model });
    expectSingletons(linkOnly, ['ehr/1', 'ehr/2', 'ehr/3']);
  });
});

describe('training on tiny inputs', () => {
  it('gives finite weights when two records are the only pair', async () => {
    const pair: PlainRecord[] = [alone[0], { ...alone[0], id: '2' }];
    const result = await link({ settings: dedupe, sources: [{ name: 'ehr', records: pair }], threads: 1 });
    expect(result.pairs.count).toBe(1);
    expectFiniteModel(result);
    expect(members(result).sort()).toEqual(['ehr/1', 'ehr/2']);
  });

  it('gives finite weights when the only pairs have every field missing on one side', async () => {
    const records: PlainRecord[] = [
      { id: '1', first: 'Ann', last: 'Smith', dob: '', zip: '' },
      { id: '2', first: 'Ann', last: 'Smith', dob: '', zip: '' },
      { id: '3', first: '', last: '', dob: '1980-01-01', zip: '' },
    ];
    const result = await link({ settings: dedupe, sources: [{ name: 'ehr', records }], threads: 1 });
    expectFiniteModel(result);
    expect(members(result).sort()).toEqual(['ehr/1', 'ehr/2', 'ehr/3']);
  });

  it('gives finite weights in link mode with two one-record sources', async () => {
    const result = await link({
      settings: linkMode,
      sources: [{ name: 'a', records: alone }, { name: 'b', records: [{ ...alone[0], id: '9' }] }],
      threads: 1,
    });
    expectFiniteModel(result);
    expect(members(result).sort()).toEqual(['a/1', 'b/9']);
  });
});

describe('a batch too small to train', () => {
  // Two records of one person and a stranger: 3 pairs in all. EM alone gave an
  // exact given-name agreement a negative weight and a prior of 7e-9, and the
  // duplicate stayed apart.
  const batch: PlainRecord[] = [alone[0], { ...alone[0], id: '2' }, { ...strangers[1], id: '3' }];

  it('gets a sane model from the documented defaults: agreement is evidence for a match, disagreement against', async () => {
    const result = await link({ settings: dedupe, sources: [{ name: 'ehr', records: batch }], threads: 1 });
    const weights = matchWeightTable(result.model);
    for (const name of ['given_name', 'family_name', 'birth_date', 'postcode']) {
      const c = result.model.comparisons.findIndex((comparison) => comparison.name === name);
      const exact = result.model.comparisons[c].levels.findIndex((level) => level.label === 'exact');
      const otherwise = result.model.comparisons[c].levels.length - 1;
      expect(weights[c][exact]).toBeGreaterThan(3);
      expect(weights[c][otherwise]).toBeLessThan(0);
    }
    expect(result.model.prior).toBeGreaterThan(0.01);
    // The duplicate's every level weight (m and u, before term-frequency adjustment) is evidence for a match.
    const duplicate = result.explain({ source: 'ehr', recordId: '1' }, { source: 'ehr', recordId: '2' });
    for (const term of duplicate.terms) expect(term.weight).toBeGreaterThan(3);
  });

  it('warns by code that the data is too small to train, naming no value', async () => {
    const result = await link({ settings: dedupe, sources: [{ name: 'ehr', records: batch }], threads: 1 });
    const warnings = result.model.training.warnings ?? [];
    expect(warnings.map((warning) => warning.code)).toEqual(['TOO_LITTLE_DATA_TO_TRAIN']);
    for (const value of ['Ann', 'Smith', '1980', '02139', 'Okafor']) expect(warnings[0].message).not.toContain(value);
  });
});

describe('any tiny input', () => {
  it('puts every record in exactly one group with finite weights, in every mode', async () => {
    const value = (values: string[]) => fc.constantFrom(...values, '');
    const record = fc.record({
      source: fc.constantFrom('a', 'b'),
      first: value(['ann', 'anne', 'bob']),
      last: value(['smith', 'smyth', 'ann']),
      dob: value(['1980-01-01', '1980-01-02', '1981-01-01', '1980-02-01']),
      zip: value(['02139', '02138']),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 6 }), fc.constantFrom('dedupe', 'link', 'link_and_dedupe'), async (records, mode) => {
        const bySource = new Map<string, PlainRecord[]>();
        records.forEach(({ source, ...fields }, i) => bySource.set(source, [...(bySource.get(source) ?? []), { id: String(i), ...fields }]));
        const sources = [...bySource].map(([name, rows]) => ({ name, records: rows }));
        const result = await link({ settings: { recordId: 'id', mode, fields }, sources, threads: 1 });
        const seen = members(result);
        expect(seen.length).toBe(records.length);
        expect(new Set(seen).size).toBe(records.length);
        expectFiniteModel(result);
      }),
      { numRuns: 60, seed: 7 },
    );
  });
});

describe('the mpi CLI with no candidate pair', () => {
  async function run(settings: Settings, csv: string) {
    const dir = tempDir();
    const settingsPath = writeIn(dir, 'settings.json', JSON.stringify(settings));
    const source = writeIn(dir, 'a.csv', csv);
    const out = join(dir, 'g.csv');
    const proc = await runProcess(process.execPath, [cliPath, 'link', '--settings', settingsPath, '--source', `a=${source}`, '--out', out, '--quiet']);
    return { code: proc.status, stderr: proc.stderr, rows: proc.status === 0 ? readFileSync(out, 'utf8').trim().split('\n').slice(1) : [] };
  }
  const header = 'id,first,last,dob,zip\n';
  const cases: [string, Settings, string, number][] = [
    ['one record', dedupe, header + '1,Ann,Smith,1980-01-01,02139\n', 1],
    ['three unrelated people', dedupe, header + '1,Ann,Smith,1980-01-01,02139\n2,Bob,Okafor,1971-06-12,94110\n3,Cyd,Wagner,1955-11-30,60614\n', 3],
    ['link mode with one source', linkMode, header + '1,Ann,Smith,1980-01-01,02139\n2,Ann,Smith,1980-01-01,02139\n', 2],
    ['all-empty fields', dedupe, header + '1,,,,\n2,,,,\n3,,,,\n', 3],
  ];
  for (const [name, settings, csv, records] of cases) {
    it(`writes every record as a singleton: ${name}`, async () => {
      const { code, stderr, rows } = await run(settings, csv);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(rows.length).toBe(records);
      expect(new Set(rows.map((row) => row.split(',')[2])).size).toBe(records);
    });
  }
});
