// writeSqlJob reads the sources by the streamed read (never the record table)
// and writes the Parquet files from DuckDB's own tables: the job it writes is
// the job written from the record table loaded whole (sql-job-in-memory.ts),
// the text files byte for byte, the Parquet files row for row, in order.
import { join } from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DuckDbExecutor } from '@mpi/sql';
import { link, type Settings } from '../src/index.js';
import { writeSqlJob } from '../src/advanced.js';
import { febrlDir, febrlSettings, repoRoot, tempDir } from './helpers.js';
import { writeSqlJobInMemory } from './sql-job-in-memory.js';

const population = join(repoRoot, 'fixtures/population');
const cases = [
  { name: 'FEBRL3', settings: febrlSettings('dedupe') as Settings, sources: [{ name: 'f3', path: join(febrlDir, 'dataset3.csv') }] },
  {
    name: 'the demo population (4 sources)',
    settings: JSON.parse(readFileSync(join(population, 'settings.json'), 'utf8')) as Settings,
    sources: ['clinic', 'ehr', 'lab', 'payer'].map((name) => ({ name, path: join(population, `${name}.csv`) })),
  },
];

/** A Parquet file's columns (name and type) and rows, in the file's order. */
async function parquetRows(path: string): Promise<{ columns: unknown[][]; rows: unknown[][] }> {
  const executor = await DuckDbExecutor.open({ threads: 1 });
  const connection = executor.connection;
  try {
    const file = `'${path.replaceAll("'", "''")}'`;
    const columns = (await connection.runAndReadAll(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(${file}))`)).getRows();
    const rows = (await connection.runAndReadAll(`SELECT * FROM read_parquet(${file})`)).getRows();
    return { columns, rows };
  } finally {
    executor.close();
  }
}

async function expectSameJob(streamed: string, inMemory: string): Promise<void> {
  expect(readdirSync(streamed).sort()).toEqual(readdirSync(inMemory).sort());
  for (const name of ['job.sql', 'plan.json', 'training.json'].filter((file) => readdirSync(inMemory).includes(file))) {
    expect(readFileSync(join(streamed, name), 'utf8'), name).toBe(readFileSync(join(inMemory, name), 'utf8'));
  }
  for (const name of ['records.parquet', 'record_ids.parquet']) {
    const now = await parquetRows(join(streamed, name));
    const before = await parquetRows(join(inMemory, name));
    expect(now.columns, name).toEqual(before.columns);
    expect(now.rows.length, name).toBeGreaterThan(0);
    expect(now.rows, name).toEqual(before.rows);
  }
}

// Two jobs written and two link runs per case: ~10 s on a quiet host, 53-66 s at load 8 (measured), past vitest's 60 s default.
const JOB_TIMEOUT_MS = 180_000;

describe.each(cases)('the cluster job written by the streamed read, on $name', ({ settings, sources }) => {
  it('is the job written from the record table, without a model (training.json, u from the seeded random pairs)', async () => {
    const dir = tempDir();
    // Small parts: the sources are read in several.
    const written = await writeSqlJob({ settings, sources, dialect: 'spark', dir: join(dir, 'streamed'), threads: 1, streamPartBytes: 64 * 1024 });
    await writeSqlJobInMemory({ settings, sources, dialect: 'spark', dir: join(dir, 'in-memory'), threads: 1 });
    expect(written.files).toContain('training.json');
    await expectSameJob(join(dir, 'streamed'), join(dir, 'in-memory'));
  }, JOB_TIMEOUT_MS);

  it('is the job written from the record table, with a model', async () => {
    const dir = tempDir();
    const { model, table } = await link({ settings, sources, threads: 1 });
    const written = await writeSqlJob({ settings, sources, model, dialect: 'spark', dir: join(dir, 'streamed'), threads: 1, streamPartBytes: 64 * 1024 });
    await writeSqlJobInMemory({ settings, sources, model, dialect: 'spark', dir: join(dir, 'in-memory'), threads: 1 });
    expect(written.records).toBe(table.size);
    expect(written.files).not.toContain('training.json');
    await expectSameJob(join(dir, 'streamed'), join(dir, 'in-memory'));
  }, JOB_TIMEOUT_MS);
});
