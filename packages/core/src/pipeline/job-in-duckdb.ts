import { DIALECTS, jobScript, renderJob, trainingCountsSql, trainingJobScript, type DialectName, type DuckDbExecutor, type LinkagePlan } from '@mpi/sql';
import { defaultUSampleSize } from '../settings/settings.js';
import { sourceNamesInDuckDb } from './identities-in-duckdb.js';
import { readIntoDuckDb, trainingOf, type SqlLinkOptions } from './link-sql.js';
import { dropStaged } from './streamed/prepare.js';
import { householdColumns, trainingSetup, type TrainingSetup } from './train-counts.js';
import { untrainedModel } from './train-sql.js';

/** The job for a cluster, its records in DuckDB: the plan, the script, and without a model what training needs besides the counts. */
export interface JobInDuckDb {
  /** Records read. */
  readonly size: number;
  /** The plan of the statements (without a model its weights are placeholders: m = u = 0.5). */
  readonly plan: LinkagePlan;
  /** With a model: the linkage (the label-propagation round to repeat marked); without: blocking, then `training_counts`. */
  readonly script: string;
  readonly statements: number;
  /** training.json, without a model: u estimated here, from the seeded random pairs. */
  readonly training?: TrainingSetup;
}

/**
 * Reads the sources into `executor` by the streamed read, as linkInDuckDb
 * does (the record table is never made), and plans the job for a cluster: with
 * a model, its linkage; without one, the job that trains (blocking rules
 * chosen as link() chooses them when it trains, the candidate pairs and
 * `training_counts` counted in the comparison join on the cluster; u estimated
 * here, as linkInDuckDb estimates it: no engine computes our levels on random
 * pairs). Leaves in DuckDB what the job's files are written from: `records`
 * (the table the statements read) and `job_record_ids` ("row", "source" by name,
 * record_id: who each row is), the staged tables dropped.
 */
export async function jobInDuckDb(executor: DuckDbExecutor, options: SqlLinkOptions & { readonly dialect: DialectName }): Promise<JobInDuckDb> {
  const into = await readIntoDuckDb(executor, options, async (staged) => options.onProgress?.({ stage: 'read', done: staged.size, total: staged.size }));
  const { staged, comparisons } = into.streamed;
  const dialect = DIALECTS[options.dialect];
  let job: Omit<JobInDuckDb, 'size'>;
  if (options.model !== undefined) {
    const plan = into.planOf(options.model);
    const rendered = renderJob(plan, dialect);
    job = { plan, script: jobScript(rendered), statements: rendered.setup.length + rendered.propagate.length + 1 + rendered.finish.length };
  } else {
    const plan = into.planOf(untrainedModel(comparisons));
    const { chosen, table, estimateU } = trainingOf(executor, into);
    const uSampleSize = into.settings.uSampleSize ?? defaultUSampleSize(staged.size);
    const training = trainingSetup({ table, settings: into.settings, chosen, comparisons, u: await estimateU(uSampleSize), uSampleSize });
    const household = training.withoutHouseholdGroup === undefined ? undefined : householdColumns(staged.columns, plan);
    const counts = trainingCountsSql(plan, dialect, { sessions: training.sessions.map((session) => session.rule), household });
    const rendered = renderJob(plan, dialect);
    job = { plan, script: trainingJobScript(rendered, counts), statements: rendered.pairs.length + counts.length, training };
  }
  await dropStaged(executor.connection, staged, comparisons.length);
  const c = executor.connection;
  await sourceNamesInDuckDb(c, staged.sources);
  await c.run(
    'CREATE OR REPLACE TABLE job_record_ids AS SELECT CAST(w."row" AS INTEGER) AS "row", s.name AS "source", w.record_id FROM who w JOIN source_names s ON s."source" = w."source"',
  );
  await c.run('DROP TABLE who');
  return { size: staged.size, ...job };
}
