import { join } from 'node:path';
import type { FellegiSunterModel } from '@mpi/scoring';
import { mkdirSync } from 'node:fs';
import { DIALECTS, DuckDbExecutor, jobScript, renderJob, writeRecordIds, type DialectName } from '@mpi/sql';
import { planFor, type SqlLinkOptions } from '../pipeline/link-sql.js';
import { OutputWriteError, publishAll, stageFile, type AtomicFile } from './atomic-file.js';

/** What {@link writeSqlJob} wrote. */
export interface SqlJobFiles {
  readonly dir: string;
  readonly files: readonly string[];
  readonly records: number;
  readonly statements: number;
}

/**
 * Writes the job of a trained model for a cluster engine into `dir`:
 * `job.sql` (the statements in the dialect, the label-propagation round to
 * repeat marked), `plan.json` (the engine-neutral plan) and `records.parquet`
 * (the records normalized by our own code, with the precomputed feature, key
 * and term-frequency columns the statements read: the job's `records` table)
 * and `record_ids.parquet` (each row's source and record id: the groups read
 * back from the cluster are named by them, see groupsFromCluster).
 * All appear together or not at all (atomic, as every output).
 */
export async function writeSqlJob(options: SqlLinkOptions & { readonly model: FellegiSunterModel; readonly dialect: DialectName; readonly dir: string }): Promise<SqlJobFiles> {
  const { table, plan, tf } = await planFor(options);
  const job = renderJob(plan, DIALECTS[options.dialect]);
  try {
    mkdirSync(options.dir, { recursive: true });
  } catch (cause) {
    throw new OutputWriteError('--out-sql', (cause as NodeJS.ErrnoException).code ?? 'EIO', cause);
  }
  const staged: AtomicFile[] = [];
  const executor = await DuckDbExecutor.open(options.duckdb);
  try {
    staged.push(await stageFile(join(options.dir, 'job.sql'), '--out-sql job.sql', (file) => file.write(jobScript(job) + '\n')));
    staged.push(await stageFile(join(options.dir, 'plan.json'), '--out-sql plan.json', (file) => file.write(JSON.stringify(plan, null, 2) + '\n')));
    await executor.loadRecords(table, plan, tf);
    staged.push(await stageFile(join(options.dir, 'records.parquet'), '--out-sql records.parquet', (file) => executor.exportRecords(file.temporary)));
    staged.push(await stageFile(join(options.dir, 'record_ids.parquet'), '--out-sql record_ids.parquet', (file) => writeRecordIds(table, file.temporary)));
  } catch (error) {
    for (const file of staged) file.discard();
    throw error;
  } finally {
    executor.close();
  }
  publishAll(staged);
  return {
    dir: options.dir,
    files: ['job.sql', 'plan.json', 'records.parquet', 'record_ids.parquet'],
    records: table.size,
    statements: job.setup.length + job.propagate.length + 1 + job.finish.length,
  };
}
