import { ComparisonPool, type Comparison, type FellegiSunterModel } from '@mpi/scoring';
import type { DuckDbExecutor, LinkagePlan } from '@mpi/sql';
import type { LinkMode } from '@mpi/types';
import type { RecordTable } from '../read/record-table.js';
import { DEFAULTS, defaultUSampleSize, type Settings } from '../settings/settings.js';
import { consistentPrior } from './consistent-prior.js';
import type { Prepared } from './link-sql.js';
import { trainingSetup, trainOnCounts, type TrainingTable } from './train-counts.js';

/** What training in SQL starts from: the records loaded and compared by the executor with `plan`. */
export interface SqlTrainInput extends Omit<Prepared, 'tf' | 'table'> {
  readonly executor: DuckDbExecutor;
  /** The plan the pairs were compared with (its weights are placeholders). */
  readonly plan: LinkagePlan;
  readonly threads: number;
  /** What the training setup reads of the records: their field kinds, and a table to bind settings' trainingRules on. */
  readonly table: TrainingTable;
  readonly size: number;
  /** u from the seeded random pairs of `sampleSize` (the same u as link()). */
  readonly estimateU: (sampleSize: number) => Promise<number[][]>;
  /** The household share of the candidate pairs (householdShare). */
  readonly householdShare: () => Promise<number | undefined>;
  /** The candidate pairs' count. */
  readonly candidateCount: () => Promise<number>;
}

/** A model with the comparisons and m = u = 0.5: plans the blocking and comparison statements, which no weight changes. */
export function untrainedModel(comparisons: readonly Comparison[]): FellegiSunterModel {
  const half = comparisons.map((c) => c.levels.map(() => 0.5));
  return { version: 1, comparisons: [...comparisons], m: half, u: half.map((levels) => [...levels]), prior: 0.5, training: { sessions: [], candidateLambda: 0 } };
}

/**
 * Trains the model as the train stage of link() does, on what SQL returns: the
 * pattern counts of all candidate pairs and of each training rule's pairs
 * (EM runs on these counts), u from the same random pairs (compared by our
 * kernels on one worker: the sample is seeded, so the same u), the household
 * share of the candidate pairs, and the prior made consistent with the scores.
 */
export async function trainInSql(input: SqlTrainInput): Promise<FellegiSunterModel> {
  const { executor, table, settings, chosen, plan } = input;
  const sampleSize = settings.uSampleSize ?? defaultUSampleSize(input.size);
  const setup = trainingSetup({ table, settings, chosen, comparisons: input.comparisons, u: await input.estimateU(sampleSize), uSampleSize: sampleSize });
  const sessions = [];
  for (const session of setup.sessions) sessions.push(await executor.patternCounts(plan, session.rule));
  const share = setup.withoutHouseholdGroup === undefined ? undefined : await input.householdShare();
  const trained = trainOnCounts(setup, { all: await executor.patternCounts(plan), sessions, candidateCount: await input.candidateCount(), share });
  // The prior consistent with the scores, as link() fits it: the trained model's weights first.
  await executor.run(input.planOf(trained), { compared: true });
  const { weight } = await executor.pairs('scored_pairs');
  return consistentPrior(trained, [weight], chosen.space);
}

/** u from the seeded random pairs, compared by our kernels on one worker (the sample is seeded: the same u as link()). */
export async function estimateU(table: RecordTable, comparisons: readonly Comparison[], mode: LinkMode, settings: Settings, sampleSize: number): Promise<number[][]> {
  const pool = new ComparisonPool({ threads: 1 });
  try {
    pool.load(table, comparisons);
    return await pool.estimateU({ mode, sampleSize, seed: settings.seed ?? DEFAULTS.seed });
  } finally {
    await pool.close();
  }
}
