// The HTML report of a link run in DuckDB: the in-process report's figures,
// counted by SQL, with no record value unless asked. The page in a real
// browser: report-browser.test.ts.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { link, type LinkResult, type PlainRecord, type Settings, type SourceInput } from '../src/index.js';
import { linkInDuckDb, linkReportData, reportDataInDuckDb, type DuckDbReportOptions, type ReportData } from '../src/advanced.js';
import { febrl4Truth, febrlDir, febrlSettings, febrlTruthOf, repoRoot, runMpi, tempDir, writeIn } from './helpers.js';
import { inputValues, population, settings as populationSettings, valuesIn } from './report-fixture.js';

const febrl3Truth = () => febrlTruthOf('dataset3.csv', 'f3');
const febrl3 = { settings: febrlSettings('dedupe') as Settings, sources: [{ name: 'f3', path: join(febrlDir, 'dataset3.csv') }] as SourceInput[] };
const created = new Date('2026-01-01T00:00:00Z');

/** The report's figures of a link in DuckDB (of `model`, or trained there without one). */
async function reportInDuckDb(input: { settings: Settings; sources: SourceInput[]; model?: LinkResult['model'] }, options: DuckDbReportOptions, duckdbThreads?: number): Promise<ReportData> {
  let data: ReportData | undefined;
  await linkInDuckDb({ ...input, threads: 1, ...(duckdbThreads === undefined ? {} : { duckdb: { threads: duckdbThreads } }), keepValues: options.showValues, outputs: async (records) => void (data = await reportDataInDuckDb(records, options)) });
  return data!;
}

/** Two curves with the same thresholds and figures within float noise (sums of probabilities added in another order). */
function expectCloseCurves(actual: ReportData['estimated'], expected: ReportData['estimated'], digits = 9): void {
  expect(actual.curve.weights).toEqual(expected.curve.weights);
  for (const key of ['precision', 'recall'] as const) {
    expected.curve[key].forEach((value, i) => (value === null ? expect(actual.curve[key][i]).toBeNull() : expect(actual.curve[key][i]).toBeCloseTo(value, digits)));
  }
  expect(actual.atThreshold.links).toBe(expected.atThreshold.links);
  expect(actual.atThreshold.precision).toBeCloseTo(expected.atThreshold.precision!, digits);
  expect(actual.atThreshold.recall).toBeCloseTo(expected.atThreshold.recall!, digits);
}

describe('the report of a link in DuckDB', () => {
  it('has the in-process figures for FEBRL 3 and the same model: histogram, curves, truth, levels, training and blocking', async () => {
    const truth = febrl3Truth();
    const result = await link({ ...febrl3, threads: 1 });
    const inProcess = linkReportData(result, { truth, showValues: true, created });
    const duck = await reportInDuckDb({ ...febrl3, model: result.model }, { truth, showValues: true, created });

    expect(duck.candidatePairs).toBeGreaterThan(1000);
    for (const key of ['title', 'created', 'threshold', 'thresholdWeight', 'records', 'groups', 'candidatePairs', 'histogram', 'levels', 'training', 'notes'] as const) {
      expect(duck[key], key).toEqual(inProcess[key]);
    }
    const { rules, candidatePairs, totalPairs, reductionRatio } = inProcess.blocking!;
    expect(duck.blocking).toEqual({ rules, candidatePairs, totalPairs, reductionRatio });
    expectCloseCurves(duck.estimated, inProcess.estimated);
    // Measured figures are ratios of counts: equal, not close.
    expect(duck.measured).toEqual(inProcess.measured);
    expect(duck.measured!.truePairs).toBeGreaterThan(0);

    // The pairs around the threshold: the same weights (within float noise: SQL adds the level
    // weights in the scorer's order but rounds apart in the last bits) in the same order. On a tie of weight
    // the two engines may pick different pairs, so each shown pair is checked against the
    // in-process records rather than against the in-process sample.
    const samples = duck.samples!;
    expect(samples.length).toBe(inProcess.samples!.length);
    samples.forEach((sample, i) => expect(sample.matchWeight).toBeCloseTo(inProcess.samples![i].matchWeight, 9));
    const fields = [...result.table.fieldKinds.keys()];
    for (const sample of samples) {
      const rows = [sample.left, sample.right].map((record) => result.rowOf(record)!);
      expect(result.explain(sample.left, sample.right).matchWeight).toBeCloseTo(sample.matchWeight, 9);
      for (const [side, row] of [['left', rows[0]], ['right', rows[1]]] as const) {
        const column = (field: string) => result.table.columns[field];
        expect(sample.fields.map((f) => f[side])).toEqual(fields.map((field) => column(field).dictionary[column(field).ids[row]] ?? ''));
      }
    }
  }, 120_000);

  it('gives the same report with 1 and 2 DuckDB threads (sums of probabilities within float noise)', async () => {
    const truth = febrl3Truth();
    const { model } = await link({ ...febrl3, threads: 1 });
    const [one, two] = [await reportInDuckDb({ ...febrl3, model }, { truth, showValues: true, created }, 1), await reportInDuckDb({ ...febrl3, model }, { truth, showValues: true, created }, 2)];
    expect({ ...two, estimated: null }).toEqual({ ...one, estimated: null });
    expectCloseCurves(two.estimated, one.estimated, 12);
  }, 120_000);

  it('counts the true pairs across sources only in link mode (FEBRL 4), as the in-process report does', async () => {
    const input = { settings: febrlSettings('link') as Settings, sources: [{ name: 'a', path: join(febrlDir, 'dataset4a.csv') }, { name: 'b', path: join(febrlDir, 'dataset4b.csv') }] as SourceInput[] };
    const truth = febrl4Truth();
    const result = await link({ ...input, threads: 1 });
    const inProcess = linkReportData(result, { truth, created });
    const duck = await reportInDuckDb({ ...input, model: result.model }, { truth, created });
    expect(duck.histogram).toEqual(inProcess.histogram);
    expect(duck.measured).toEqual(inProcess.measured);
    expect(duck.measured!.truePairs).toBe(5000);
  }, 120_000);

  it('has the in-process figures when DuckDB trains the model too (m, u and prior within 1e-9 of the in-process training)', async () => {
    const result = await link({ ...febrl3, threads: 1 });
    const inProcess = linkReportData(result, { created });
    const duck = await reportInDuckDb(febrl3, { created });
    expect(duck.histogram).toEqual(inProcess.histogram);
    expect(duck.groups).toBe(inProcess.groups);
    expectCloseCurves(duck.estimated, inProcess.estimated, 6);
    expect(duck.levels!.length).toBe(inProcess.levels!.length);
    duck.levels!.forEach((level, i) => {
      const expected = inProcess.levels![i];
      expect({ ...level, m: 0, u: 0, matchWeight: 0 }).toEqual({ ...expected, m: 0, u: 0, matchWeight: 0 });
      expect(level.m).toBeCloseTo(expected.m, 9);
      expect(level.u).toBeCloseTo(expected.u, 9);
    });
    const { prior, priorWeight, candidateLambda, sessions, ...rest } = duck.training!;
    const expected = inProcess.training!;
    expect(rest).toEqual({ uSampleSize: expected.uSampleSize, fixedM: expected.fixedM, notEstimated: expected.notEstimated });
    expect(prior).toBeCloseTo(expected.prior, 9);
    expect(priorWeight).toBeCloseTo(expected.priorWeight, 6);
    expect(candidateLambda).toBeCloseTo(expected.candidateLambda, 9);
    expect(sessions.map(({ lambda, ...s }) => s)).toEqual(expected.sessions.map(({ lambda, ...s }) => s));
  }, 180_000);

  it('holds no record value or id without showValues, and the pairs near the threshold with it', async () => {
    const { records } = population();
    const input = { settings: populationSettings, sources: [{ name: 'ehr', records }] as SourceInput[] };
    const { model } = await link({ ...input, threads: 1 });
    const values = inputValues(records);
    const without = await reportInDuckDb({ ...input, model }, {});
    expect(without.candidatePairs).toBeGreaterThan(0);
    expect(without.samples).toBeNull();
    const { renderReportHtml } = await import('../src/report/render-html.js');
    expect(valuesIn(renderReportHtml(without), values)).toEqual([]);
    const withValues = renderReportHtml(await reportInDuckDb({ ...input, model }, { showValues: true }));
    expect(valuesIn(withValues, values).length).toBeGreaterThan(0);
  }, 60_000);

  it('reports a run with no candidate pair: the in-process histogram and no sample', async () => {
    const strangers: PlainRecord[] = [
      { id: '1', first: 'Ann', last: 'Smith', dob: '1980-01-01', zip: '02139' },
      { id: '2', first: 'Bob', last: 'Okafor', dob: '1971-06-12', zip: '94110' },
    ];
    const input = { settings: { ...populationSettings, threshold: 1 }, sources: [{ name: 'ehr', records: strangers }] as SourceInput[] };
    const result = await link({ ...input, threads: 1 });
    const duck = await reportInDuckDb({ ...input, model: result.model }, { showValues: true, created });
    expect(duck.candidatePairs).toBe(0);
    expect(duck.histogram).toEqual(linkReportData(result, { created }).histogram);
    expect(duck.samples).toEqual([]);
  }, 60_000);
});

describe('mpi link --engine duckdb --report-html', () => {
  const population = join(repoRoot, 'fixtures/population');
  const base = ['link', '--settings', join(population, 'settings.json'), ...['clinic', 'ehr', 'lab', 'payer'].flatMap((name) => ['--source', `${name}=${join(population, `${name}.csv`)}`]), '--quiet', '--threads', '1'];

  it('writes the in-process report with the measured curve of --truth, and nothing when the truth is unreadable', async () => {
    const dir = tempDir();
    const truth = join(population, 'truth.csv');
    const inProcess = await runMpi([...base, '--out', join(dir, 'a.csv'), '--model-out', join(dir, 'model.json'), '--report-html', join(dir, 'a.html'), '--truth', truth]);
    expect(inProcess.code).toBe(0);
    const duck = await runMpi([...base, '--engine', 'duckdb', '--model', join(dir, 'model.json'), '--out', join(dir, 'b.csv'), '--report-html', join(dir, 'b.html'), '--truth', truth]);
    expect(duck.stderr).toBe('');
    expect(duck.code).toBe(0);
    expect(duck.stdout).toMatch(/of which the report \d+\.\d s/);
    const data = (file: string) => JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(readFileSync(join(dir, file), 'utf8'))![1]) as ReportData;
    const [a, b] = [data('a.html'), data('b.html')];
    expect(b.histogram).toEqual(a.histogram);
    expect(b.measured).toEqual(a.measured);
    expect(b.measured!.pairCompleteness).toBeGreaterThan(0.5);
    expect(b.levels).toEqual(a.levels);

    // A truth row without a person fails the run: no report, and no groups file beside it (all or nothing).
    const bad = writeIn(dir, 'bad-truth.csv', 'source,record_id,person_id\nehr,E1,\n');
    const failed = await runMpi([...base, '--engine', 'duckdb', '--model', join(dir, 'model.json'), '--out', join(dir, 'c.csv'), '--report-html', join(dir, 'c.html'), '--truth', bad]);
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain('empty person_id at data row 1');
    expect(existsSync(join(dir, 'c.html'))).toBe(false);
    expect(existsSync(join(dir, 'c.csv'))).toBe(false);
  }, 180_000);

  it('refuses --truth without --report-html', async () => {
    const dir = tempDir();
    const run = await runMpi([...base, '--out', join(dir, 'g.csv'), '--truth', join(population, 'truth.csv')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--truth needs --report-html');
  });
});
