// The cluster job as writeSqlJob wrote it before the streamed read: every
// source read into the in-memory record table (prepare), u estimated on it,
// and the table loaded into an embedded DuckDB to export the Parquet files.
// The reference sql-job-streamed.test.ts compares the job written now against.
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { ComparisonPool, type Comparison } from '@mpi/scoring';
import { DIALECTS, DuckDbExecutor, jobScript, renderJob, trainingCountsSql, trainingJobScript, writeRecordIds, type DialectName } from '@mpi/sql';
import type { LinkMode } from '@mpi/types';
import type { RecordTable } from '../src/read/record-table.js';
import { DEFAULTS, defaultUSampleSize, type Settings } from '../src/settings/settings.js';
import { prepare, type SqlLinkOptions } from '../src/pipeline/link-sql.js';
import { householdColumns, trainingSetup } from '../src/pipeline/train-counts.js';
import { untrainedModel } from '../src/pipeline/train-sql.js';

/** u from the seeded random pairs, compared by our kernels on one worker, on the whole record table. */
async function estimateU(table: RecordTable, comparisons: readonly Comparison[], mode: LinkMode, settings: Settings, sampleSize: number): Promise<number[][]> {
  const pool = new ComparisonPool({ threads: 1 });
  try {
    pool.load(table, comparisons);
    return await pool.estimateU({ mode, sampleSize, seed: settings.seed ?? DEFAULTS.seed });
  } finally {
    await pool.close();
  }
}

/** Writes job.sql, plan.json, training.json (without a model), records.parquet and record_ids.parquet into `dir` from the record table. */
export async function writeSqlJobInMemory(options: SqlLinkOptions & { readonly dialect: DialectName; readonly dir: string }): Promise<void> {
  const prepared = await prepare(options);
  const { table, settings, mode, chosen, comparisons, tf } = prepared;
  const dialect = DIALECTS[options.dialect];
  let plan;
  let script: string;
  let training;
  if (options.model !== undefined) {
    plan = prepared.planOf(options.model);
    script = jobScript(renderJob(plan, dialect));
  } else {
    plan = prepared.planOf(untrainedModel(comparisons));
    const uSampleSize = settings.uSampleSize ?? defaultUSampleSize(table.size);
    const u = await estimateU(table, comparisons, mode, settings, uSampleSize);
    training = trainingSetup({ table, settings, chosen, comparisons, u, uSampleSize });
    const household = training.withoutHouseholdGroup === undefined ? undefined : householdColumns(Object.keys(table.columns), plan);
    const counts = trainingCountsSql(plan, dialect, { sessions: training.sessions.map((session) => session.rule), household });
    script = trainingJobScript(renderJob(plan, dialect), counts);
  }
  mkdirSync(options.dir, { recursive: true });
  writeFileSync(join(options.dir, 'job.sql'), script + '\n');
  writeFileSync(join(options.dir, 'plan.json'), JSON.stringify(plan, null, 2) + '\n');
  if (training !== undefined) writeFileSync(join(options.dir, 'training.json'), JSON.stringify(training, null, 2) + '\n');
  const executor = await DuckDbExecutor.open(options.duckdb);
  try {
    await executor.loadRecords(table, plan, tf);
    await executor.exportRecords(join(options.dir, 'records.parquet'));
    await writeRecordIds(table, join(options.dir, 'record_ids.parquet'));
  } finally {
    executor.close();
  }
}
