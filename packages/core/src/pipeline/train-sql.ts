import { priorWeight, type Comparison, type FellegiSunterModel } from '@mpi/scoring';
import { DUCKDB, type DuckDbExecutor, type LinkagePlan } from '@mpi/sql';
import { defaultUSampleSize, type Settings } from '../settings/settings.js';
import type { ChosenRules } from './block.js';
import { fitPrior, HISTOGRAM_BINS, weightBinSql } from './consistent-prior.js';
import { readTrainingCounts, trainingCountColumns } from './train-cluster.js';
import { householdColumns, trainingSetup, trainOnCounts, type TrainingTable } from './train-counts.js';

/** What training in SQL starts from: the records loaded into the executor, the blocking rules and comparisons chosen for them. */
export interface SqlTrainInput {
  readonly executor: DuckDbExecutor;
  /** The plan of the blocking and comparison statements (its weights are placeholders). */
  readonly plan: LinkagePlan;
  readonly settings: Settings;
  readonly chosen: ChosenRules;
  readonly comparisons: readonly Comparison[];
  /** What the training setup reads of the records: their field kinds, and a table to bind settings' trainingRules on. */
  readonly table: TrainingTable;
  /** The records' columns (where the household share is read). */
  readonly columns: readonly string[];
  readonly size: number;
  /** u from the seeded random pairs of `sampleSize` (the same u as link()). */
  readonly estimateU: (sampleSize: number) => Promise<number[][]>;
  /** The plan of a model for the records (the blocking and comparisons of `plan`, the model's weights). */
  readonly planOf: (model: FellegiSunterModel) => LinkagePlan;
}

/** A model with the comparisons and m = u = 0.5: plans the blocking and comparison statements, which no weight changes. */
export function untrainedModel(comparisons: readonly Comparison[]): FellegiSunterModel {
  const half = comparisons.map((c) => c.levels.map(() => 0.5));
  return { version: 1, comparisons: [...comparisons], m: half, u: half.map((levels) => [...levels]), prior: 0.5, training: { sessions: [], candidateLambda: 0 } };
}

/**
 * Trains the model as the train stage of link() does, on counts SQL returns,
 * and leaves the candidate pairs scored with it in `scored_pairs`: the pairs
 * counted in the comparison join, block by block, into `training_counts` (by
 * levels and household flag, and each EM session's pairs by levels: no
 * comparison vectors, no pair read back), u from the same random pairs
 * (compared by our kernels on one worker: the sample is seeded, so the same u),
 * EM on the counts (trainOnCounts, as `mpi sql train` on a cluster's counts).
 * Then the prior consistent with the scores, as link() fits it: the pairs
 * scored with the trained model in the comparison join, counted by match-weight
 * bin in SQL (weightBinSql), and their weights shifted by the change of prior
 * weight, as consistentPrior shifts link()'s.
 */
export async function trainInSql(input: SqlTrainInput): Promise<FellegiSunterModel> {
  const { executor, table, settings, chosen, plan } = input;
  const sampleSize = settings.uSampleSize ?? defaultUSampleSize(input.size);
  const setup = trainingSetup({ table, settings, chosen, comparisons: input.comparisons, u: await input.estimateU(sampleSize), uSampleSize: sampleSize });
  const household = setup.withoutHouseholdGroup === undefined ? undefined : householdColumns(input.columns, plan);
  await executor.countForTraining(plan, { sessions: setup.sessions.map((session) => session.rule), household, frequencies: false });
  const { counted } = readTrainingCounts(plan, setup, [await executor.readTable('training_counts', trainingCountColumns(plan))]);
  await executor.connection.run(DUCKDB.dropTable('training_counts'));
  const trained = trainOnCounts(setup, counted);
  await executor.scorePairs(input.planOf(trained), { paired: true });
  return fitPriorInSql(executor, trained, chosen.space);
}

/**
 * The model with its prior consistent with the pairs in `scored_pairs` (scored
 * with it), as consistentPrior fits link()'s: the pairs counted by match-weight
 * bin in SQL (weightBinSql), and their weights shifted by the change of prior
 * weight. `space`: the pairs of the comparison space.
 */
export async function fitPriorInSql(executor: DuckDbExecutor, model: FellegiSunterModel, space: number): Promise<FellegiSunterModel> {
  const histogram = new Float64Array(HISTOGRAM_BINS);
  const bins = await executor.connection.runAndReadAll(
    `SELECT CAST(${weightBinSql('match_weight', DUCKDB.double(priorWeight(model)))} AS INTEGER) AS bin, count(*) FROM scored_pairs GROUP BY bin`,
  );
  for (const [bin, pairs] of bins.getRows()) histogram[Number(bin)] += Number(pairs);
  const { prior, shift } = fitPrior(model, histogram, space);
  await executor.shiftWeights(shift);
  return { ...model, prior };
}
