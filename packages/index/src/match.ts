// Real-time match: query records blocked against the index and scored with
// its stored model, nothing written. Each query record goes in as a source of
// its own, so it never pairs with another query and its id clashes with none.
// With the index's blocking keys in memory (blocking-keys.ts) a query is
// compared only with the records that share a key with it; without them (a
// sorted-neighbourhood rule) the whole table is blocked again.
import { sourceFieldPlan, explainRows, thresholdWeight } from '@mpi/core/advanced';
import { compileVectorizer, matchProbability, type CompiledVectorizer, type CompiledWeights, type TermFrequencyInput } from '@mpi/scoring';
import { buildRecordTable, type RecordTable, type Settings, type SourceInput } from '@mpi/core';
import type { PairChunk } from '@mpi/blocking';
import { appendTable } from './append-table.js';
import { matchTable } from './match-table.js';
import { recordKey } from './raw-records.js';
import type { BlockingKeys } from './blocking-keys.js';
import { scoreBuiltTable, scoreFewPairs, type FrozenParts } from './scored-table.js';
import type { MatchCandidate, MatchGrade, MatchQuery, RecordRef } from './types.js';

/** Query sources are named with this prefix, which no source name of the index starts with in practice. */
const QUERY_PREFIX = '\u0001query\u0000';

export interface MatchInput {
  readonly frozen: FrozenParts;
  readonly threads: number;
  readonly indexed: ReadonlyMap<string, { readonly identityId: string }>;
  /** The indexed records, normalized (the query rows are appended to it). */
  readonly table: RecordTable;
  /** The records of an identity. */
  readonly members: (identityId: string) => readonly RecordRef[];
  readonly queries: readonly MatchQuery[];
  readonly thresholds: { readonly link: number; readonly review: number };
  readonly count: number;
  readonly minProbability: number;
  /** The index's blocking keys; undefined blocks the whole table again. */
  readonly keys?: BlockingKeys;
  /** Told how many pairs were compared and scored. */
  readonly onScored?: (pairs: number) => void;
}

/** FHIR's match-grade of a match probability under the index's two thresholds. */
export function gradeOf(weight: number, thresholds: { readonly link: number; readonly review: number }): MatchGrade {
  const link = thresholdWeight(thresholds.link);
  const review = thresholdWeight(thresholds.review);
  if (weight >= link) return 'certain';
  if (weight < review) return 'certainly-not';
  return weight >= (link + review) / 2 ? 'probable' : 'possible';
}

/** The query records as a table of their own, each read as the source it names would be. */
async function queryTableOf(frozen: FrozenParts, queries: readonly MatchQuery[]): Promise<RecordTable> {
  // Each query source reads its columns as the source it came from does.
  const sourceSettings: Record<string, NonNullable<Settings['sources']>[string]> = { ...(frozen.settings.sources ?? {}) };
  const querySources = new Map<string, SourceInput & { records: Record<string, unknown>[] }>();
  queries.forEach((query, i) => {
    const name = QUERY_PREFIX + String(i).padStart(12, '0');
    const plan = sourceFieldPlan(frozen.settings, query.source);
    const override = frozen.settings.sources?.[query.source];
    if (override !== undefined) sourceSettings[name] = override;
    querySources.set(name, { name, records: [{ ...query.record, [plan.recordId]: String(i) }] });
  });
  const settings: Settings = { ...frozen.settings, sources: sourceSettings };
  return buildRecordTable([...querySources.values()], settings, 1);
}

const isQuery = (table: RecordTable) => (row: number) => table.sources[table.source[row]].startsWith(QUERY_PREFIX);

/** Scored pairs of query and indexed rows of one table. */
interface ScoredQueries {
  readonly table: RecordTable;
  readonly chunks: readonly PairChunk[];
  readonly weights: readonly Float64Array[];
  readonly tf: readonly (TermFrequencyInput | null)[];
  /** The table's vectorizer and the model's weights with its term frequencies, when scoring compiled them (the explanations reuse them). */
  readonly vectorizer?: CompiledVectorizer;
  readonly compiled?: CompiledWeights;
}

/** Ranked candidate identities of each query (best match weight of a member first, then id). */
export async function matchCandidates(input: MatchInput): Promise<MatchCandidate[][]> {
  const { frozen, queries } = input;
  if (queries.length === 0) return [];
  const queryTable = await queryTableOf(frozen, queries);
  const scored = input.keys === undefined ? await scoreByRebuild(input, queryTable) : await scoreByKeys(input, input.keys, queryTable);
  input.onScored?.(scored.chunks.reduce((n, chunk) => n + chunk.left.length, 0));
  return ranked(input, scored);
}

/** Blocks the query rows alone against the index's keys and scores those pairs on a table of just those rows. */
async function scoreByKeys(input: MatchInput, keys: BlockingKeys, queryTable: RecordTable): Promise<ScoredQueries> {
  const link = (input.frozen.settings.mode ?? 'dedupe') === 'link';
  const candidatesOf: Uint32Array[] = [];
  let count = 0;
  for (let row = 0; row < queryTable.size; row++) {
    let rows = keys.candidates(queryTable, row);
    // Link mode pairs records of different sources only: a query pairs with the other sources' records.
    if (link) {
      const own = input.queries[Number(queryTable.recordIds[row])].source;
      rows = rows.filter((r) => input.table.sources[input.table.source[r]] !== own);
    }
    candidatesOf.push(rows);
    count += rows.length;
  }
  // Each query's candidates are ascending and distinct: one query's are the table's rows as they are.
  const rows = candidatesOf.length === 1 ? candidatesOf[0] : unionOf(candidatesOf, count);
  const table = matchTable(input.table, rows, queryTable);
  const left = new Uint32Array(count);
  const right = new Uint32Array(count);
  let k = 0;
  candidatesOf.forEach((candidates, row) => {
    for (let i = 0; i < candidates.length; i++) {
      left[k] = candidatesOf.length === 1 ? i : positionOf(rows, candidates[i]);
      right[k++] = rows.length + row;
    }
  });
  const chunks = count === 0 ? [] : [{ left, right }];
  // A match's pairs are few (tens): compared on this thread, with the vectorizer the explanations use too.
  return { table, chunks, ...scoreFewPairs(table, input.frozen, chunks) };
}

/** The rows of every list (each ascending), ascending and distinct. */
function unionOf(lists: readonly Uint32Array[], count: number): Uint32Array {
  const all = new Uint32Array(count);
  let at = 0;
  for (const list of lists) all.set(list, at), (at += list.length);
  all.sort();
  let distinct = 0;
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) all[distinct++] = all[i];
  return all.subarray(0, distinct);
}

/** The position of `row` in `rows` (ascending, holding it). */
function positionOf(rows: Uint32Array, row: number): number {
  let lo = 0;
  let hi = rows.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid] < row) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Blocks the index's whole table with the queries appended and keeps the pairs of a query and an indexed record. */
export async function scoreByRebuild(input: MatchInput, queryTable: RecordTable): Promise<ScoredQueries> {
  // Only pairs of a query and an indexed record are compared and scored.
  const scored = await scoreBuiltTable(appendTable(input.table, queryTable), input.frozen, input.threads, 'dedupe', (table) => {
    const query = isQuery(table);
    return (left, right) => query(left) !== query(right);
  });
  return { table: scored.table, chunks: scored.pairs.chunks, weights: scored.weights, tf: scored.tf };
}

/** Each query's candidate identities from its scored pairs, best first. */
function ranked(input: MatchInput, scored: ScoredQueries): MatchCandidate[][] {
  const { frozen, queries } = input;
  const mode = frozen.settings.mode ?? 'dedupe';
  const { table } = scored;
  const query = isQuery(table);
  const queryOf = (row: number): number => (query(row) ? Number(table.recordIds[row]) : -1);
  const best = queries.map(() => new Map<string, { weight: number; row: number }>());
  const queryRow = new Int32Array(queries.length).fill(-1);
  scored.chunks.forEach((chunk, c) => {
    const weights = scored.weights[c];
    for (let k = 0; k < weights.length; k++) {
      // The pair's query row (mine) and indexed row (other), whichever side each is on.
      let q = queryOf(chunk.left[k]);
      let mine = chunk.left[k];
      let other = chunk.right[k];
      if (q < 0) {
        q = queryOf(other);
        mine = other;
        other = chunk.left[k];
      }
      if (q < 0 || queryOf(other) >= 0) continue;
      queryRow[q] = mine;
      const source = table.sources[table.source[other]];
      if (mode === 'link' && source === queries[q].source) continue;
      const identityId = input.indexed.get(recordKey(source, table.recordIds[other]))!.identityId;
      const known = best[q].get(identityId);
      const weight = weights[k];
      if (known === undefined || weight > known.weight || (weight === known.weight && other < known.row)) best[q].set(identityId, { weight, row: other });
    }
  });
  let vectorizer = scored.vectorizer;
  const explain = (query: number, row: number) =>
    explainRows(table, frozen.model, query, row, scored.tf, (vectorizer ??= compileVectorizer(table, frozen.model.comparisons)), scored.compiled);
  return best.map((candidates, q) =>
    [...candidates]
      .filter(([, { weight }]) => matchProbability(weight) >= input.minProbability)
      .sort(([a, x], [b, y]) => y.weight - x.weight || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, input.count)
      // The explanation is worked out here, with the weights scoring compiled. Not on first reading
      // through a getter: an accessor made per candidate gives each its own hidden class, which
      // the old generation keeps with everything the getter reaches (the match's table) until a
      // full collection, and every scavenge in between copied it (measured: 2.5 MB promoted per
      // scavenge, pauses 3-4x longer, bench/server/alloc.mjs).
      .map(([identityId, { weight, row }]) => ({
        identityId,
        records: input.members(identityId),
        bestRecord: { source: table.sources[table.source[row]], recordId: table.recordIds[row] },
        matchWeight: weight,
        matchProbability: matchProbability(weight),
        grade: gradeOf(weight, input.thresholds),
        explanation: explain(queryRow[q], row),
      })),
  );
}
