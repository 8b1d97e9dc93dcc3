// The index's records scored with its frozen parts: the stored model, the
// blocking rules chosen when it was built, and the term-frequency tables of
// that build, so a record's scores never depend on which sources came later.
import { availableParallelism } from 'node:os';
import { compileBlockingRule, generatePairs, type BlockingRule, type CandidatePairs, type LinkMode } from '@mpi/blocking';
import { buildRecordTable, type PlainRecord, type RecordTable, type Settings, type SourceInput } from '@mpi/core';
import { ComparisonPool, compileVectorizer, compileWeights, scorePairs as scoreVectors, vectorizePairs, withTermFrequencies, type CompiledVectorizer, type CompiledWeights, type FellegiSunterModel, type TermFrequencyInput } from '@mpi/scoring';

/** Relative frequency of each value of a term-frequency-adjusted column, as measured when the index was built. */
export interface StoredTermFrequencies {
  readonly column: string;
  /** value -> share of the records with a value in this column. */
  readonly frequencies: Record<string, number>;
  /** Frequency given to a value the build did not see: as if seen once. */
  readonly unseen: number;
}

/** What the index froze at build: settings, model, blocking rules, term frequencies (one entry per comparison, null without tf). */
export interface FrozenParts {
  readonly settings: Settings;
  readonly model: FellegiSunterModel;
  readonly rules: readonly BlockingRule[];
  readonly tf: readonly (StoredTermFrequencies | null)[];
}

/** The record table and its candidate pairs with their match weights. */
export interface ScoredTable {
  readonly table: RecordTable;
  readonly pairs: CandidatePairs;
  readonly weights: readonly Float64Array[];
  readonly tf: readonly (TermFrequencyInput | null)[];
}

/** Records per comparison worker below which the calling thread compares alone (starting workers costs more). */
const RECORDS_PER_WORKER = 50_000;

/**
 * The stored tables mapped onto this table's dictionaries (the tf input of
 * scoring). `previous`, the inputs of a table whose dictionaries this table's
 * extend (same ids, values appended: see appendTable), is reused for the ids
 * it covers, so only the new values are looked up.
 */
export function termFrequencyInputsOf(
  table: RecordTable,
  stored: readonly (StoredTermFrequencies | null)[],
  previous?: readonly (TermFrequencyInput | null)[],
): (TermFrequencyInput | null)[] {
  return stored.map((entry, c) => {
    if (entry === null) return null;
    const column = table.columns[entry.column];
    const known = previous?.[c]?.tf;
    if (known !== undefined && known.length === column.dictionary.length) return { ids: column.ids, tf: known };
    const tf = new Float64Array(column.dictionary.length);
    const from = known !== undefined && known.length < tf.length ? known.length : 1;
    if (from > 1) tf.set(known!);
    // Dictionary id 0 is the empty value, which carries no frequency.
    for (let id = from; id < tf.length; id++) tf[id] = entry.frequencies[column.dictionary[id]] ?? entry.unseen;
    return { ids: column.ids, tf };
  });
}

/** The sources of records grouped by source name, as link() reads them. */
export function sourcesOf(records: Iterable<{ source: string; data: Record<string, string> }>): SourceInput[] {
  const bySource = new Map<string, PlainRecord[]>();
  for (const record of records) {
    let list = bySource.get(record.source);
    if (list === undefined) bySource.set(record.source, (list = []));
    list.push(record.data);
  }
  return [...bySource].map(([name, records]) => ({ name, records }));
}

/** The candidate pairs `keep` accepts (rows of the table), chunk by chunk. */
function keptPairs(pairs: CandidatePairs, keep: (left: number, right: number) => boolean): CandidatePairs {
  let count = 0;
  const chunks = pairs.chunks.map(({ left, right }) => {
    const l: number[] = [];
    const r: number[] = [];
    for (let k = 0; k < left.length; k++) if (keep(left[k], right[k])) l.push(left[k]), r.push(right[k]);
    count += l.length;
    return { left: Uint32Array.from(l), right: Uint32Array.from(r) };
  });
  return { count, chunks: chunks.filter((chunk) => chunk.left.length > 0), countsByRule: pairs.countsByRule };
}

/**
 * Reads, blocks, compares and scores `sources` with the index's frozen parts.
 * `keep`, when given, picks the candidate pairs worth comparing (a match
 * compares only the query's pairs); the others are dropped unscored.
 */
export async function scoreTable(
  sources: readonly SourceInput[],
  frozen: FrozenParts,
  threads: number,
  mode?: LinkMode,
  keep?: (table: RecordTable) => (left: number, right: number) => boolean,
): Promise<ScoredTable> {
  return scoreBuiltTable(await buildRecordTable(sources, frozen.settings, threads), frozen, threads, mode, keep);
}

/** scoreTable on a table already read. */
export async function scoreBuiltTable(
  table: RecordTable,
  frozen: FrozenParts,
  threads: number,
  mode?: LinkMode,
  keep?: (table: RecordTable) => (left: number, right: number) => boolean,
): Promise<ScoredTable> {
  const rules = frozen.rules.map((rule) => compileBlockingRule(table, rule));
  const blocked = generatePairs(table, rules, { mode: mode ?? frozen.settings.mode ?? 'dedupe', maxPairs: frozen.settings.maxPairs });
  const pairs = keep === undefined ? blocked : keptPairs(blocked, keep(table));
  return { table, pairs, ...(await scorePairs(table, frozen, pairs.chunks, threads)) };
}

/** Compares and scores the given pairs of `table` with the frozen model and term frequencies. */
export async function scorePairs(
  table: RecordTable,
  frozen: FrozenParts,
  chunks: CandidatePairs['chunks'],
  threads: number,
): Promise<{ weights: Float64Array[]; tf: (TermFrequencyInput | null)[] }> {
  const tf = termFrequencyInputsOf(table, frozen.tf);
  const workers = Math.min(threads, availableParallelism(), Math.floor(table.size / RECORDS_PER_WORKER));
  const pool = new ComparisonPool({ threads: workers });
  try {
    pool.load(table, frozen.model.comparisons);
    const vectors = await pool.compare(chunks);
    const weights = await pool.score({ model: frozen.model, chunks, vectors, tf });
    await pool.close();
    return { weights, tf };
  } catch (error) {
    await pool.destroy();
    throw error;
  }
}

/**
 * scorePairs on the calling thread for a handful of pairs (a match's): one
 * vectorizer and the compiled weights, returned for the explanations, and no
 * pool to set up and close.
 */
export function scoreFewPairs(
  table: RecordTable,
  frozen: FrozenParts,
  chunks: CandidatePairs['chunks'],
): { weights: Float64Array[]; tf: (TermFrequencyInput | null)[]; vectorizer: CompiledVectorizer; compiled: CompiledWeights } {
  const tf = termFrequencyInputsOf(table, frozen.tf);
  // Each comparison's memo of value pairs needs no more slots than there are pairs (the default
  // starts at 16 KiB a comparison, zeroed on every match).
  const pairs = chunks.reduce((n, chunk) => n + chunk.left.length, 0);
  const vectorizer = compileVectorizer(table, frozen.model.comparisons, { memoSlots: Math.max(16, pairs) });
  const vectors = chunks.map((chunk) => vectorizePairs(vectorizer, chunk.left, chunk.right));
  const kept = compiledWeights.get(frozen.model);
  let compiled: CompiledWeights;
  if (kept !== undefined && kept.tf.every((input, c) => (input === null) === (tf[c] === null))) compiled = withTermFrequencies(kept, tf);
  else compiledWeights.set(frozen.model, (compiled = compileWeights(frozen.model, tf)));
  return { weights: scoreVectors({ model: frozen.model, chunks, vectors, tf, compiled }), tf, vectorizer, compiled };
}

/**
 * The weights of each index model, compiled once for scoreFewPairs (a match
 * query's term frequencies swapped in): an index's model never changes in
 * place (refineModel stores a new one), and compiling it per query was a
 * tenth of what a match allocated.
 */
const compiledWeights = new WeakMap<FellegiSunterModel, CompiledWeights>();
