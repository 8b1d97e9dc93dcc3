// A model trained on a sample, applied to more records: with refitPrior its
// prior is fitted to the records it is applied to (m and u kept), alike in
// process and in DuckDB; without it the model is applied as it is.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseModel, serializeModel } from '@mpi/scoring';
import { link, type Settings } from '../src/index.js';
import { linkInDuckDb } from '../src/advanced.js';
import { cliPath, repoRoot, runProcess } from './helpers.js';

const population = join(repoRoot, 'fixtures/population');
const settings = JSON.parse(readFileSync(join(population, 'settings.json'), 'utf8')) as Settings;
const sourceOf = (name: string) => ({ name, path: join(population, `${name}.csv`) });
const all = ['clinic', 'ehr', 'lab', 'payer'].map(sourceOf);

describe('a given model with its prior fitted to the records (refitPrior)', async () => {
  // Trained on two of the four sources: fewer records, so a higher chance that two of them match.
  const two = ['ehr', 'lab'];
  const sampleSettings = { ...settings, sources: Object.fromEntries(Object.entries(settings.sources ?? {}).filter(([name]) => two.includes(name))) } as Settings;
  const sample = await link({ settings: sampleSettings, sources: two.map(sourceOf), threads: 1 });
  const given = parseModel(serializeModel(sample.model));

  it("keeps m and u, and moves the sample's prior to about the one a model trained on these records has", async () => {
    const applied = await link({ settings, sources: all, model: given, threads: 1 });
    const refitted = await link({ settings, sources: all, model: given, refitPrior: true, threads: 1 });
    const trained = await link({ settings, sources: all, threads: 1 });
    const off = (prior: number) => Math.abs(prior - trained.model.prior) / trained.model.prior;
    expect(applied.model.prior).toBe(given.prior);
    expect(refitted.model.m).toEqual(given.m);
    expect(refitted.model.u).toEqual(given.u);
    // The sample's prior is off by more than a quarter; fitted, within a tenth.
    expect(off(given.prior)).toBeGreaterThan(0.25);
    expect(off(refitted.model.prior)).toBeLessThan(0.1);
  });

  it('fits the same prior, groups and ids in DuckDB as in process', async () => {
    const inProcess = await link({ settings, sources: all, model: given, refitPrior: true, threads: 1 });
    const sql = await linkInDuckDb({ settings, sources: all, model: given, refitPrior: true, duckdb: { threads: 1 } });
    expect(Math.abs(sql.model.prior - inProcess.model.prior) / inProcess.model.prior).toBeLessThan(1e-9);
    expect(sql.clustering.groupCount).toBe(inProcess.clustering.groupCount);
    expect(Array.from(sql.clustering.groupOf)).toEqual(Array.from(inProcess.clustering.groupOf));
    expect(sql.identityIds).toEqual(inProcess.identityIds);
  });

  it('is refused on the command line without --model, and on --engine sql', async () => {
    const args = ['link', '--settings', join(population, 'settings.json'), ...all.flatMap((s) => ['--source', `${s.name}=${s.path}`])];
    const without = await runProcess(process.execPath, [cliPath, ...args, '--out', '/nonexistent/groups.csv', '--refit-prior']);
    expect(without.status).toBe(2);
    expect(without.stderr).toContain('--refit-prior needs --model');
    const onSql = await runProcess(process.execPath, [cliPath, ...args, '--model', join(population, 'settings.json'), '--engine', 'sql', '--out-sql', '/nonexistent/job', '--refit-prior']);
    expect(onSql.status).toBe(2);
    expect(onSql.stderr).toContain('--engine sql does not fit the prior');
  });
});
