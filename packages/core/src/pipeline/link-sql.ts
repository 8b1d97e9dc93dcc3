import { parseModel, serializeModel, type Comparison, type FellegiSunterModel, type TermFrequencyInput } from '@mpi/scoring';
import { compileBlockingRule, type BlockingRule } from '@mpi/blocking';
import type { LinkMode } from '@mpi/types';
import { buildLinkagePlan, DuckDbExecutor, type DuckDbOptions, type LinkagePlan, type ScoredPairRows, type SqlRunSummary, type TermFrequencyColumns } from '@mpi/sql';
import { numberGroups, thresholdWeight, type Clustering } from '../cluster/cluster.js';
import { splitTroubled } from '../cluster/split-troubled.js';
import type { RecordTable } from '../read/record-table.js';
import { DEFAULTS, validateSettings, type Settings } from '../settings/settings.js';
import { chooseBlockingRules, type ChosenRules } from './block.js';
import { chooseComparisons } from './compare.js';
import { fitPriorInSql, trainInSql, untrainedModel } from './train-sql.js';
import { identityIdsOf } from './cluster.js';
import { termFrequencyInputs } from './explain.js';
import { readRecords } from './read.js';
import { loadStaged } from './streamed/load.js';
import { dropStaged, recordsOf, streamRecords, type StreamedRecords } from './streamed/prepare.js';
import type { StagedRecords } from './streamed/stage.js';
import type { TrainingTable } from './train-counts.js';
import { emptyTable } from './streamed/rule-counts.js';
import { identitiesInDuckDb, sourceOfRows } from './identities-in-duckdb.js';
import { estimateUInSql } from './streamed/training.js';
import type { BlockingSummary, LinkOptions } from './types.js';
import { runFingerprint } from './run-fingerprint.js';
import { readRunFlags, writeRunFlags } from './run-flags.js';

/** Options of {@link linkInDuckDb}: link()'s, with DuckDB's settings. */
export interface SqlLinkOptions extends Omit<LinkOptions, 'model'> {
  /** A trained model to apply (train with link(), save with serializeModel); without one the model is trained on what SQL counts. */
  readonly model?: FellegiSunterModel;
  readonly duckdb?: DuckDbOptions;
  /**
   * Called once the pairs are scored, before DuckDB closes (to write pairs.csv):
   * `pairs(minWeight)` reads the scored pairs at or above a match weight,
   * ordered by (left, right), in batches; `records` tells whose rows they are.
   */
  readonly withScoredPairs?: (pairs: (minWeight: number) => AsyncIterable<ScoredPairRows>, records: LinkedRecords) => Promise<void>;
  /** CSV bytes per part of the streamed read (default STREAM_PART_BYTES; tests lower it to read small files in several parts). */
  readonly streamPartBytes?: number;
  /**
   * Writes the outputs from DuckDB, before it closes: given, who each record
   * is (source, record id) stays in DuckDB and linkInDuckDb returns a
   * {@link SqlLinkSummary} (no record ids, no identity ids in memory); see
   * {@link RecordsInDuckDb} for the tables it is called with. Not with `withScoredPairs`.
   */
  readonly outputs?: (records: LinkedInDuckDb) => Promise<void>;
  /**
   * With `outputs`: keep each record's normalized values (`rid`, `dictv_k`)
   * in DuckDB until the outputs are written, for the report's sample pairs
   * (showValues); without it they are dropped once the plan's table is made.
   */
  readonly keepValues?: boolean;
  /**
   * Keeps the run's progress in its work database (`duckdb.path`, required,
   * with a `model` read from files): the load, each block of the candidate
   * pairs and of the comparison join, and the fitted prior are recorded in the
   * transaction that made them (RunProgress). If the run stops (a crash, a
   * kill, the machine going down), the same call on the same files goes on
   * from its last recorded step; a file holding another run's progress is
   * refused (WorkDatabaseError, code WORK_DATABASE_MISMATCH). The caller
   * removes the file once the run succeeded.
   */
  readonly resumable?: boolean;
  /** With `resumable`: called when the work database holds the run's progress, with the steps an earlier process recorded (before any is skipped). */
  readonly onResume?: (recorded: readonly string[]) => void;
}

/** The records as a run in DuckDB counts them: how many, the sources, and what the read flagged and warned of. */
export type LinkedCounts = Pick<RecordTable, 'size' | 'sources' | 'flags' | 'warnings'>;

/**
 * The records as the outputs need them: which source, row and record id each
 * row is, not what it holds (the values live in DuckDB only).
 */
export type LinkedRecords = LinkedCounts & Pick<RecordTable, 'source' | 'recordIds' | 'rows'>;

/**
 * What the `outputs` of {@link SqlLinkOptions} are written from, while DuckDB is
 * open: its tables `who` ("row", "source", src_row, record_id: each record in
 * canonical order), `source_names` ("source", name), `identity_groups` ("row",
 * grp) and `identity_ids` (grp, identity_id: as link() names the groups), and
 * `scored_pairs` (left_row, right_row, rule, match_weight).
 */
export interface RecordsInDuckDb {
  readonly executor: DuckDbExecutor;
  readonly records: LinkedCounts;
  /** The link threshold as a match probability (what the pairs file keeps by default). */
  readonly threshold: number;
}

/** What `outputs` is called with: the tables of {@link RecordsInDuckDb}, and the run's figures the report shows. */
export interface LinkedInDuckDb extends RecordsInDuckDb {
  /** The model applied: the one given, or the one trained. */
  readonly model: FellegiSunterModel;
  /** Identity groups the records make. */
  readonly groups: number;
  /** Candidate pairs per blocking rule (those no earlier rule made), in all, and the pairs of the comparison space. */
  readonly blocking: Pick<BlockingSummary, 'rules' | 'candidatePairs' | 'totalPairs' | 'reductionRatio'>;
  /**
   * With `keepValues`: the fields in table order; field k's value of a record
   * is `dictv_k.value` of the id in column `c{k}` of `rid` ("row", c0, c1, ...),
   * NULL when missing.
   */
  readonly fields?: readonly string[];
}

/**
 * What a run in DuckDB gives when its outputs are written from DuckDB (the
 * `outputs` option): the record counts, the identity groups (the clustering:
 * typed arrays, about 12 bytes a record), and the run's figures. Who each
 * record is and the identity ids are not read into memory: 50M records' ids
 * would take about 4.5 GB of our process.
 */
export interface SqlLinkSummary {
  readonly table: LinkedCounts;
  readonly plan: LinkagePlan;
  /** The model applied: the one given, or the one trained. */
  readonly model: FellegiSunterModel;
  readonly clustering: Clustering;
  readonly run: SqlRunSummary;
  /** Scored pairs inside the components the average-linkage split clustered again. */
  readonly troubledPairs: number;
  /** Seconds: reading into DuckDB (with the placeholders, rule counts and term frequencies counted there), making the records table the plan reads, the SQL job (training included), the average-linkage split, the outputs written by DuckDB (0 without `outputs`). A resumed run gives the read and load of the process that did them, and the rest of its own. */
  readonly seconds: { read: number; load: number; sql: number; cluster: number; write: number };
  /** With `resumable`, when an earlier process had begun the run: the steps it had recorded, which this one skipped. */
  readonly resumedAfter?: readonly string[];
}

/**
 * What a run in DuckDB gives without the `outputs` option: the summary, with
 * who each record is and the identity ids read into memory (about 90 MiB per
 * million records), for writeGroupsCsv and callers that look records up.
 */
export interface SqlLinkResult extends SqlLinkSummary {
  readonly table: LinkedRecords;
  /** Identity id of each group, by group index (as link() names them). */
  readonly identityIds: string[];
}

/** The records read and normalized, the blocking rules chosen for them, and how to plan a model for them. */
export interface Prepared {
  readonly table: RecordTable;
  readonly settings: Settings;
  readonly mode: LinkMode;
  readonly chosen: ChosenRules;
  readonly comparisons: readonly Comparison[];
  readonly planOf: (model: FellegiSunterModel) => LinkagePlan;
  readonly tf: TermFrequencyColumns;
}

/**
 * Reads and normalizes the sources and chooses the blocking rules as link()
 * does (the settings', else the defaults scaled to the data); the comparisons
 * are the model's, else the settings', else the defaults for the field kinds.
 */
export async function prepare(options: SqlLinkOptions): Promise<Prepared> {
  const settings = validateSettings(options.settings, { sources: options.sources.map((source) => source.name) });
  const mode = settings.mode ?? DEFAULTS.mode;
  const method = settings.clustering ?? DEFAULTS.clustering;
  const threshold = settings.threshold ?? DEFAULTS.threshold;
  const progress = options.onProgress ?? (() => {});
  const table = await readRecords({ sources: options.sources, settings, threads: options.threads ?? 1, parallelBytes: options.parallelBytes, progress });
  const comparisons = chooseComparisons(table, settings, options.model);
  const chosen = chooseBlockingRules({ table, settings, mode, comparisons, training: options.model === undefined, clusteringMethod: method, progress });
  const rules = chosen.rules.map((rule) => rule.rule);
  const planOf = (model: FellegiSunterModel) => buildLinkagePlan({ model, rules, mode, threshold, thresholdWeight: thresholdWeight(threshold), clustering: method });
  const tf = termFrequencyInputs(table, comparisons).map((input, c) => (input === null ? null : tfBySlot(table, comparisons[c], input)));
  return { table, settings, mode, chosen, comparisons, planOf, tf };
}

/**
 * The term frequencies of a comparison by value column, indexed by that
 * column's dictionary ids (the SQL reads them per record and value column):
 * each record's value there takes the frequency of its id in the comparison's
 * one id space over all its value columns (TermFrequencyInput).
 */
function tfBySlot(table: RecordTable, comparison: Comparison, input: TermFrequencyInput): Float64Array[] {
  const columns = [comparison.column, ...(comparison.valueColumns ?? [])];
  return columns.map((name, slot) => {
    const { dictionary, ids } = table.columns[name];
    const shared = slot === 0 ? input.ids : input.slots![slot - 1];
    const tf = new Float64Array(dictionary.length);
    for (let r = 0; r < ids.length; r++) if (ids[r] !== 0) tf[ids[r]] = input.tf[shared[r]];
    return tf;
  });
}

/**
 * Links the sources in embedded DuckDB: records are read and normalized by our
 * own code in parts and streamed into DuckDB, never held as a record table
 * (docs/sql-engine.md, "Reading, streamed"; the placeholders, term
 * frequencies and blocking rules counted in SQL and decided by the in-process
 * code); blocking, comparison vectors, match weights
 * and connected components run as SQL (the plan of buildLinkagePlan); without a
 * model, it is trained on the counts SQL returns (see trainInSql); the
 * components holding a pair scored below the threshold are split by the same
 * average linkage as link(). Same groups and ids as link() with the same model
 * (test/sql-parity.test.ts). With `outputs`, the outputs are written from
 * DuckDB's tables and who each record is never comes into our process.
 */
export async function linkInDuckDb(options: SqlLinkOptions & { readonly outputs: (records: LinkedInDuckDb) => Promise<void> }): Promise<SqlLinkSummary>;
export async function linkInDuckDb(options: SqlLinkOptions): Promise<SqlLinkResult>;
export async function linkInDuckDb(options: SqlLinkOptions): Promise<SqlLinkSummary | SqlLinkResult> {
  if (options.outputs !== undefined && options.withScoredPairs !== undefined) throw new RangeError('linkInDuckDb: outputs and withScoredPairs are two ways of writing the pairs; give one');
  if (options.resumable === true && options.model === undefined) throw new RangeError('linkInDuckDb: a resumable run applies a model (give `model`); a run that trains is not resumable');
  let clock = performance.now();
  const progress = options.onProgress ?? (() => {});
  const blockProgress = options.duckdb?.onBlocks;
  const executor = await DuckDbExecutor.open({
    ...options.duckdb,
    ...(options.resumable === true ? { resumable: { fingerprint: await runFingerprint(options) } } : {}),
    // The blocked statements report as the in-process stages do: the candidate pairs by records (block), the comparison join by its blocks (compare).
    onBlocks: (event) => {
      blockProgress?.(event);
      progress({ stage: event.step === 'candidate pairs' ? 'block' : 'compare', done: event.done, total: event.total });
    },
  });
  try {
    const recorded = executor.progress?.recorded() ?? [];
    if (executor.progress?.resumed === true) options.onResume?.(recorded);
    const resumed = executor.progress?.get<LoadedRun>(LOADED_STEP);
    let known: Known;
    let loadedRun: LoadedRun;
    let read: number;
    let loaded: number;
    let run: SqlRunSummary | undefined;
    let given = options.model;
    if (resumed !== undefined) {
      // The read and load were done by an earlier process: the clock is set back by their seconds, so the summary tells them.
      loadedRun = resumed;
      loaded = performance.now();
      read = loaded - resumed.seconds.load * 1000;
      clock = read - resumed.seconds.read * 1000;
      const who = options.outputs === undefined ? await recordsOf(executor.connection, resumed.size) : {};
      known = { size: resumed.size, sources: resumed.sources, flags: await readRunFlags(executor.connection), warnings: resumed.warnings, ...who };
      progress({ stage: 'read', done: resumed.size, total: resumed.size });
    } else {
      // A run that had not finished its load starts over (the tables of its read are half made).
      await executor.progress?.dropWorkTables();
      const into = await readIntoDuckDb(executor, options, async (staged): Promise<{ known: Known; read: number }> => {
        // With outputs written by DuckDB who each record is stays there (the trainer's u sample reads each row's source alone).
        const who = options.outputs === undefined ? await recordsOf(executor.connection, staged.size) : {};
        progress({ stage: 'read', done: staged.size, total: staged.size });
        return { known: { size: staged.size, sources: staged.sources, ...who, flags: staged.flags, warnings: staged.warnings }, read: performance.now() };
      });
      const { streamed } = into;
      const { staged, comparisons, space } = streamed;
      const keep = { values: options.keepValues === true && options.outputs !== undefined };
      ({ known, read } = into.staged);
      loaded = performance.now();
      if (given === undefined) {
        const training = trainingOf(executor, into, known.source);
        given = await trainInSql({
          executor,
          settings: into.settings,
          chosen: training.chosen,
          comparisons,
          plan: into.planOf(untrainedModel(comparisons)),
          planOf: into.planOf,
          table: training.table,
          columns: staged.columns,
          size: staged.size,
          estimateU: training.estimateU,
        });
        await dropStaged(executor.connection, staged, comparisons.length, keep);
        // Training left the candidate pairs scored with the model: links and components from them.
        run = await executor.linkScored(into.planOf(given), { release: true });
      } else {
        // DuckDB holds what the plan reads: the staged tables go before the joins run.
        await dropStaged(executor.connection, staged, comparisons.length, keep);
        loaded = performance.now();
      }
      loadedRun = {
        size: known.size,
        sources: known.sources,
        warnings: known.warnings,
        rules: streamed.choice.rules,
        space,
        fields: [...staged.fieldKinds.keys()],
        seconds: { read: (read - clock) / 1000, load: (loaded - read) / 1000 },
      };
      const record = loadedRun;
      const flags = known.flags;
      if (run === undefined) await executor.checkpointed(LOADED_STEP, async () => (await writeRunFlags(executor.connection, flags), record));
    }
    const settings = validateSettings(options.settings, { sources: options.sources.map((source) => source.name) });
    const threshold = settings.threshold ?? DEFAULTS.threshold;
    const planOf = planOfRules(settings, loadedRun.rules);
    const { space } = loadedRun;
    if (run === undefined) {
      if (options.refitPrior === true) {
        // Scored with the given prior, then shifted to the one fitted to these records (as after training): the shift and its record in one transaction.
        const fitted = executor.progress?.get<FittedPrior>(PRIOR_STEP);
        if (fitted === undefined) await executor.scorePairs(planOf(given!));
        const model = given!;
        const record = fitted ?? (await executor.checkpointed(PRIOR_STEP, async (): Promise<FittedPrior> => ({ model: serializeModel(await fitPriorInSql(executor, model, space)) })));
        given = parseModel(record.model);
        run = await executor.linkScored(planOf(given), { release: true });
      } else {
        run = await executor.run(planOf(given!), { release: true });
      }
    }
    const fields = options.keepValues === true && options.outputs !== undefined ? loadedRun.fields : undefined;
    const resumedAfter = executor.progress?.resumed === true ? { resumedAfter: recorded } : {};
    return await finish(options, executor, { records: known, plan: planOf(given!), model: given!, threshold, run, space, fields, clock, read, loaded, ...resumedAfter });
  } finally {
    executor.close();
  }
}

/** The progress step of a resumable run once `records` is loaded and the staged tables dropped. */
const LOADED_STEP = 'records loaded';

/** The progress step of a resumable run once the scored pairs are shifted to the fitted prior. */
const PRIOR_STEP = 'prior fitted';

/**
 * What a resumable run records once its records are loaded: all it knows of
 * them that is not in DuckDB (counts, column warnings, the rules chosen), to go
 * on without reading them again; the value flags go to a table (writeRunFlags).
 */
interface LoadedRun {
  readonly size: number;
  readonly sources: readonly string[];
  readonly warnings: LinkedCounts['warnings'];
  readonly rules: readonly BlockingRule[];
  readonly space: number;
  /** The fields in table order (LinkedInDuckDb.fields). */
  readonly fields: readonly string[];
  readonly seconds: { readonly read: number; readonly load: number };
}

/** What a resumable run records once the prior is fitted: the model with it (serializeModel). */
interface FittedPrior {
  readonly model: string;
}

/** The plan of a model with the rules chosen for the records (as readIntoDuckDb's planOf). */
function planOfRules(settings: Settings, rules: readonly BlockingRule[]): (model: FellegiSunterModel) => LinkagePlan {
  const mode = settings.mode ?? DEFAULTS.mode;
  const method = settings.clustering ?? DEFAULTS.clustering;
  const threshold = settings.threshold ?? DEFAULTS.threshold;
  return (model) => buildLinkagePlan({ model, rules: [...rules], mode, threshold, thresholdWeight: thresholdWeight(threshold), clustering: method });
}

/** The sources read into DuckDB by the streamed read, and `records` loaded there for the model's plan (the untrained one's without a model). */
export interface InDuckDb {
  readonly settings: Settings;
  readonly mode: LinkMode;
  readonly threshold: number;
  readonly streamed: StreamedRecords;
  readonly planOf: (model: FellegiSunterModel) => LinkagePlan;
}

/**
 * Reads the sources into `executor` by the streamed read (streamRecords: the
 * record table is never made) and loads `records`, the table the plan reads;
 * `who` and the staged tables stay (dropStaged). `staged` is called once the
 * records are staged, before `records` is loaded; what it gives is returned as `staged`.
 */
export async function readIntoDuckDb<T>(executor: DuckDbExecutor, options: SqlLinkOptions, staged: (records: StagedRecords) => Promise<T>): Promise<InDuckDb & { readonly staged: T }> {
  const settings = validateSettings(options.settings, { sources: options.sources.map((source) => source.name) });
  const mode = settings.mode ?? DEFAULTS.mode;
  const method = settings.clustering ?? DEFAULTS.clustering;
  const threshold = settings.threshold ?? DEFAULTS.threshold;
  const writer = await executor.connect();
  try {
    const streamed = await streamRecords(executor, writer, { sources: options.sources, settings, mode, clusteringMethod: method, model: options.model, stage: { partBytes: options.streamPartBytes, threads: options.threads } });
    const planOf = planOfRules(settings, streamed.choice.rules);
    const done = await staged(streamed.staged);
    await loadStaged(executor, writer, streamed.staged, planOf(options.model ?? untrainedModel(streamed.comparisons)));
    return { settings, mode, threshold, streamed, planOf, staged: done };
  } finally {
    writer.closeSync();
  }
}

/**
 * What training without a model reads of records in DuckDB (before dropStaged):
 * the blocking rules bound to a table without values, the field kinds, and u
 * from the seeded random pairs (estimateUInSql); `source`: each row's source, read from `who` when not given.
 */
export function trainingOf(executor: DuckDbExecutor, into: InDuckDb, source?: Uint16Array): { chosen: ChosenRules; table: TrainingTable; estimateU: (sampleSize: number) => Promise<number[][]> } {
  const { settings, mode } = into;
  const { staged, comparisons, choice, space } = into.streamed;
  const empty = emptyTable(staged.columns);
  return {
    chosen: { rules: choice.rules.map((rule) => compileBlockingRule(empty, rule)), expectedTruePairs: choice.expectedTruePairs, space, budgetFor: choice.budgetFor },
    table: { ...empty, fieldKinds: staged.fieldKinds },
    estimateU: async (sampleSize) =>
      estimateUInSql(executor.connection, staged, source ?? (await sourceOfRows(executor.connection, staged.size)), comparisons, { mode, sampleSize, seed: settings.seed ?? DEFAULTS.seed }),
  };
}

/** What a run knows of the records: the counts, and who each record is unless that stays in DuckDB. */
type Known = LinkedCounts & Partial<LinkedRecords>;

/** The last steps of a DuckDB link, once the pairs are scored: components, the split, groups and ids, and the outputs. */
async function finish(
  options: SqlLinkOptions,
  executor: DuckDbExecutor,
  done: { records: Known; plan: LinkagePlan; model: FellegiSunterModel; threshold: number; run: SqlRunSummary; space: number; fields?: readonly string[]; clock: number; read: number; loaded: number; resumedAfter?: readonly string[] },
): Promise<SqlLinkSummary | SqlLinkResult> {
  const { records, plan, model, threshold, run, space, clock, read, loaded } = done;
  const progress = options.onProgress ?? (() => {});
  progress({ stage: 'score', done: run.pairCount, total: run.pairCount });
  const labels = await executor.componentLabels(records.size);
  const troubled = await executor.pairs('troubled_pairs');
  if (options.withScoredPairs) await options.withScoredPairs((minWeight) => executor.scoredPairBatches(minWeight), records as LinkedRecords);
  const ran = performance.now();
  const clustering = numberGroups(records.size, splitTroubled(labels, troubled, plan.thresholdWeight));
  progress({ stage: 'cluster', done: records.size, total: records.size });
  const end = performance.now();
  const table: LinkedCounts = { size: records.size, sources: records.sources, flags: records.flags, warnings: records.warnings };
  if (options.outputs !== undefined) {
    await identitiesInDuckDb(executor, records.sources, clustering);
    const blocking = {
      rules: plan.blocking.map((rule, i) => ({ name: rule.name, pairs: run.countsByRule[i] })),
      candidatePairs: run.pairCount,
      totalPairs: space,
      reductionRatio: space === 0 ? 1 : 1 - run.pairCount / space,
    };
    await options.outputs({ executor, records: table, threshold, model, groups: clustering.groupCount, blocking, ...(done.fields ? { fields: done.fields } : {}) });
  }
  const written = performance.now();
  const seconds = { read: (read - clock) / 1000, load: (loaded - read) / 1000, sql: (ran - loaded) / 1000, cluster: (end - ran) / 1000, write: (written - end) / 1000 };
  const summary: SqlLinkSummary = { table, plan, model, clustering, run, troubledPairs: troubled.left.length, seconds, ...(done.resumedAfter === undefined ? {} : { resumedAfter: done.resumedAfter }) };
  if (options.outputs !== undefined) return summary;
  return { ...summary, table: records as LinkedRecords, identityIds: identityIdsOf(records as LinkedRecords, clustering) };
}

/** The records read and normalized, the plan of a model for them, and each comparison's term frequencies. */
export interface PlannedRecords {
  readonly table: RecordTable;
  readonly plan: LinkagePlan;
  readonly tf: TermFrequencyColumns;
}

/** Reads and normalizes the sources, and builds the plan of the model for them (see linkInDuckDb). */
export async function planFor(options: SqlLinkOptions & { readonly model: FellegiSunterModel }): Promise<PlannedRecords> {
  const { table, planOf, tf } = await prepare(options);
  return { table, plan: planOf(options.model), tf };
}
