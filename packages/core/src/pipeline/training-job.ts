import { DIALECTS, renderJob, trainingCountsSql, trainingJobScript, type DialectName, type LinkagePlan, type TermFrequencyColumns } from '@mpi/sql';
import type { RecordTable } from '../read/record-table.js';
import { defaultUSampleSize } from '../settings/settings.js';
import { prepare, type SqlLinkOptions } from './link-sql.js';
import { householdColumns, trainingSetup, type TrainingSetup } from './train-counts.js';
import { estimateU, untrainedModel } from './train-sql.js';

/** The job of a model still to train, for a cluster: its records, plan, script and training setup. */
export interface TrainingJob {
  readonly table: RecordTable;
  /** The plan of the blocking and comparison statements (its weights are placeholders: m = u = 0.5). */
  readonly plan: LinkagePlan;
  readonly tf: TermFrequencyColumns;
  /** Blocking, then `training_counts`. */
  readonly script: string;
  readonly statements: number;
  /** training.json: what EM needs besides the counts (u estimated here, from the seeded random pairs). */
  readonly training: TrainingSetup;
}

/**
 * The job that trains on a cluster: the records read and normalized, blocking
 * rules chosen as link() chooses them when it trains, the candidate pairs and
 * `training_counts` (counted in the comparison join) in SQL; u is estimated here (our
 * process holds the records: no engine computes our levels on random pairs).
 */
export async function planTrainingJob(options: SqlLinkOptions & { readonly dialect: DialectName }): Promise<TrainingJob> {
  const prepared = await prepare({ ...options, model: undefined });
  const { table, settings, mode, chosen, comparisons } = prepared;
  const plan = prepared.planOf(untrainedModel(comparisons));
  const uSampleSize = settings.uSampleSize ?? defaultUSampleSize(table.size);
  const u = await estimateU(table, comparisons, mode, settings, uSampleSize);
  const training = trainingSetup({ table, settings, chosen, comparisons, u, uSampleSize });
  const dialect = DIALECTS[options.dialect];
  const household = training.withoutHouseholdGroup === undefined ? undefined : householdColumns(Object.keys(table.columns), plan);
  const counts = trainingCountsSql(plan, dialect, { sessions: training.sessions.map((session) => session.rule), household });
  const job = renderJob(plan, dialect);
  return { table, plan, tf: prepared.tf, script: trainingJobScript(job, counts), statements: job.pairs.length + counts.length, training };
}
