import type { CandidatePairs, CompiledBlockingRule } from '@mpi/blocking';
import { compileVectorizer, type FellegiSunterModel, type TermFrequencyInput } from '@mpi/scoring';
import type { ClusteringMethod } from '../cluster/cluster.js';
import { MpiError } from '../errors.js';
import type { RecordTable } from '../read/record-table.js';
import { estimatedPairCompleteness } from './estimated-pair-completeness.js';
import { explainRows } from './explain.js';
import type { Clustered } from './cluster.js';
import type { IdentityGroup, LinkResult, RecordRef, StageTiming } from './types.js';

/** Everything the stages produced, for the result. */
export interface ResultParts {
  readonly table: RecordTable;
  readonly pairs: CandidatePairs;
  readonly space: number;
  readonly rules: readonly CompiledBlockingRule[];
  readonly expectedTruePairs: number | undefined;
  readonly weights: Float64Array[];
  readonly tf: readonly (TermFrequencyInput | null)[];
  readonly model: FellegiSunterModel;
  readonly clustered: Clustered;
  readonly threshold: number;
  readonly clusteringMethod: ClusteringMethod;
  readonly share: number | undefined;
  readonly timings: readonly StageTiming[];
  readonly workers: number;
}

/** The LinkResult of a run: the stages' outputs, the blocking summary, and the lookups (groups, rowOf, explain) over them. */
export function linkResult(parts: ResultParts): LinkResult {
  const { table, pairs, space, model, tf } = parts;
  const { clustering, identityIds } = parts.clustered;

  let rowIndex: Map<string, number> | undefined;
  const rowOf = (record: RecordRef): number | undefined => {
    if (rowIndex === undefined) {
      rowIndex = new Map();
      for (let r = 0; r < table.size; r++) rowIndex.set(`${table.sources[table.source[r]]}\u0000${table.recordIds[r]}`, r);
    }
    return rowIndex.get(`${record.source}\u0000${record.recordId}`);
  };
  let vectorizer: ReturnType<typeof compileVectorizer> | undefined;

  return {
    table,
    pairs,
    weights: parts.weights,
    model,
    clustering,
    threshold: parts.threshold,
    clusteringMethod: parts.clusteringMethod,
    householdShare: parts.share,
    timings: parts.timings,
    workers: parts.workers,
    identityIds,
    blocking: {
      rules: parts.rules.map((rule, i) => ({ name: rule.name, pairs: pairs.countsByRule[i] })),
      candidatePairs: pairs.count,
      totalPairs: space,
      reductionRatio: space === 0 ? 1 : 1 - pairs.count / space,
      expectedTruePairs: parts.expectedTruePairs,
      estimatedPairCompleteness: estimatedPairCompleteness(pairs, parts.weights, parts.rules, table.fieldKinds),
    },
    groups() {
      const groups: IdentityGroup[] = [];
      for (let g = 0; g < clustering.groupCount; g++) {
        const records: RecordRef[] = [];
        for (let k = clustering.start[g]; k < clustering.start[g + 1]; k++) {
          const r = clustering.members[k];
          records.push({ source: table.sources[table.source[r]], recordId: table.recordIds[r] });
        }
        groups.push({ id: identityIds[g], records });
      }
      return groups;
    },
    rowOf,
    explain(a, b) {
      const left = rowOf(a);
      const right = rowOf(b);
      if (left === undefined || right === undefined) {
        // The record id (an MRN, say) stays out of the message, as every value does; the caller holds it.
        const [which, missing] = left === undefined ? ['first', a] : ['second', b];
        throw new MpiError('UNKNOWN_RECORD', `the ${which} record given to explain() is not in source "${missing.source}"`);
      }
      vectorizer ??= compileVectorizer(table, model.comparisons);
      return explainRows(table, model, left, right, tf, vectorizer);
    },
  };
}
