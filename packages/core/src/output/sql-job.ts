import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { DuckDbExecutor, SqlEngineError, sqlString, type DialectName } from '@mpi/sql';
import { jobInDuckDb } from '../pipeline/job-in-duckdb.js';
import type { SqlLinkOptions } from '../pipeline/link-sql.js';
import { OutputWriteError, publishAll, stageFile, type AtomicFile } from './atomic-file.js';

/** What {@link writeSqlJob} wrote. */
export interface SqlJobFiles {
  readonly dir: string;
  readonly files: readonly string[];
  readonly records: number;
  readonly statements: number;
}

/**
 * Writes the job for a cluster engine into `dir`. With a trained model:
 * `job.sql` (the statements in the dialect, the label-propagation round to
 * repeat marked) and `plan.json` (the engine-neutral plan). Without one, the
 * job that trains: `job.sql` makes the comparison vectors and
 * `training_counts`, `training.json` holds what EM needs besides the counts
 * (u, estimated here), and `mpi sql train` trains on the exported counts.
 * Both write `records.parquet` (the records normalized by our own code, with
 * the precomputed feature, key and term-frequency columns the statements read:
 * the job's `records` table) and `record_ids.parquet` (each row's source and
 * record id: the groups read back from the cluster are named by them, see
 * groupsFromCluster). All appear together or not at all (atomic, as every output).
 * The sources are read by the streamed read, as linkInDuckDb reads them, and
 * both Parquet files are written by DuckDB from its own tables: the record
 * table is never made in our process (a job is for data larger than one machine's memory).
 */
export async function writeSqlJob(options: SqlLinkOptions & { readonly dialect: DialectName; readonly dir: string }): Promise<SqlJobFiles> {
  const executor = await DuckDbExecutor.open(options.duckdb);
  try {
    const written = await jobInDuckDb(executor, options);
    try {
      mkdirSync(options.dir, { recursive: true });
    } catch (cause) {
      throw new OutputWriteError('--out-sql', (cause as NodeJS.ErrnoException).code ?? 'EIO', cause);
    }
    const staged: AtomicFile[] = [];
    const text = (name: string, data: string) => stageFile(join(options.dir, name), `--out-sql ${name}`, (file) => file.write(data));
    try {
      staged.push(await text('job.sql', written.script + '\n'));
      staged.push(await text('plan.json', JSON.stringify(written.plan, null, 2) + '\n'));
      if (written.training !== undefined) staged.push(await text('training.json', JSON.stringify(written.training, null, 2) + '\n'));
      staged.push(await stageFile(join(options.dir, 'records.parquet'), '--out-sql records.parquet', (file) => executor.exportRecords(file.temporary)));
      staged.push(await stageFile(join(options.dir, 'record_ids.parquet'), '--out-sql record_ids.parquet', (file) => exportRecordIds(executor, file.temporary)));
    } catch (error) {
      for (const file of staged) file.discard();
      throw error;
    }
    publishAll(staged);
    return {
      dir: options.dir,
      files: ['job.sql', 'plan.json', ...(written.training !== undefined ? ['training.json'] : []), 'records.parquet', 'record_ids.parquet'],
      records: written.size,
      statements: written.statements,
    };
  } finally {
    executor.close();
  }
}

/** Writes `record_ids.parquet` from `job_record_ids` (as writeRecordIds writes it from a table in memory: "row", "source", record_id, in row order). */
async function exportRecordIds(executor: DuckDbExecutor, path: string): Promise<void> {
  try {
    await executor.connection.run(`COPY (SELECT "row", "source", record_id FROM job_record_ids ORDER BY "row") TO ${sqlString(path)} (FORMAT parquet)`);
  } catch (error) {
    throw new SqlEngineError('writing record_ids.parquet', error);
  }
}
