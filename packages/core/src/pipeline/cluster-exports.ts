import { join } from 'node:path';
import { ClusterExportError, readExports, readRecordIds, type JobRecordIds, type LinkagePlan } from '@mpi/sql';
import { numberGroups, type Clustering } from '../cluster/cluster.js';
import { splitTroubled, type TroubledPairs } from '../cluster/split-troubled.js';
import { MpiError } from '../errors.js';
import { identityIdsOf } from './cluster.js';
import { readFile } from 'node:fs/promises';

/** What {@link groupsFromCluster} reads: the folder `mpi link --engine sql` wrote, and the two tables the cluster exported. */
export interface ClusterGroupsInput {
  /** The job folder (plan.json and record_ids.parquet are read). */
  readonly job: string;
  /** `cluster_labels` as exported (row, label): Parquet or CSV files, or folders of part files. */
  readonly labels: readonly string[];
  /** `troubled_pairs` as exported (left_row, right_row, match_weight): required when the plan splits by average linkage. */
  readonly troubledPairs?: readonly string[];
}

/** The identity groups of a job run on a cluster, named as link() names them. */
export interface ClusterGroups {
  readonly table: JobRecordIds;
  readonly clustering: Clustering;
  /** Identity id of each group, by group index. */
  readonly identityIds: string[];
  /** Rows cluster_labels named (the others have no link: each is its own group). */
  readonly labelled: number;
  readonly troubledPairs: number;
}

/** A JSON file of a job folder (plan.json, training.json). */
export async function readJobJson<T>(job: string, name: string): Promise<T> {
  const path = join(job, name);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new MpiError('FILE_UNREADABLE', `cannot read the job's ${name} at ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}): give the folder mpi link --engine sql wrote`);
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new MpiError('BAD_JSON', `the job's ${name} at ${path} is not valid JSON`);
  }
}

/** A row number read from an export: an integer naming a record of the job. */
function recordRow(value: number | null, size: number, file: string, row: number, column: string): number {
  if (value === null || !Number.isInteger(value)) throw new ClusterExportError(file, row, column, 'not an integer row number');
  if (value < 0 || value >= size) throw new ClusterExportError(file, row, column, `names no record of the job (its rows are 0 to ${size - 1})`);
  return value;
}

/**
 * Every row's component label from cluster_labels: rows it does not name keep
 * their own (no link). A row named twice, a row or label naming no record, or a
 * label whose own row carries another label (a partial or mixed export) is a
 * ClusterExportError naming the file and row.
 */
async function readLabels(paths: readonly string[], size: number): Promise<{ labels: Uint32Array; labelled: number }> {
  const labels = new Uint32Array(size);
  const seen = new Uint8Array(size);
  const origin: { file: string; row: number }[] = [];
  let labelled = 0;
  for (const { file, rows, columns } of await readExports(paths, [
    { name: 'row', type: 'BIGINT' },
    { name: 'label', type: 'BIGINT' },
  ])) {
    for (let k = 0; k < rows; k++) {
      const row = recordRow(columns[0][k], size, file, k + 1, 'row');
      const label = recordRow(columns[1][k], size, file, k + 1, 'label');
      if (seen[row]) throw new ClusterExportError(file, k + 1, 'row', `the row number was labelled before (${origin[row].file}, row ${origin[row].row})`);
      seen[row] = 1;
      origin[row] = { file, row: k + 1 };
      labels[row] = label;
      labelled++;
    }
  }
  for (let r = 0; r < size; r++) {
    if (!seen[r]) labels[r] = r;
    else if (labels[labels[r]] !== labels[r]) throw new ClusterExportError(origin[r].file, origin[r].row, 'label', 'the label names a row that is not labelled by it: export the final cluster_labels whole');
  }
  return { labels, labelled };
}

/** troubled_pairs ordered by (left, right), each pair once and inside one component. */
async function readTroubled(paths: readonly string[], labels: Uint32Array): Promise<TroubledPairs> {
  const size = labels.length;
  const pairs: { left: number; right: number; weight: number; file: string; row: number; read: number }[] = [];
  for (const { file, rows, columns } of await readExports(paths, [
    { name: 'left_row', type: 'BIGINT' },
    { name: 'right_row', type: 'BIGINT' },
    { name: 'match_weight', type: 'DOUBLE' },
  ])) {
    for (let k = 0; k < rows; k++) {
      const a = recordRow(columns[0][k], size, file, k + 1, 'left_row');
      const b = recordRow(columns[1][k], size, file, k + 1, 'right_row');
      const weight = columns[2][k];
      if (weight === null || !Number.isFinite(weight)) throw new ClusterExportError(file, k + 1, 'match_weight', 'not a finite number');
      if (a === b) throw new ClusterExportError(file, k + 1, 'right_row', 'pairs a record with itself');
      if (labels[a] !== labels[b]) throw new ClusterExportError(file, k + 1, 'right_row', 'the two records are in different components of cluster_labels');
      pairs.push({ left: Math.min(a, b), right: Math.max(a, b), weight, file, row: k + 1, read: pairs.length });
    }
  }
  pairs.sort((p, q) => p.left - q.left || p.right - q.right);
  for (let k = 1; k < pairs.length; k++) {
    if (pairs[k].left === pairs[k - 1].left && pairs[k].right === pairs[k - 1].right) {
      const [first, again] = pairs[k].read < pairs[k - 1].read ? [pairs[k], pairs[k - 1]] : [pairs[k - 1], pairs[k]];
      throw new ClusterExportError(again.file, again.row, 'right_row', `the pair was given before (${first.file}, row ${first.row})`);
    }
  }
  return {
    left: Uint32Array.from(pairs, (p) => p.left),
    right: Uint32Array.from(pairs, (p) => p.right),
    weight: Float64Array.from(pairs, (p) => p.weight),
  };
}

/**
 * The identity groups of a job that ran on a cluster: the connected components
 * of `cluster_labels`, the troubled components split by the same average linkage
 * as link() on their `troubled_pairs`, every record of the job in exactly one
 * group (a record cluster_labels does not name has no link: it is its own
 * group), each named as link() names it. Same groups and ids as link() with
 * the same settings and model (test/sql-cluster-job.test.ts).
 */
export async function groupsFromCluster(input: ClusterGroupsInput): Promise<ClusterGroups> {
  const plan = await readJobJson<LinkagePlan>(input.job, 'plan.json');
  const table = await readRecordIds(join(input.job, 'record_ids.parquet'));
  const { labels, labelled } = await readLabels(input.labels, table.size);
  const troubledFiles = input.troubledPairs ?? [];
  if (plan.clustering.method === 'averageLinkage' && troubledFiles.length === 0) {
    throw new MpiError('BAD_ARGS', 'the job splits the troubled components by average linkage: give the exported troubled_pairs too');
  }
  const troubled = await readTroubled(troubledFiles, labels);
  const clustering = numberGroups(table.size, splitTroubled(labels, troubled, plan.thresholdWeight));
  return { table, clustering, identityIds: identityIdsOf(table, clustering), labelled, troubledPairs: troubled.left.length };
}
