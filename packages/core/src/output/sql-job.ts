import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { DIALECTS, DuckDbExecutor, jobScript, renderJob, writeRecordIds, type DialectName } from '@mpi/sql';
import { planFor, type SqlLinkOptions } from '../pipeline/link-sql.js';
import { planTrainingJob } from '../pipeline/training-job.js';
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
 */
export async function writeSqlJob(options: SqlLinkOptions & { readonly dialect: DialectName; readonly dir: string }): Promise<SqlJobFiles> {
  const { model } = options;
  const written =
    model === undefined
      ? await planTrainingJob(options)
      : await planFor({ ...options, model }).then(({ table, plan, tf }) => {
          const job = renderJob(plan, DIALECTS[options.dialect]);
          return { table, plan, tf, script: jobScript(job), statements: job.setup.length + job.propagate.length + 1 + job.finish.length, training: undefined };
        });
  const { table, plan, tf } = written;
  try {
    mkdirSync(options.dir, { recursive: true });
  } catch (cause) {
    throw new OutputWriteError('--out-sql', (cause as NodeJS.ErrnoException).code ?? 'EIO', cause);
  }
  const staged: AtomicFile[] = [];
  const text = (name: string, data: string) => stageFile(join(options.dir, name), `--out-sql ${name}`, (file) => file.write(data));
  const executor = await DuckDbExecutor.open(options.duckdb);
  try {
    staged.push(await text('job.sql', written.script + '\n'));
    staged.push(await text('plan.json', JSON.stringify(plan, null, 2) + '\n'));
    if (written.training !== undefined) staged.push(await text('training.json', JSON.stringify(written.training, null, 2) + '\n'));
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
    files: ['job.sql', 'plan.json', ...(written.training !== undefined ? ['training.json'] : []), 'records.parquet', 'record_ids.parquet'],
    records: table.size,
    statements: written.statements,
  };
}
