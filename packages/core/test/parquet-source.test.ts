// A Parquet source: DuckDB reads the file, our code normalizes the rows it pulls
// in batches; the same rows as a CSV file give the same groups and ids.
import { join } from 'node:path';
import { DuckDbExecutor } from '@mpi/sql';
import { describe, expect, it } from 'vitest';
import { InvalidValueError, link, MissingColumnError, SourceUnreadableError, type Settings } from '../src/index.js';
import { linkInDuckDb, readSource } from '../src/advanced.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { repoRoot, tempDir } from './helpers.js';

const population = join(repoRoot, 'fixtures/population');
const names = ['clinic', 'ehr', 'lab', 'payer'];

/** Runs SQL statements in a fresh in-memory DuckDB (here: COPY ... TO a Parquet file). */
async function duckdb(...statements: string[]): Promise<void> {
  const executor = await DuckDbExecutor.open({ threads: 1 });
  try {
    for (const sql of statements) await executor.connection.run(sql);
  } finally {
    executor.close();
  }
}

describe('a Parquet source', () => {
  it('gives the same identity groups and ids as the CSV file of the same rows, linked in DuckDB', async () => {
    const dir = tempDir('mpi-parquet-');
    // Every column as text, exactly as the CSV holds it: DuckDB writes the Parquet copy.
    for (const name of names) {
      await duckdb(
        `COPY (SELECT * FROM read_csv('${join(population, `${name}.csv`)}', header = true, delim = ',', quote = '"', escape = '"', all_varchar = true)) TO '${join(dir, `${name}.parquet`)}' (FORMAT parquet)`,
      );
    }
    const settings = JSON.parse(readFileSync(join(population, 'settings.json'), 'utf8')) as Settings;
    const csv = await link({ settings, sources: names.map((name) => ({ name, path: join(population, `${name}.csv`) })), threads: 1 });
    const parquet = await linkInDuckDb({ settings, sources: names.map((name) => ({ name, path: join(dir, `${name}.parquet`) })), model: csv.model, duckdb: { threads: 1 } });
    expect(parquet.table.size).toBe(csv.table.size);
    expect(parquet.table.recordIds).toEqual(csv.table.recordIds);
    expect(Array.from(parquet.clustering.groupOf)).toEqual(Array.from(csv.clustering.groupOf));
    expect(parquet.identityIds).toEqual(csv.identityIds);
  });

  it('reads typed columns as their text: a DATE as its calendar day, a number as its digits, NULL as empty', async () => {
    const file = join(tempDir('mpi-parquet-'), 'typed.parquet');
    await duckdb(`COPY (SELECT * FROM (VALUES ('r1', DATE '1970-03-05', 42::INTEGER), ('r2', NULL, 7::INTEGER)) t(id, dob, n)) TO '${file}' (FORMAT parquet)`);
    const rows = [];
    for await (const batch of readSource({ name: 'p', path: file }, ['id', 'dob', 'n'])) rows.push(...batch);
    expect(rows).toEqual([
      { row: 1, values: ['r1', '1970-03-05', '42'] },
      { row: 2, values: ['r2', '', '7'] },
    ]);
  });

  it('refuses a column the settings name that the file lacks, before reading a row', async () => {
    const file = join(tempDir('mpi-parquet-'), 'few.parquet');
    await duckdb(`COPY (SELECT 'r1' AS id, 'Ann' AS given_name) TO '${file}' (FORMAT parquet)`);
    const read = async () => {
      for await (const _ of readSource({ name: 'p', path: file }, ['id', 'given_name', 'email'])) void _;
    };
    await expect(read()).rejects.toThrow(MissingColumnError);
    await expect(read()).rejects.toMatchObject({ source: 'p', column: 'email' });
  });

  it('names the source, row and column of a value that is not a scalar (a list)', async () => {
    const file = join(tempDir('mpi-parquet-'), 'list.parquet');
    await duckdb(`COPY (SELECT * FROM (VALUES ('r1', ['Ann']), ('r2', ['Bo', 'Bea'])) t(id, given_name)) TO '${file}' (FORMAT parquet)`);
    const read = async () => {
      for await (const _ of readSource({ name: 'p', path: file }, ['id', 'given_name'])) void _;
    };
    await expect(read()).rejects.toThrow(InvalidValueError);
    await expect(read()).rejects.toMatchObject({ source: 'p', row: 1, column: 'given_name' });
  });

  it('reports a damaged file as unreadable, naming the source', async () => {
    const file = join(tempDir('mpi-parquet-'), 'damaged.parquet');
    writeFileSync(file, 'PAR1 not really a parquet file');
    const read = async () => {
      for await (const _ of readSource({ name: 'p', path: file }, ['id'])) void _;
    };
    await expect(read()).rejects.toThrow(SourceUnreadableError);
    await expect(read()).rejects.toMatchObject({ source: 'p' });
  });
});
