// DuckDB's messages quote the values they fail on; every error of the SQL
// engine that leaves @mpi/sql says what failed without them: its message, its
// cause chain and what util.inspect prints (a real DuckDB, real failures).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MpiError } from '@mpi/types';
import { buildLinkagePlan, causeWithoutValues, ClusterExportError, DuckDbExecutor, openParquetRows, MEMORY_FULL, readExports, SPILL_FULL, SqlEngineError, statementRole, summarizeEngineError } from '../src/index.js';
import { exactComparison, type FellegiSunterModel } from '@mpi/scoring';

/** A value no message of ours or of DuckDB's holds unless it quotes the data. */
const SENTINEL = 'QXSENTINELZQ';

/** Everything a person or a log could see of an error: the message, every cause's message and stack, and util.inspect of it. */
function everythingShown(error: unknown): string {
  const parts: string[] = [inspect(error, { depth: 10 }), String(error)];
  for (let e: unknown = error; e instanceof Error; e = e.cause) parts.push(e.message, String(e.stack), JSON.stringify(e));
  return parts.join('\n');
}

async function failureOf(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

async function withExecutor(test: (executor: DuckDbExecutor) => Promise<void>): Promise<void> {
  const executor = await DuckDbExecutor.open({ threads: 1, memoryLimit: '200MB' });
  try {
    await executor.connection.run(`CREATE TABLE patients AS SELECT i AS id, CASE WHEN i = 3000 THEN '${SENTINEL}' ELSE '2001-01-0' || (i % 9 + 1) END AS birth_date FROM range(5000) t(i)`);
    await test(executor);
  } finally {
    executor.close();
  }
}

describe('errors of the SQL engine hold no record value', () => {
  it('a value that does not cast: the kind and the type it failed to become, not the value', async () => {
    await withExecutor(async (executor) => {
      const error = await failureOf(() => executor.firstRow('SELECT max(CAST(birth_date AS DATE)) FROM patients'));
      expect(error).toBeInstanceOf(SqlEngineError);
      expect((error as SqlEngineError).code).toBe('SQL_ENGINE_FAILED');
      expect((error as Error).message).toBe('the SQL engine failed at step "a SELECT statement" (Conversion Error: a string could not be converted to DATE)');
      expect(everythingShown(error)).not.toContain(SENTINEL);
    });
  });

  it("an error() call on a value: DuckDB puts it unquoted after the kind, so only the kind is kept", async () => {
    await withExecutor(async (executor) => {
      const error = await failureOf(() => executor.connection.run(`CREATE TABLE checked AS SELECT CASE WHEN birth_date LIKE '2%' THEN birth_date ELSE error('not a date: ' || birth_date) END FROM patients`));
      expect(error).toBeInstanceOf(SqlEngineError);
      expect((error as Error).message).toBe('the SQL engine failed at step "CREATE TABLE checked" (Invalid Input Error)');
      expect(everythingShown(error)).not.toContain(SENTINEL);
    });
  });

  it("a cluster export with a bad line past the part DuckDB sniffs: the file and line, not the line's text", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mpi-engine-errors-'));
    const file = join(dir, 'cluster_labels.csv');
    writeFileSync(file, `row,label\n${Array.from({ length: 30_000 }, (_, i) => `${i},0`).join('\n')}\n${SENTINEL},0,1\n`);
    const error = await failureOf(() => readExports([file], [{ name: 'row', type: 'BIGINT' }, { name: 'label', type: 'BIGINT' }]));
    expect(error).toBeInstanceOf(ClusterExportError);
    expect((error as Error).message).toBe(`cluster export ${file}: cannot be read (Conversion Error: CSV error on line 30002)`);
    expect(everythingShown(error)).not.toContain(SENTINEL);
  });

  it('a Parquet file with a string that is not UTF-8: DuckDB quotes it; the error names the step only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mpi-engine-errors-'));
    const file = join(dir, 'patients.parquet');
    await withExecutor(async (executor) => {
      await executor.connection.run(`COPY (SELECT 'r' || i AS id, CASE WHEN i = 3000 THEN '${SENTINEL}~~~~' ELSE 'name' || i END AS given_name FROM range(5000) t(i)) TO '${file}' (FORMAT parquet, COMPRESSION uncompressed)`);
    });
    // '~~~~' becomes bytes no UTF-8 string holds, wherever the file stores the value.
    const bytes = readFileSync(file);
    for (let at = bytes.indexOf('~~~~'); at >= 0; at = bytes.indexOf('~~~~', at)) bytes.fill(0xff, at, at + 4);
    writeFileSync(file, bytes);
    const rows = await openParquetRows(file, ['id', 'given_name']);
    const error = await failureOf(async () => {
      for await (const batch of rows.batches) expect(batch.length).toBeGreaterThan(0);
    });
    expect(error).toBeInstanceOf(SqlEngineError);
    expect((error as Error).message).toBe('the SQL engine failed at step "reading the Parquet rows" (Invalid Input Error)');
    expect(everythingShown(error)).not.toContain(SENTINEL);
  });

  it('a statement the executor runs as a step of the plan is named by that step', async () => {
    const model: FellegiSunterModel = { version: 1, comparisons: [exactComparison('name')], m: [[1, 0.99, 0.01]], u: [[1, 0.001, 0.999]], prior: 0.01, training: { sessions: [], candidateLambda: 0 } };
    const plan = buildLinkagePlan({ model, rules: [{ kind: 'key', keys: [{ column: 'name' }] }], mode: 'dedupe', threshold: 0.5, thresholdWeight: 0, clustering: 'connectedComponents' });
    await withExecutor(async (executor) => {
      // The records table is a view that fails on the sentinel when the blocking keys are made.
      await executor.connection.run(`CREATE VIEW records AS SELECT CAST(id AS INTEGER) AS "row", 0 AS "source", CAST(birth_date AS DATE)::VARCHAR AS name FROM patients`);
      const error = await failureOf(() => executor.run(plan));
      expect((error as Error).message).toBe('the SQL engine failed at step "blocking keys of rule 0" (Conversion Error: a string could not be converted to DATE)');
      expect(everythingShown(error)).not.toContain(SENTINEL);
    });
  });
});

describe('what is kept of a DuckDB message', () => {
  const duckdb = (message: string) => summarizeEngineError(new Error(message));

  it('memory full and no room to spill: says which limits to raise, with no value', async () => {
    const executor = await DuckDbExecutor.open({ threads: 1, memoryLimit: '64MB', tempDirectory: mkdtempSync(join(tmpdir(), 'mpi-spill-')), maxTempDirectorySize: '2MB' });
    try {
      // 40M scrambled keys grouped and sorted: far past 64 MB of memory and 2 MB of spill.
      await executor.connection.run(`CREATE TABLE keys AS SELECT (i * 7919) % 100000000 AS k, i FROM range(40000000) t(i)`);
      const error = await failureOf(() => executor.connection.run(`CREATE TABLE grouped AS SELECT k, min(i) AS first FROM keys GROUP BY k ORDER BY k`));
      expect(error).toBeInstanceOf(SqlEngineError);
      expect((error as Error).message).toBe(`the SQL engine failed at step "CREATE TABLE grouped" (Out of Memory Error: ${MEMORY_FULL})`);
    } finally {
      executor.close();
    }
  }, 120_000);

  it('keeps a known shape only, anchored at both ends: a value holding the shape cannot move what is captured', () => {
    expect(duckdb(`Conversion Error: Could not convert string '${SENTINEL}' to INT32`).detail).toBe('a string could not be converted to INT32');
    expect(duckdb(`Conversion Error: Could not convert string 'a' to ${SENTINEL}' to INT32`).detail).toBe('a string could not be converted to INT32');
    // The value's newline ends the first line inside the quotes: no known shape, the kind alone.
    expect(duckdb(`Conversion Error: Could not convert string 'a\n to ${SENTINEL}' to INT32`)).toMatchObject({ kind: 'Conversion Error', detail: undefined });
    expect(duckdb(`Invalid Input Error: ${SENTINEL}`)).toMatchObject({ kind: 'Invalid Input Error', detail: undefined });
    expect(duckdb('IO Error: Could not write file "/tmp/x": No space left on device')).toMatchObject({ kind: 'IO Error', detail: 'no space left on device' });
    // DuckDB 1.5's words when the spill folder is full (seen on a 30 MB tmpfs): sizes only.
    const offload = 'Out of Memory Error: failed to offload data block of size 256.0 KiB (26.8 MiB/27.0 MiB used).';
    expect(duckdb(`${offload}\nThis limit was set by the 'max_temp_directory_size' setting.`)).toMatchObject({ kind: 'Out of Memory Error', detail: SPILL_FULL });
    expect(duckdb(`Out of Memory Error: failed to offload data block of size ${SENTINEL} (26.8 MiB/27.0 MiB used).`)).toMatchObject({ detail: undefined });
  });

  it("an error that is not DuckDB's keeps its class name, never its message; ours are kept as they are", () => {
    const summary = summarizeEngineError(new TypeError(`cannot read ${SENTINEL}`));
    expect(summary).toMatchObject({ name: 'TypeError', kind: 'TypeError', detail: undefined });
    expect(everythingShown(summary)).not.toContain(SENTINEL);
    const ours = new MpiError('X', 'ours');
    expect(causeWithoutValues(ours)).toBe(ours);
  });

  it("names a statement by its verb and table, never by the rest of its text", () => {
    expect(statementRole(`CREATE OR REPLACE TEMP TABLE tf_counts AS SELECT '${SENTINEL}'`)).toBe('CREATE OR REPLACE TEMP TABLE tf_counts');
    expect(statementRole(`UPDATE rid SET c0 = NULL WHERE c0 IN ('${SENTINEL}')`)).toBe('UPDATE rid');
    expect(statementRole(`COPY (SELECT 1) TO '/tmp/${SENTINEL}.csv'`)).toBe('a COPY statement');
    expect(statementRole(`'${SENTINEL}'`)).toBe('a statement');
  });
});
