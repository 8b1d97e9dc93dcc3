import type { FellegiSunterModel } from '@mpi/scoring';
import { buildLinkagePlan, DuckDbExecutor, type DuckDbOptions, type LinkagePlan, type SqlRunSummary, type TermFrequencyColumns } from '@mpi/sql';
import { clusterPairs, numberGroups, thresholdWeight, type Clustering } from '../cluster/cluster.js';
import { SettingsError } from '../errors.js';
import type { RecordTable } from '../read/record-table.js';
import { DEFAULTS, validateSettings } from '../settings/settings.js';
import { chooseBlockingRules } from './block.js';
import { identityIdsOf } from './cluster.js';
import { termFrequencyInputs } from './explain.js';
import { readRecords } from './read.js';
import type { LinkOptions } from './types.js';

/** Options of {@link linkInDuckDb}: link()'s, with the trained model to apply and DuckDB's settings. */
export interface SqlLinkOptions extends Omit<LinkOptions, 'model'> {
  /** The trained model the plan applies (train with link(), save with serializeModel). */
  readonly model: FellegiSunterModel;
  readonly duckdb?: DuckDbOptions;
}

/** What a run in DuckDB gives: the records, their identity groups, and the run's figures. */
export interface SqlLinkResult {
  readonly table: RecordTable;
  readonly plan: LinkagePlan;
  readonly clustering: Clustering;
  /** Identity id of each group, by group index (as link() names them). */
  readonly identityIds: string[];
  readonly run: SqlRunSummary;
  /** Scored pairs inside the components the average-linkage split clustered again. */
  readonly troubledPairs: number;
  /** Seconds: reading and normalizing, loading into DuckDB, the SQL job, the average-linkage split. */
  readonly seconds: { read: number; load: number; sql: number; cluster: number };
}

/**
 * Links the sources with a trained model in embedded DuckDB: records are read
 * and normalized by our own code and loaded in batches; blocking, comparison
 * vectors, match weights and connected components run as SQL (the plan of
 * buildLinkagePlan); the components holding a pair scored below the threshold
 * are split by the same average linkage as link(). Same groups and ids as
 * link() with the same model (test/sql-parity.test.ts).
 */
export async function linkInDuckDb(options: SqlLinkOptions): Promise<SqlLinkResult> {
  const clock = performance.now();
  const { table, plan, tf } = await planFor(options);
  const progress = options.onProgress ?? (() => {});
  const read = performance.now();
  const executor = await DuckDbExecutor.open(options.duckdb);
  try {
    await executor.loadRecords(table, plan, tf);
    const loaded = performance.now();
    const run = await executor.run(plan);
    progress({ stage: 'score', done: run.pairCount, total: run.pairCount });
    const labels = await executor.componentLabels(table.size);
    const troubled = await executor.pairs('troubled_pairs');
    const ran = performance.now();
    const clustering = numberGroups(table.size, splitTroubled(labels, troubled, plan.thresholdWeight));
    progress({ stage: 'cluster', done: table.size, total: table.size });
    const done = performance.now();
    return {
      table,
      plan,
      clustering,
      identityIds: identityIdsOf(table, clustering),
      run,
      troubledPairs: troubled.left.length,
      seconds: { read: (read - clock) / 1000, load: (loaded - read) / 1000, sql: (ran - loaded) / 1000, cluster: (done - ran) / 1000 },
    };
  } finally {
    executor.close();
  }
}

/** The records read and normalized, the plan for them, and each comparison's term frequencies. */
export interface PlannedRecords {
  readonly table: RecordTable;
  readonly plan: LinkagePlan;
  readonly tf: TermFrequencyColumns;
}

/**
 * Reads and normalizes the sources, and builds the plan of the model for them:
 * the blocking rules chosen for the data as link() chooses them (the settings',
 * else the defaults scaled to the data), the model's comparisons and weights.
 */
export async function planFor(options: SqlLinkOptions): Promise<PlannedRecords> {
  const settings = validateSettings(options.settings, { sources: options.sources.map((source) => source.name) });
  const mode = settings.mode ?? DEFAULTS.mode;
  const method = settings.clustering ?? DEFAULTS.clustering;
  const threshold = settings.threshold ?? DEFAULTS.threshold;
  const progress = options.onProgress ?? (() => {});
  const { model } = options;
  const table = await readRecords({ sources: options.sources, settings, threads: options.threads ?? 1, parallelBytes: options.parallelBytes, progress });
  for (const comparison of model.comparisons) {
    if (!(comparison.column in table.columns)) throw new SettingsError(`comparisons.${comparison.name}`, `field "${comparison.column}" is not in the record table`);
  }
  const chosen = chooseBlockingRules({ table, settings, mode, comparisons: model.comparisons, training: false, clusteringMethod: method, progress });
  const plan = buildLinkagePlan({ model, rules: chosen.rules.map((rule) => rule.rule), mode, threshold, thresholdWeight: thresholdWeight(threshold), clustering: method });
  const tf = termFrequencyInputs(table, model.comparisons).map((input) => input?.tf ?? null);
  return { table, plan, tf };
}

/**
 * The root of every row: its component's label, except in the components the
 * SQL found troubled, which are clustered again by clusterPairs' average
 * linkage on their own pairs (rows renumbered in ascending order, so its ties
 * fall as in link()); each part is rooted at its smallest row.
 */
function splitTroubled(labels: Uint32Array, troubled: { left: Uint32Array; right: Uint32Array; weight: Float64Array }, minWeight: number): Uint32Array {
  if (troubled.left.length === 0) return labels;
  const rows = [...new Set([...troubled.left, ...troubled.right])].sort((a, b) => a - b);
  const local = new Map<number, number>(rows.map((row, i) => [row, i]));
  const left = Uint32Array.from(troubled.left, (row) => local.get(row)!);
  const right = Uint32Array.from(troubled.right, (row) => local.get(row)!);
  const parts = clusterPairs(rows.length, [{ left, right }], [troubled.weight], minWeight, { method: 'averageLinkage' });
  const roots = labels.slice();
  // members of each part ascend, so the first is the part's smallest row.
  for (let g = 0; g < parts.groupCount; g++) {
    const smallest = rows[parts.members[parts.start[g]]];
    for (let k = parts.start[g]; k < parts.start[g + 1]; k++) roots[rows[parts.members[k]]] = smallest;
  }
  return roots;
}
