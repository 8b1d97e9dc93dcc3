// Real-time match: query records blocked against the index and scored with
// its stored model, nothing written. Each query record goes in as a source of
// its own, so it never pairs with another query and its id clashes with none.
import { sourceFieldPlan, explainRows, thresholdWeight } from '@mpi/core/advanced';
import { compileVectorizer, matchProbability } from '@mpi/scoring';
import { buildRecordTable, type RecordTable, type Settings, type SourceInput } from '@mpi/core';
import { appendTable } from './append-table.js';
import { recordKey } from './raw-records.js';
import { scoreBuiltTable, type FrozenParts } from './scored-table.js';
import type { MatchCandidate, MatchGrade, MatchQuery, RecordRef } from './types.js';

/** Query sources are named with this prefix, which no source name of the index starts with in practice. */
const QUERY_PREFIX = '\u0001query\u0000';

export interface MatchInput {
  readonly frozen: FrozenParts;
  readonly threads: number;
  readonly indexed: ReadonlyMap<string, { source: string; recordId: string; data: Record<string, string>; identityId: string }>;
  /** The indexed records, normalized (the query rows are appended to it). */
  readonly table: RecordTable;
  /** The records of an identity. */
  readonly members: (identityId: string) => readonly RecordRef[];
  readonly queries: readonly MatchQuery[];
  readonly thresholds: { readonly link: number; readonly review: number };
  readonly count: number;
  readonly minProbability: number;
}

/** FHIR's match-grade of a match probability under the index's two thresholds. */
export function gradeOf(weight: number, thresholds: { readonly link: number; readonly review: number }): MatchGrade {
  const link = thresholdWeight(thresholds.link);
  const review = thresholdWeight(thresholds.review);
  if (weight >= link) return 'certain';
  if (weight < review) return 'certainly-not';
  return weight >= (link + review) / 2 ? 'probable' : 'possible';
}

/** Ranked candidate identities of each query (best match weight of a member first, then id). */
export async function matchCandidates(input: MatchInput): Promise<MatchCandidate[][]> {
  const { frozen, queries } = input;
  if (queries.length === 0) return [];
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
  const queryTable = await buildRecordTable([...querySources.values()], settings, 1);
  const mode = frozen.settings.mode ?? 'dedupe';
  // Link mode pairs records of different sources only: a query pairs with the other sources' records.
  // Only pairs of a query and an indexed record are compared and scored.
  const isQuery = (table: RecordTable) => (row: number) => table.sources[table.source[row]].startsWith(QUERY_PREFIX);
  const scored = await scoreBuiltTable(appendTable(input.table, queryTable), frozen, input.threads, 'dedupe', (table) => {
    const query = isQuery(table);
    return (left, right) => query(left) !== query(right);
  });
  const { table } = scored;
  const queryOf = (row: number): number => (isQuery(table)(row) ? Number(table.recordIds[row]) : -1);
  const best = queries.map(() => new Map<string, { weight: number; row: number }>());
  const queryRow = new Int32Array(queries.length).fill(-1);
  scored.pairs.chunks.forEach((chunk, c) => {
    const weights = scored.weights[c];
    for (let k = 0; k < weights.length; k++) {
      let q = queryOf(chunk.left[k]);
      let [mine, other] = [chunk.left[k], chunk.right[k]];
      if (q < 0) [q, mine, other] = [queryOf(chunk.right[k]), chunk.right[k], chunk.left[k]];
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
  const vectorizer = compileVectorizer(table, frozen.model.comparisons);
  return best.map((candidates, q) =>
    [...candidates]
      .filter(([, { weight }]) => matchProbability(weight) >= input.minProbability)
      .sort(([a, x], [b, y]) => y.weight - x.weight || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, input.count)
      .map(([identityId, { weight, row }]) => ({
        identityId,
        records: input.members(identityId),
        bestRecord: { source: table.sources[table.source[row]], recordId: table.recordIds[row] },
        matchWeight: weight,
        matchProbability: matchProbability(weight),
        grade: gradeOf(weight, input.thresholds),
        explanation: explainRows(table, frozen.model, queryRow[q], row, scored.tf, vectorizer),
      })),
  );
}
