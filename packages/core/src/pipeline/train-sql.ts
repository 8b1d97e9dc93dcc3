import { ComparisonPool, defaultParameters, trainModel, type Comparison, type FellegiSunterModel } from '@mpi/scoring';
import type { DuckDbExecutor, LinkagePlan } from '@mpi/sql';
import type { LinkMode } from '@mpi/types';
import { isHouseholdField } from '../defaults/field-kinds.js';
import { SettingsError } from '../errors.js';
import type { RecordTable } from '../read/record-table.js';
import { DEFAULTS, defaultUSampleSize, type Settings } from '../settings/settings.js';
import { trainingRules, type ChosenRules } from './block.js';
import { fitToHouseholds } from './compare.js';
import { consistentPrior } from './consistent-prior.js';
import { interactionCells } from './train.js';

/** What training in SQL starts from: the records loaded and compared by the executor with `plan`. */
export interface SqlTrainInput {
  readonly executor: DuckDbExecutor;
  readonly table: RecordTable;
  readonly settings: Settings;
  readonly mode: LinkMode;
  readonly chosen: ChosenRules;
  /** The plan the pairs were compared with (its weights are placeholders). */
  readonly plan: LinkagePlan;
  readonly comparisons: readonly Comparison[];
  /** Builds the plan of a model (the caller's threshold and clustering). */
  readonly planOf: (model: FellegiSunterModel) => LinkagePlan;
  readonly threads: number;
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
  const { executor, table, settings, mode, chosen, plan } = input;
  const sessionRules = trainingRules(settings, table, chosen.rules);
  const sessionIndex = sessionRules.map((rule) => chosen.rules.indexOf(rule));
  if (sessionIndex.some((index) => index < 0)) {
    throw new SettingsError('trainingRules', 'the SQL engine trains on the blocking rules only: leave trainingRules out, or train in process and give the model');
  }
  const pool = new ComparisonPool({ threads: 1 });
  let u: number[][];
  const sampleSize = settings.uSampleSize ?? defaultUSampleSize(table.size);
  try {
    pool.load(table, input.comparisons);
    u = await pool.estimateU({ mode, sampleSize, seed: settings.seed ?? DEFAULTS.seed });
  } finally {
    await pool.close();
  }
  const pairs = await executor.candidatePairs();
  const candidates = { count: pairs.left.length, chunks: [pairs], countsByRule: [] };
  const adaptable = settings.comparisons === undefined;
  const { comparisons } = fitToHouseholds(table, candidates, input.comparisons, adaptable);
  const all = await executor.patternCounts(plan);
  const sessions = [];
  for (const [s, rule] of sessionRules.entries()) {
    sessions.push({ name: rule.name, columns: rule.columns, patterns: await executor.patternCounts(plan, sessionIndex[s]) });
  }
  const trained = trainModel({
    comparisons,
    u,
    sessions,
    candidatePatterns: all,
    candidateCount: candidates.count,
    uSampleSize: sampleSize,
    totalPairs: chosen.space,
    em: settings.em,
    household: comparisons.map((comparison) => isHouseholdField(comparison.column, table.fieldKinds)),
    defaults: comparisons.map((comparison) => defaultParameters(table.fieldKinds.get(comparison.column), comparison)),
    interactionCells: interactionCells(comparisons, chosen.rules, table.fieldKinds),
  });
  // The prior consistent with the scores, as link() fits it: the trained model's weights first.
  await executor.run(input.planOf(trained), { compared: true });
  const { weight } = await executor.pairs('scored_pairs');
  return consistentPrior(trained, [weight], chosen.space);
}

