import { totalmem } from 'node:os';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { EncodedTable } from '@mpi/types';
import { DUCKDB } from '../dialects.js';
import { SqlEngineError } from '../errors.js';
import { appendColumns, type Cell } from './chunk-append.js';
import { profiled, type StatementProfile } from './statement-profile.js';
import type { Feature } from '../plan/expression.js';
import { featureColumn, type LinkagePlan, type PlanKeyPart } from '../plan/plan.js';
import { valueFeature, valueKey } from '../record-features.js';
import { candidatePairsBlockSql, comparisonBlockSql, dropRuleKeysSql, pairCountsBlockSql, renderJob, ruleKeysSql, rulePairCountSql, rulePairsBlockSql, scoredBlockSql, trainingCountsOfPairCountsSql, type PairBlock, type SqlStatement, type TrainingCountsOptions } from '../render-sql.js';
import { readColumns, type ExportColumn, type ExportFile } from '../cluster-exports.js';
import { firstLeftRows, nextLeftRows, pairBlocks, recordsPerBlock, rulePairsPerBlock } from './pair-blocks.js';
import { sqlString } from './csv-lines.js';
import { guardedConnection } from './guarded-connection.js';
import { RunProgress } from './run-progress.js';
import { completeChunks, eachChunk } from './complete-stream.js';

/** Options of the embedded DuckDB engine. */
export interface DuckDbOptions {
  /** Database file; default in memory (DuckDB still spills to `tempDirectory` past `memoryLimit`). */
  readonly path?: string;
  /** DuckDB's memory_limit, e.g. '2GB'; default DEFAULT_MEMORY_SHARE of the machine's memory. */
  readonly memoryLimit?: string;
  /** Where DuckDB spills what does not fit in memory_limit. */
  readonly tempDirectory?: string;
  /**
   * DuckDB's max_temp_directory_size, e.g. '20GB': past it the run fails instead of
   * spilling on (DuckDB's default is 90% of the free disk; 10M records with a 2 GB
   * memory limit spilled past 50 GB, docs/sql-engine.md).
   */
  readonly maxTempDirectorySize?: string;
  /** DuckDB's worker threads. */
  readonly threads?: number;
  /**
   * Records per block of the comparison join (the pairs are compared block by
   * block, left rows of one block with right rows of another); default from
   * memory_limit (recordsPerBlock).
   */
  readonly blockRecords?: number;
  /**
   * Rule pairs (every rule's pairs before each pair is kept once) a block of
   * the candidate pairs is planned to hold: the candidate pairs are made block
   * by block of left rows; default from memory_limit (rulePairsPerBlock).
   */
  readonly blockRulePairs?: number;
  /**
   * Called as the blocked statements advance: the candidate pairs by left rows
   * (`done` of `total` records), the comparison join by blocks (`done` of
   * `total` blocks). For progress of long runs; never given record values.
   */
  readonly onBlocks?: (event: BlockProgress) => void;
  /**
   * Called after each statement of the job with its time, and DuckDB's peak
   * memory and spill while it ran (sampled on a second connection; for
   * measuring where a run's memory and disk go).
   */
  readonly onStatement?: (profile: StatementProfile) => void;
  /**
   * Keeps the run's progress in the database file (`path`, required), each
   * block of the candidate pairs and of the comparison join recorded in the
   * transaction that made it (RunProgress): a file already holding the
   * progress of the run with this fingerprint goes on from its last finished
   * block; one holding anything else is refused (WorkDatabaseError).
   */
  readonly resumable?: { readonly fingerprint: string };
}

/** How far the blocked statements of a run are (DuckDbOptions.onBlocks). */
export interface BlockProgress {
  readonly step: 'candidate pairs' | 'comparison join';
  readonly done: number;
  readonly total: number;
}

/**
 * DuckDB's memory_limit, as a share of the machine's memory, when none is
 * given. DuckDB's own default (80%) leaves too little for our process beside it
 * (the record ids and groups it keeps, Node's heap); past the limit DuckDB
 * spills its joins and sorts to the temporary directory.
 */
export const DEFAULT_MEMORY_SHARE = 0.5;

/**
 * Per comparison (plan order), null without term frequencies, else per value
 * column (PlanComparison.valueColumns) the term frequency of each dictionary id of that column.
 */
export type TermFrequencyColumns = readonly (readonly Float64Array[] | null)[];

/** Scored pairs read back, ordered by (left, right). */
export interface ScoredPairRows {
  readonly left: Uint32Array;
  readonly right: Uint32Array;
  readonly weight: Float64Array;
  readonly rule: Uint32Array;
}

/** What a run of the plan produced. */
export interface SqlRunSummary {
  readonly pairCount: number;
  /** Pairs each rule contributed that no earlier rule made. */
  readonly countsByRule: number[];
  /** Rounds of label propagation until no label changed. */
  readonly rounds: number;
}

function sqlType(feature: Feature): string {
  switch (feature) {
    case 'value':
    case 'metaphonePrimary':
    case 'metaphoneSecondary':
      return 'VARCHAR';
    case 'tokens':
      return 'VARCHAR[]';
    case 'nicknames':
      return 'INTEGER[]';
    default:
      return 'INTEGER';
  }
}

/** Appends distinct values of one plan column to its dictionary table (see DuckDbExecutor.dictionaryWriter). */
export interface DictionaryWriter {
  /** Term-frequency columns of the table: `tfOf(t, row)` is asked for t below this. */
  readonly termFrequencySlots: number;
  /** Appends `count` rows: each one's dictionary id, normalized value, and term frequency per slot. */
  append(count: number, idOf: (row: number) => number, valueOf: (row: number) => string, tfOf: (slot: number, row: number) => number | null): void;
  close(): void;
}

const SHIFT_STEP = 'match weights shifted by the change of prior weight';

/** The progress step of the candidate pairs (RunProgress). */
const CANDIDATE_PAIRS_STEP = 'candidate pairs';

/** How far the candidate pairs are: made for left rows below `from`, the next block `rows` long; or `done`. */
interface CandidatePairsProgress {
  readonly from?: number;
  readonly rows?: number;
  readonly done?: boolean;
}

/** How far a comparison join is: its first `done` blocks of pairBlocks(size, perBlock). */
interface JoinProgress {
  readonly size: number;
  readonly perBlock: number;
  readonly done: number;
}

/** Executors whose connection is open, for interruptOpenExecutors(). */
const openExecutors = new Set<DuckDbExecutor>();

/**
 * Interrupts the statement every open executor is running. A signal handler
 * calls it before exiting: process.exit waits for a running DuckDB statement to
 * end (minutes for a join at 10M records), so without it SIGTERM or Ctrl-C
 * seemed to be ignored until the statement finished.
 */
export function interruptOpenExecutors(): void {
  for (const executor of openExecutors) executor.connection.interrupt();
}

/**
 * Runs a linkage plan in embedded DuckDB: the records (normalized by our own
 * code) are appended in batches with their precomputed feature and key columns,
 * then blocking, comparison, scoring and label propagation run as SQL.
 */
export class DuckDbExecutor {
  private constructor(
    private readonly instance: DuckDBInstance,
    /**
     * Every failure of a call on it, or on a result or appender it made, is a
     * SqlEngineError without DuckDB's message (guardedConnection): DuckDB quotes
     * the values it could not handle.
     */
    readonly connection: DuckDBConnection,
    /** With onStatement: the connection that samples memory and spill while a statement runs. */
    private readonly monitor?: { connection: DuckDBConnection; report: (profile: StatementProfile) => void },
    private readonly blockRecords?: number,
    private readonly blockRulePairs?: number,
    private readonly onBlocks: (event: BlockProgress) => void = () => {},
    /** With `resumable`: the run's finished steps, kept in the database. */
    readonly progress?: RunProgress,
  ) {}

  static async open(options: DuckDbOptions = {}): Promise<DuckDbExecutor> {
    const config: Record<string, string> = {};
    config.memory_limit = options.memoryLimit ?? `${Math.floor((totalmem() * DEFAULT_MEMORY_SHARE) / 2 ** 20)}MiB`;
    if (options.tempDirectory !== undefined) config.temp_directory = options.tempDirectory;
    if (options.maxTempDirectorySize !== undefined) config.max_temp_directory_size = options.maxTempDirectorySize;
    if (options.threads !== undefined) config.threads = String(options.threads);
    // Insertion order is not needed: every result that matters is ordered by row explicitly.
    config.preserve_insertion_order = 'false';
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(options.path ?? ':memory:', config);
    } catch (error) {
      throw new SqlEngineError('opening the database', error);
    }
    if (options.resumable !== undefined && options.path === undefined) throw new RangeError('DuckDbExecutor: a resumable run keeps its progress in a database file: give `path`');
    const monitor = options.onStatement === undefined ? undefined : { connection: await instance.connect(), report: options.onStatement };
    const connection = guardedConnection(await instance.connect());
    let progress: RunProgress | undefined;
    try {
      progress = options.resumable === undefined ? undefined : await RunProgress.open(connection, options.resumable.fingerprint, options.path!);
    } catch (error) {
      monitor?.connection.closeSync();
      connection.closeSync();
      instance.closeSync();
      throw error;
    }
    const executor = new DuckDbExecutor(instance, connection, monitor, options.blockRecords, options.blockRulePairs, options.onBlocks, progress);
    openExecutors.add(executor);
    return executor;
  }

  /**
   * Loads the records table: per plan column a dictionary table (each distinct
   * value once, with its features, derived keys and term frequencies), per record
   * the value ids, then `records` joined from them in SQL.
   */
  async loadRecords(table: EncodedTable, plan: LinkagePlan, tf: TermFrequencyColumns): Promise<void> {
    const c = this.connection;
    const columns = plan.columns;
    for (const [i, column] of columns.entries()) {
      const dictionary = table.columns[column.name].dictionary;
      const tfs = tfSlots(plan, column.name);
      for (const { comparison } of tfs) if (!tf[comparison]) throw new RangeError(`comparison ${plan.comparisons[comparison].name} is term-frequency adjusted but has no term frequencies`);
      const writer = await this.dictionaryWriter(plan, i);
      // Dictionary id 0 is "missing": rows are ids 1..length-1.
      writer.append(dictionary.length - 1, (row) => row + 1, (row) => dictionary[row + 1], (t, row) => tf[tfs[t].comparison]![tfs[t].slot][row + 1]);
      writer.close();
    }

    await c.run(`CREATE OR REPLACE TABLE record_ids ("row" INTEGER, "source" INTEGER, ${columns.map((_, i) => `c${i} INTEGER`).join(', ')})`);
    const ids = columns.map((column) => table.columns[column.name].ids);
    const appender = await c.createAppender('record_ids');
    appendColumns(appender, table.size, (column, r) => {
      if (column === 0) return r;
      if (column === 1) return table.source[r];
      const id = ids[column - 2][r];
      return id === 0 ? null : id;
    });
    appender.closeSync();
    await this.joinRecords(plan);
  }

  /**
   * Creates `dict_i`, the dictionary table of plan column i: id, value, the
   * features, the derived blocking keys and the term frequencies the plan reads
   * of that column; the writer appends distinct values in batches, computing
   * the features and keys by our own code (valueFeature, valueKey). `via`: the
   * connection to append on (another one than a result being streamed from).
   */
  async dictionaryWriter(plan: LinkagePlan, i: number, via: DuckDBConnection = this.connection): Promise<DictionaryWriter> {
    const column = plan.columns[i];
    const features = column.features.filter((f) => f !== 'value');
    const keys = derivedKeys(plan, column.name);
    const tfs = tfSlots(plan, column.name);
    const fields = [
      'id INTEGER',
      '"value" VARCHAR',
      ...features.map((f) => `"${f}" ${sqlType(f)}`),
      ...keys.map((_, k) => `"key${k}" VARCHAR`),
      ...tfs.map((_, k) => `"tf${k}" DOUBLE`),
    ];
    await this.connection.run(`CREATE OR REPLACE TABLE dict_${i} (${fields.join(', ')})`);
    const appender = await via.createAppender(`dict_${i}`);
    return {
      termFrequencySlots: tfs.length,
      append(count, idOf, valueOf, tfOf) {
        // Cells by table column: id, value, the features, the derived keys, the term frequencies.
        const cellOf: ((row: number) => Cell)[] = [
          idOf,
          valueOf,
          ...features.map((feature) => (row: number) => valueFeature(valueOf(row), feature)),
          ...keys.map(({ transform }) => (row: number) => valueKey(valueOf(row), transform)),
          ...tfs.map((_, t) => (row: number) => tfOf(t, row)),
        ];
        appendColumns(appender, count, (cell, row) => cellOf[cell](row));
      },
      close: () => appender.closeSync(),
    };
  }

  /**
   * Makes `records` from `record_ids` ("row", "source", c_i: the value id of plan
   * column i or NULL) and the dictionary tables, then drops them.
   */
  async joinRecords(plan: LinkagePlan): Promise<void> {
    const c = this.connection;
    const columns = plan.columns;
    const select: string[] = ['r."row"', 'r."source"'];
    const joins: string[] = [];
    for (const [i, column] of columns.entries()) {
      joins.push(`LEFT JOIN dict_${i} d${i} ON d${i}.id = r.c${i}`);
      for (const feature of column.features) select.push(`d${i}."${feature}" AS ${DUCKDB.quote(featureColumn(column.name, feature))}`);
      derivedKeys(plan, column.name).forEach((part, k) => select.push(`d${i}."key${k}" AS ${DUCKDB.quote(part.keyColumn)}`));
      tfSlots(plan, column.name).forEach(({ name }, t) => select.push(`d${i}."tf${t}" AS ${DUCKDB.quote(name)}`));
    }
    await c.run(`CREATE OR REPLACE TABLE records AS SELECT ${select.join(', ')} FROM record_ids r ${joins.join(' ')}`);
    await c.run('DROP TABLE record_ids');
    for (let i = 0; i < columns.length; i++) await c.run(`DROP TABLE dict_${i}`);
  }

  /**
   * Another connection to the same database: appending on it while a result of
   * `connection` is streamed (running anything on a connection ends the result it streams).
   */
  async connect(): Promise<DuckDBConnection> {
    return guardedConnection(await this.instance.connect());
  }

  /** Runs the plan's blocking and comparison statements: candidate pairs and their comparison vectors kept as a table (to inspect the levels), no weights. */
  async compare(plan: LinkagePlan): Promise<void> {
    await this.makeCandidatePairs(plan);
    await this.runJoinBlocks('comparison_vectors', (block, first) => comparisonBlockSql(plan, DUCKDB, block, first));
  }

  /**
   * Makes `candidate_pairs` (each pair once, with its first rule and every
   * rule's bit) in blocks of left rows: per block every rule's pairs of those
   * rows into `rule_pairs`, grouped and appended, dropped. No statement holds
   * every rule's pairs of every record: at 50M records that global grouping
   * spilled past the 65 GB of free disk (docs/sql-engine.md). Each block is
   * sized from the rule pairs the last one made (nextLeftRows).
   */
  private async makeCandidatePairs(plan: LinkagePlan): Promise<void> {
    // A resumed run goes on after the last block of left rows it recorded (CandidatePairsProgress).
    const saved = this.progress?.get<CandidatePairsProgress>(CANDIDATE_PAIRS_STEP);
    if (saved?.done === true) return;
    if (plan.blocking.length === 0) {
      await this.checkpointed(CANDIDATE_PAIRS_STEP, async (): Promise<CandidatePairsProgress> => (await this.runAll(renderJob(plan, DUCKDB).pairs), { done: true }));
      return;
    }
    await this.runAll(ruleKeysSql(plan, DUCKDB));
    const { size, limit } = await this.recordsAndLimit();
    const budget = this.blockRulePairs ?? rulePairsPerBlock(limit);
    let rows: number;
    if (saved?.rows !== undefined) rows = saved.rows;
    else {
      let estimate = 0;
      for (const rule of plan.blocking) estimate += Number((await this.firstRow(rulePairCountSql(rule, DUCKDB)))[0]);
      rows = firstLeftRows(size, estimate, budget);
    }
    for (let from = saved?.from ?? 0, first = from === 0; first || from < size; first = false) {
      const to = Math.min(size, from + rows);
      // Every rule's pairs of the block (`rule_pairs`, a scratch table a resumed run makes again) are made outside
      // the block's transaction: it holds only the candidate pairs appended and their record.
      await this.runAll(rulePairsBlockSql(plan, DUCKDB, [from, to]));
      const made = Number((await this.firstRow('SELECT count(*) FROM rule_pairs'))[0]);
      const next = nextLeftRows(to - from, made, budget);
      await this.checkpointed(CANDIDATE_PAIRS_STEP, async (): Promise<CandidatePairsProgress> => (await this.runAll(candidatePairsBlockSql(plan, DUCKDB, first)), { from: to, rows: next }));
      rows = next;
      from = to;
      this.onBlocks({ step: 'candidate pairs', done: to, total: size });
    }
    await this.checkpointed(CANDIDATE_PAIRS_STEP, async () => (await this.runAll(dropRuleKeysSql(plan, DUCKDB)), { done: true }));
  }

  /**
   * Runs each block's statements of the comparison join into `table` (the
   * first block's create it), reporting each block done; a resumed run goes
   * on after the last block it recorded, with the blocks it planned then.
   */
  private async runJoinBlocks(table: string, statementsOf: (block: PairBlock, first: boolean) => readonly SqlStatement[]): Promise<void> {
    const step = `comparison join into ${table}`;
    const saved = this.progress?.get<JoinProgress>(step);
    const { size, perBlock } = saved ?? (await this.blockLayout());
    const blocks = pairBlocks(size, perBlock);
    for (let i = saved?.done ?? 0; i < blocks.length; i++) {
      await this.checkpointed(step, async (): Promise<JoinProgress> => (await this.runAll(statementsOf(blocks[i], i === 0)), { size, perBlock, done: i + 1 }));
      this.onBlocks({ step: 'comparison join', done: i + 1, total: blocks.length });
    }
  }

  /**
   * Runs `work` and, for a resumable run, records what it returns as the
   * progress of `step` in the same transaction: the work and its record are
   * both in the database or neither is. Without `resumable`, runs `work` alone.
   */
  async checkpointed<T>(step: string, work: () => Promise<T>): Promise<T> {
    const progress = this.progress;
    if (progress === undefined) return work();
    await this.connection.run('BEGIN TRANSACTION');
    let value: T;
    try {
      value = await work();
      await this.connection.run(progress.recordSql(step, value));
      await this.connection.run('COMMIT');
    } catch (error) {
      try {
        await this.connection.run('ROLLBACK');
      } catch {
        // The failure is the error to report; a transaction DuckDB already ended cannot be rolled back.
      }
      throw error;
    }
    progress.committed(step, value);
    return value;
  }

  /** The loaded records' count (rows 0..size-1) and DuckDB's memory_limit as it prints it: what the blocks are sized from. */
  private async recordsAndLimit(): Promise<{ size: number; limit: string }> {
    const [records, limit] = await this.firstRow(`SELECT coalesce(max("row") + 1, 0), current_setting('memory_limit') FROM records`);
    return { size: Number(records), limit: String(limit) };
  }

  /** How the comparison join of the loaded records is cut into blocks (pairBlocks). */
  private async blockLayout(): Promise<{ size: number; perBlock: number }> {
    const { size, limit } = await this.recordsAndLimit();
    return { size, perBlock: this.blockRecords ?? recordsPerBlock(limit) };
  }

  /**
   * Counts the candidate pairs for training into `training_counts`
   * (trainingCountsSql: by levels, term frequency and household flag, and each
   * EM session's pairs by levels) in the comparison join, block by block: no
   * comparison vectors are kept, and `candidate_pairs` stays for run(plan, { paired: true }).
   */
  async countForTraining(plan: LinkagePlan, options: TrainingCountsOptions): Promise<void> {
    await this.makeCandidatePairs(plan);
    await this.runJoinBlocks('pair_counts', (block, first) => pairCountsBlockSql(plan, DUCKDB, options, block, first));
    await this.runAll(trainingCountsOfPairCountsSql(plan, DUCKDB, options.sessions));
  }

  /** Reads a table's columns as readExports reads an export (each cast to its type), so one reader checks both. */
  async readTable(table: string, columns: readonly ExportColumn[]): Promise<ExportFile> {
    return readColumns(this.connection, table, DUCKDB.quote(table), columns);
  }

  /** Runs one SQL query and returns its first row (for counts computed in SQL). */
  async firstRow(sql: string): Promise<unknown[]> {
    return (await this.connection.runAndReadAll(sql)).getRows()[0] ?? [];
  }

  /**
   * Runs the plan's statements: blocking to scoring (scorePairs), then links
   * and label propagation until no label changes (linkScored).
   */
  async run(plan: LinkagePlan, options: { paired?: boolean; release?: boolean } = {}): Promise<SqlRunSummary> {
    await this.scorePairs(plan, options);
    return this.linkScored(plan, options);
  }

  /**
   * Scores the candidate pairs into `scored_pairs` in the comparison statement,
   * block by block (no comparison vectors are kept). With `paired`, the
   * candidate pairs of an earlier countForTraining() of the same plan are
   * scored (only the weights changed), else they are made first.
   */
  async scorePairs(plan: LinkagePlan, options: { paired?: boolean } = {}): Promise<void> {
    if (!options.paired) await this.makeCandidatePairs(plan);
    await this.runJoinBlocks('scored_pairs', (block, first) => scoredBlockSql(plan, DUCKDB, block, first));
  }

  /**
   * From `scored_pairs`: links, connected components by label propagation until
   * no label changes, the troubled components' pairs. With `release`, the
   * candidate pairs are dropped first: `scored_pairs` holds every pair again
   * (the last run of a link releases them).
   */
  async linkScored(plan: LinkagePlan, options: { release?: boolean } = {}): Promise<SqlRunSummary> {
    const job = renderJob(plan, DUCKDB);
    if (options.release) for (const table of ['comparison_vectors', 'candidate_pairs']) await this.connection.run(DUCKDB.dropTable(table));
    await this.runAll(job.link);
    let rounds = 0;
    const create = job.propagate.slice(0, -2);
    const swap = job.propagate.slice(-2);
    for (;;) {
      await this.runAll(create);
      rounds++;
      const changed = Number((await this.connection.runAndReadAll(job.changed)).getRows()[0][0]);
      await this.runAll(swap);
      if (changed === 0) break;
    }
    await this.runAll(job.finish);
    const counts = (await this.connection.runAndReadAll('SELECT rule, count(*) FROM scored_pairs GROUP BY rule')).getRows();
    const countsByRule = plan.blocking.map(() => 0);
    for (const [rule, count] of counts) countsByRule[Number(rule)] = Number(count);
    return { pairCount: countsByRule.reduce((a, b) => a + b, 0), countsByRule, rounds };
  }

  /**
   * Adds `shift` to every scored pair's match weight (a change of prior weight,
   * as consistentPrior shifts link()'s weights): `scored_pairs` becomes a view
   * that adds it to the weights as they were scored (`scored_pairs_unshifted`),
   * the same sum as link()'s, computed where the pairs are read. No pair is
   * written again: a shifted copy of every pair, and no update of every row,
   * which at 50M records (2.3 billion pairs) would have needed more disk than
   * the machine had (docs/sql-engine.md).
   */
  async shiftWeights(shift: number): Promise<void> {
    if (shift === 0) return;
    await this.runAll([
      { step: SHIFT_STEP, sql: DUCKDB.renameTable('scored_pairs', 'scored_pairs_unshifted') },
      { step: SHIFT_STEP, sql: `CREATE VIEW scored_pairs AS SELECT left_row, right_row, rule, match_weight + ${DUCKDB.double(shift)} AS match_weight FROM scored_pairs_unshifted` },
    ]);
  }

  private async runAll(statements: readonly SqlStatement[]): Promise<void> {
    for (const statement of statements) {
      try {
        if (this.monitor === undefined) await this.connection.run(statement.sql);
        else this.monitor.report(await profiled(this.monitor.connection, statement.step, () => this.connection.run(statement.sql)));
      } catch (error) {
        throw new SqlEngineError(statement.step, error);
      }
    }
  }

  /** Pairs of a table with left_row, right_row, match_weight (and rule), ordered by (left, right). */
  async pairs(tableName: 'scored_pairs' | 'troubled_pairs'): Promise<ScoredPairRows> {
    const rule = tableName === 'scored_pairs' ? 'rule' : '0';
    const count = Number((await this.firstRow(`SELECT count(*) FROM ${tableName}`))[0]);
    const out = { left: new Uint32Array(count), right: new Uint32Array(count), weight: new Float64Array(count), rule: new Uint32Array(count) };
    const arrays = [out.left, out.right, out.weight, out.rule];
    // One chunk at a time: 50M pairs as arrays of JS numbers would cost 16 bytes a value before the typed arrays are made.
    await eachChunk(this.connection, `SELECT left_row, right_row, match_weight, ${rule} FROM ${tableName} ORDER BY left_row, right_row`, (columns, at) => {
      columns.forEach((values, c) => arrays[c].set(values as number[], at));
    }, { step: `reading ${tableName}`, rows: count });
    return out;
  }

  /**
   * The scored pairs at or above `minWeight`, ordered by (left, right), one
   * DuckDB data chunk at a time as they are read: any number of pairs passes
   * through a bounded buffer (what `pairs` reads whole is the troubled few).
   */
  async *scoredPairBatches(minWeight: number): AsyncGenerator<ScoredPairRows> {
    const where = minWeight === -Infinity ? '' : ` WHERE match_weight >= ${DUCKDB.double(minWeight)}`;
    for await (const chunk of completeChunks(this.connection, `SELECT left_row, right_row, match_weight, rule FROM scored_pairs${where} ORDER BY left_row, right_row`, { step: 'reading scored_pairs' })) {
      const [left, right, weight, rule] = chunk.getColumns();
      yield {
        left: Uint32Array.from(left as number[]),
        right: Uint32Array.from(right as number[]),
        weight: Float64Array.from(weight as number[]),
        rule: Uint32Array.from(rule as number[]),
      };
    }
  }

  /** The candidate pairs, ordered by (left, right). */
  async candidatePairs(): Promise<{ left: Uint32Array; right: Uint32Array }> {
    const count = Number((await this.firstRow('SELECT count(*) FROM candidate_pairs'))[0]);
    const out = { left: new Uint32Array(count), right: new Uint32Array(count) };
    await eachChunk(this.connection, 'SELECT left_row, right_row FROM candidate_pairs ORDER BY left_row, right_row', ([left, right], at) => {
      out.left.set(left as number[], at);
      out.right.set(right as number[], at);
    }, { step: 'reading candidate_pairs', rows: count });
    return out;
  }

  /** Connected-component label (the smallest row of the component) of every row, the row itself when it has no link. */
  async componentLabels(size: number): Promise<Uint32Array> {
    const labels = new Uint32Array(size);
    for (let r = 0; r < size; r++) labels[r] = r;
    await eachChunk(this.connection, 'SELECT "row", label FROM cluster_labels', ([rows, values]) => {
      for (let i = 0; i < rows.length; i++) labels[rows[i] as number] = values[i] as number;
    }, { step: 'reading cluster_labels' });
    return labels;
  }

  /**
   * Writes a query's lines to `path` as they are: the query gives one VARCHAR
   * column, each value a whole line (composed in SQL, see csv-lines.ts), in
   * the query's ORDER BY; DuckDB writes them unquoted, one per line, without a
   * header, into the file itself (no temporary file of its own: the caller's
   * path is the temporary one) and uncompressed whatever the name ends with.
   * Insertion order is kept while it writes, so the file follows the ORDER BY.
   */
  async writeLines(step: string, query: string, path: string): Promise<void> {
    const c = this.connection;
    await c.run('SET preserve_insertion_order = true');
    try {
      await c.run(`COPY (${query}) TO ${sqlString(path)} (FORMAT csv, HEADER false, QUOTE '', ESCAPE '', COMPRESSION 'none', USE_TMP_FILE false)`);
    } catch (error) {
      throw new SqlEngineError(step, error);
    } finally {
      await c.run('SET preserve_insertion_order = false');
    }
  }

  /** Writes the loaded `records` table (values, precomputed features and keys, term frequencies) as a Parquet file. */
  async exportRecords(path: string): Promise<void> {
    await this.connection.run(`COPY (SELECT * FROM records ORDER BY "row") TO '${path.replaceAll("'", "''")}' (FORMAT parquet)`);
  }

  close(): void {
    openExecutors.delete(this);
    this.monitor?.connection.closeSync();
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/** The term-frequency columns read from a column: each tf-adjusted comparison's value column that is it. */
export function tfSlots(plan: LinkagePlan, column: string): { comparison: number; slot: number; name: string }[] {
  return plan.comparisons.flatMap((c) =>
    c.tfColumns === undefined ? [] : c.valueColumns.flatMap((valueColumn, slot) => (valueColumn === column ? [{ comparison: c.index, slot, name: c.tfColumns![slot] }] : [])),
  );
}

/** The derived (not exact) blocking keys of a column, each once, in first-use order. */
function derivedKeys(plan: LinkagePlan, column: string): PlanKeyPart[] {
  const keys = new Map<string, PlanKeyPart>();
  for (const rule of plan.blocking) for (const part of rule.parts) if (part.column === column && part.transform !== 'exact' && !keys.has(part.keyColumn)) keys.set(part.keyColumn, part);
  return [...keys.values()];
}
