import type { CandidatePairs } from '@mpi/blocking';
import { clusterPairs, identityId, thresholdWeight, type Clustering, type ClusteringMethod } from '../cluster/cluster.js';
import type { RecordTable } from '../read/record-table.js';
import type { ProgressEvent } from './types.js';

/** What the cluster stage groups. */
export interface ClusterInput {
  readonly table: RecordTable;
  readonly pairs: CandidatePairs;
  readonly weights: readonly Float64Array[];
  /** Match probability threshold for linking. */
  readonly threshold: number;
  readonly method: ClusteringMethod;
  readonly progress: (event: ProgressEvent) => void;
}

/** The identity groups, and each group's stable id. */
export interface Clustered {
  readonly clustering: Clustering;
  /** Identity id of each identity group, by group index. */
  readonly identityIds: string[];
}

/** The cluster stage: the scored pairs over the threshold grouped into identities, each named by its first record. */
export function clusterRecords(input: ClusterInput): Clustered {
  const { table } = input;
  const clustering = clusterPairs(table.size, input.pairs.chunks, input.weights, thresholdWeight(input.threshold), { method: input.method });
  input.progress({ stage: 'cluster', done: table.size, total: table.size });
  return { clustering, identityIds: identityIdsOf(table, clustering) };
}

/** The identity id of every group: a function of its first record's source and record id. */
export function identityIdsOf(table: Pick<RecordTable, 'sources' | 'source' | 'recordIds'>, clustering: Clustering): string[] {
  const identityIds = new Array<string>(clustering.groupCount);
  for (let g = 0; g < clustering.groupCount; g++) {
    const first = clustering.members[clustering.start[g]];
    identityIds[g] = identityId(table.sources[table.source[first]], table.recordIds[first]);
  }
  return identityIds;
}
