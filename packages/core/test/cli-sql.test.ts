// `mpi link --engine duckdb` and `--engine sql`: the same contracts as the in-process engine.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatModelReport, parseModel } from '@mpi/scoring';
import { repoRoot, runMpi, tempDir } from './helpers.js';

const population = join(repoRoot, 'fixtures/population');
const sourceArgs = ['clinic', 'ehr', 'lab', 'payer'].flatMap((name) => ['--source', `${name}=${join(population, `${name}.csv`)}`]);
/** A CSV file's header, then its rows sorted. */
function sortedLines(path: string): string[] {
  const [header, ...rows] = readFileSync(path, 'utf8').trimEnd().split('\n');
  return [header, ...rows.sort()];
}

const base = ['link', '--settings', join(population, 'settings.json'), ...sourceArgs, '--quiet', '--threads', '1'];

describe('mpi link --engine duckdb / sql', () => {
  it('writes the same groups file as the in-process engine with the same model, and the job of the model for Spark', async () => {
    const dir = tempDir();
    const trained = await runMpi([...base, '--out', join(dir, 'in-process.csv'), '--model-out', join(dir, 'model.json'), '--pairs', join(dir, 'in-process-pairs.csv')]);
    expect(trained.code).toBe(0);
    // A small memory limit: DuckDB spills to --temp-dir rather than fail.
    const duck = await runMpi([...base, '--engine', 'duckdb', '--model', join(dir, 'model.json'), '--out', join(dir, 'duckdb.csv'), '--json', '--memory-limit', '200MB', '--temp-dir', join(dir, 'spill'), '--max-spill', '1GB', '--pairs', join(dir, 'duckdb-pairs.csv')]);
    expect(duck.stderr).toBe('');
    expect(duck.code).toBe(0);
    expect(JSON.parse(duck.stdout)).toMatchObject({ engine: 'duckdb', records: 8431 });
    // The work database and spill were in a folder of their own inside --temp-dir, removed after.
    expect(readdirSync(join(dir, 'spill'))).toEqual([]);
    expect(readFileSync(join(dir, 'duckdb.csv'), 'utf8')).toBe(readFileSync(join(dir, 'in-process.csv'), 'utf8'));
    // The same links, read from DuckDB in (left, right) order rather than the in-process blocking order.
    const [inProcessPairs, duckdbPairs] = ['in-process-pairs.csv', 'duckdb-pairs.csv'].map((file) => sortedLines(join(dir, file)));
    expect(duckdbPairs.length).toBeGreaterThan(1000);
    expect(duckdbPairs).toEqual(inProcessPairs);

    const job = await runMpi([...base, '--engine', 'sql', '--dialect', 'spark', '--model', join(dir, 'model.json'), '--out-sql', join(dir, 'job')]);
    expect(job.code).toBe(0);
    for (const file of ['job.sql', 'plan.json', 'records.parquet']) expect(existsSync(join(dir, 'job', file)), file).toBe(true);
    expect(readFileSync(join(dir, 'job', 'job.sql'), 'utf8')).toContain('CREATE TABLE `candidate_pairs` USING parquet AS');
  });

  it('trains in DuckDB without --model: the groups file and the model of the in-process engine', async () => {
    const dir = tempDir();
    expect((await runMpi([...base, '--out', join(dir, 'in-process.csv'), '--model-out', join(dir, 'in-process.json'), '--pairs', join(dir, 'in-process-pairs.csv'), '--all-pairs'])).code).toBe(0);
    const duck = await runMpi([...base, '--engine', 'duckdb', '--out', join(dir, 'duckdb.csv'), '--model-out', join(dir, 'duckdb.json'), '--pairs', join(dir, 'duckdb-pairs.csv'), '--all-pairs', '--report']);
    expect(duck.code).toBe(0);
    expect(readFileSync(join(dir, 'duckdb.csv'), 'utf8')).toBe(readFileSync(join(dir, 'in-process.csv'), 'utf8'));
    const [a, b] = ['in-process.json', 'duckdb.json'].map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')));
    expect(b.comparisons).toEqual(a.comparisons);
    expect(b.u).toEqual(a.u);
    // --report prints the trained model's report, as the in-process engine does.
    expect(duck.stdout).toContain(formatModelReport(parseModel(readFileSync(join(dir, 'duckdb.json'), 'utf8'))));
    // Every scored candidate pair (--all-pairs), links or not.
    expect(sortedLines(join(dir, 'duckdb-pairs.csv'))).toEqual(sortedLines(join(dir, 'in-process-pairs.csv')));
  });

  it('writes, without --model, the job that counts what training needs (training.json beside it)', async () => {
    const dir = tempDir();
    const noModel = await runMpi([...base, '--engine', 'sql', '--out-sql', join(dir, 'job'), '--json']);
    expect(noModel.code).toBe(0);
    expect(JSON.parse(noModel.stdout)).toMatchObject({ job: 'training', files: ['job.sql', 'plan.json', 'training.json', 'records.parquet', 'record_ids.parquet'] });
    expect(readFileSync(join(dir, 'job', 'job.sql'), 'utf8')).toContain('CREATE TABLE `training_counts` USING parquet AS');
    const modelOut = await runMpi([...base, '--engine', 'sql', '--out-sql', join(dir, 'job2'), '--model-out', join(dir, 'm.json')]);
    expect(modelOut.code).toBe(2);
    expect(existsSync(join(dir, 'job2'))).toBe(false);
  });

  it('refuses, with a usage error and nothing written, outputs an engine does not write', async () => {
    const dir = tempDir();
    const report = await runMpi([...base, '--engine', 'sql', '--model', join(dir, 'm.json'), '--out-sql', join(dir, 'job'), '--report-html', join(dir, 'r.html')]);
    expect(report.code).toBe(2);
    expect(report.stderr).toContain('does not write --report-html');
    const pairs = await runMpi([...base, '--engine', 'sql', '--model', join(dir, 'm.json'), '--out-sql', join(dir, 'job'), '--pairs', join(dir, 'p.csv')]);
    expect(pairs.code).toBe(2);
    expect(pairs.stderr).toContain('does not write --pairs');
    const noDir = await runMpi([...base, '--engine', 'sql', '--model', join(dir, 'm.json')]);
    expect(noDir.code).toBe(2);
    expect(existsSync(join(dir, 'g.csv'))).toBe(false);
  });
});
