// The streamed read for the DuckDB engine (docs/sql-engine.md, "Reading,
// streamed"): what prepare() does on a RecordTable, done on DuckDB's tables.
import type { BlockingRule } from '@mpi/blocking';
import { comparisonSpace } from '@mpi/blocking';
import type { Comparison, FellegiSunterModel } from '@mpi/scoring';
import type { DuckDbExecutor } from '@mpi/sql';
import type { LinkMode } from '@mpi/types';
import type { ClusteringMethod } from '../../cluster/cluster.js';
import type { Settings } from '../../settings/settings.js';
import { countEachAsync, ruleChoice, type RuleChoice } from '../block.js';
import { chooseComparisons } from '../compare.js';
import { markPlaceholdersInSql } from './placeholders.js';
import { checkRules, SqlRuleCounter } from './rule-counts.js';
import { stageRecords, type StageOptions, type StagedRecords } from './stage.js';
import { eachChunk, type Connection } from './sql.js';
import { termFrequenciesInSql } from './term-frequencies.js';

/** What the streamed read leaves for planning and loading: the staged records, the comparisons and the rules chosen for them. */
export interface StreamedRecords {
  readonly staged: StagedRecords;
  readonly comparisons: readonly Comparison[];
  readonly choice: RuleChoice;
  readonly space: number;
}

/** What streamRecords needs beyond the connections. */
export interface StreamInput {
  readonly sources: Parameters<typeof stageRecords>[1];
  readonly settings: Settings;
  readonly mode: LinkMode;
  readonly clusteringMethod: ClusteringMethod;
  readonly model: FellegiSunterModel | undefined;
  readonly stage?: StageOptions;
}

/**
 * Reads the sources into DuckDB and does there what the in-process read and
 * block stage do on the record table (steps 1 to 7): staging, per-source
 * checks, canonical order and duplicate ids, dictionaries, placeholders, the
 * comparisons, the blocking rules (counted in SQL, chosen by ruleChoice) and
 * the term frequencies of the tf-adjusted comparisons (`tf_c` tables).
 */
export async function streamRecords(executor: DuckDbExecutor, writer: Connection, input: StreamInput): Promise<StreamedRecords> {
  const connection = executor.connection;
  const { settings, mode } = input;
  const staged = await stageRecords(connection, input.sources, settings, input.stage);
  // One by one: a spread of millions of flags overflows the call stack.
  for (const flag of await markPlaceholdersInSql(connection, staged)) staged.flags.push(flag);
  const present = Object.fromEntries(staged.columns.map((column) => [column, true]));
  const comparisons = chooseComparisons({ columns: present, fieldKinds: staged.fieldKinds, valueColumns: staged.valueColumns }, settings, input.model);
  const space = comparisonSpace(staged.perSource, mode);
  const counter = new SqlRuleCounter(connection, writer, staged, mode);
  let choice: RuleChoice;
  try {
    const steps = ruleChoice({ settings, mode, comparisons, training: input.model === undefined, clusteringMethod: input.clusteringMethod, fieldKinds: staged.fieldKinds, columns: staged.columns, size: staged.size, space });
    choice = await countEachAsync(steps, async (rule: BlockingRule) => {
      checkRules([rule], staged.columns);
      return counter.count(rule);
    });
  } finally {
    await counter.close();
  }
  checkRules(choice.rules, staged.columns);
  await termFrequenciesInSql(connection, staged, comparisons);
  return { staged, comparisons, choice, space };
}

/** Who each row is (source, source row, record id), read back from DuckDB in canonical order. */
export async function recordsOf(connection: Connection, size: number): Promise<{ source: Uint16Array; rows: Uint32Array; recordIds: string[] }> {
  const source = new Uint16Array(size);
  const rows = new Uint32Array(size);
  const recordIds = new Array<string>(size);
  await eachChunk(connection, 'SELECT "source", src_row, record_id FROM who ORDER BY "row"', ([s, row, id], at) => {
    for (let i = 0; i < s.length; i++) {
      source[at + i] = s[i] as number;
      rows[at + i] = row[i] as number;
      recordIds[at + i] = id[i] as string;
    }
  });
  return { source, rows, recordIds };
}

/**
 * Drops what the streamed read made once `records` holds what the plan reads;
 * `who` stays (the outputs are written from it), and with `keep.values` each
 * record's values (`rid`, `dictv_k`: the report's sample pairs read them).
 */
export async function dropStaged(connection: Connection, staged: StagedRecords, comparisons: number, keep: { values: boolean } = { values: false }): Promise<void> {
  const values = keep.values ? [] : ['rid', ...staged.columns.map((_, k) => `dictv_${k}`)];
  for (const table of [...values, ...Array.from({ length: comparisons }, (_, c) => `tf_${c}`)]) {
    await connection.run(`DROP TABLE IF EXISTS ${table}`);
  }
}
