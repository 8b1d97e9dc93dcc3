import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { scorePairs, type FellegiSunterModel, type PatternCounts, type TermFrequencyInput } from '@mpi/scoring';
import { ClusterExportError, readExports, type ExportColumn, type ExportFile, type LinkagePlan } from '@mpi/sql';
import { shareOf } from '../defaults/households.js';
import { MpiError } from '../errors.js';
import { readJobJson } from './cluster-exports.js';
import { consistentPrior } from './consistent-prior.js';
import { trainOnCounts, type CountedPairs, type TrainingSetup } from './train-counts.js';

/** What {@link trainFromClusterCounts} reads: the job folder written without a model, and the training_counts the cluster exported. */
export interface ClusterTrainInput {
  /** The folder `mpi link --engine sql` wrote without --model (plan.json, training.json). */
  readonly job: string;
  /** `training_counts` as exported: Parquet or CSV files, or folders of part files. */
  readonly counts: readonly string[];
}

/** Rows of training_counts for the candidate pairs (session -1): distinct (levels, tf, household) with their pair counts. */
interface CandidateRows {
  readonly levels: number[][];
  readonly tf: (number | null)[][];
  readonly household: number[];
  readonly pairs: number[];
}

/** Patterns in ascending lexicographic order of the levels (as countSessionPatterns orders them), each with its total count. */
function patternCounts(width: number, counted: Map<string, { levels: number[]; pairs: number }>): PatternCounts {
  const rows = [...counted.values()].sort((a, b) => {
    for (let c = 0; c < width; c++) if (a.levels[c] !== b.levels[c]) return a.levels[c] - b.levels[c];
    return 0;
  });
  const patterns = new Uint8Array(rows.length * width);
  rows.forEach((row, p) => patterns.set(row.levels, p * width));
  return { width, patterns, counts: Float64Array.from(rows, (row) => row.pairs) };
}

function add(counted: Map<string, { levels: number[]; pairs: number }>, levels: number[], pairs: number): void {
  const key = levels.join(',');
  const row = counted.get(key);
  if (row === undefined) counted.set(key, { levels, pairs });
  else row.pairs += pairs;
}

/** The columns of training_counts (trainingCountsSql) as training reads them. */
export function trainingCountColumns(plan: LinkagePlan): ExportColumn[] {
  const tfComparisons = plan.comparisons.filter((c) => c.tfColumns !== undefined);
  return [
    { name: 'session', type: 'BIGINT' },
    ...plan.comparisons.map((c) => ({ name: `gamma_${c.name}`, type: 'BIGINT' as const })),
    ...tfComparisons.map((c) => ({ name: `tf_${c.name}`, type: 'DOUBLE' as const })),
    { name: 'household', type: 'BIGINT' },
    { name: 'pairs', type: 'BIGINT' },
  ];
}

/** Reads training_counts (trainingCountColumns, read from an export or from DuckDB), every value checked: a bad or repeated row is a ClusterExportError naming the file and row. */
function readCounts(plan: LinkagePlan, setup: TrainingSetup, files: readonly ExportFile[]) {
  const columns = trainingCountColumns(plan);
  const tfComparisons = plan.comparisons.filter((c) => c.tfColumns !== undefined);
  const width = plan.comparisons.length;
  const sessionOf = new Map(setup.sessions.map((session, s) => [session.rule, s]));
  const candidates: CandidateRows = { levels: [], tf: [], household: [], pairs: [] };
  const all = new Map<string, { levels: number[]; pairs: number }>();
  const sessions = setup.sessions.map(() => new Map<string, { levels: number[]; pairs: number }>());
  const seen = new Map<string, string>();
  for (const { file, rows, columns: values } of files) {
    for (let k = 0; k < rows; k++) {
      const at = (column: number, detail: string) => new ClusterExportError(file, k + 1, columns[column].name, detail);
      const session = values[0][k];
      if (session === null || (session !== -1 && !sessionOf.has(session))) throw at(0, 'not -1 (the candidate pairs) nor the blocking rule of an EM session of the job');
      const levels = plan.comparisons.map((comparison, c) => {
        const level = values[1 + c][k];
        if (level === null || !Number.isInteger(level) || level < 0 || level >= comparison.levels.length) throw at(1 + c, 'not a level of the comparison');
        return level;
      });
      const tf = tfComparisons.map((_, t) => {
        const value = values[1 + width + t][k];
        if (value !== null && !(value >= 0 && Number.isFinite(value))) throw at(1 + width + t, 'not a term frequency');
        return value;
      });
      const household = values[1 + width + tfComparisons.length][k];
      if (household === null || ![0, 1, 2].includes(household)) throw at(1 + width + tfComparisons.length, 'not 0, 1 or 2');
      const pairs = values[columns.length - 1][k];
      if (pairs === null || !Number.isInteger(pairs) || pairs <= 0) throw at(columns.length - 1, 'not a positive count of pairs');
      const key = [session, ...levels, ...tf, household].join(',');
      const before = seen.get(key);
      if (before !== undefined) throw new ClusterExportError(file, k + 1, 'pairs', `the same counts row as ${before}: export the table once`);
      seen.set(key, `${file}, row ${k + 1}`);
      if (session === -1) {
        add(all, levels, pairs);
        candidates.levels.push(levels);
        candidates.tf.push(tf);
        candidates.household.push(household);
        candidates.pairs.push(pairs);
      } else {
        add(sessions[sessionOf.get(session)!], levels, pairs);
      }
    }
  }
  return { candidates, all: patternCounts(width, all), sessions: sessions.map((counted) => patternCounts(width, counted)) };
}

/**
 * The match weight of each counted row under the model, by the scorer's own
 * arithmetic: each row is scored as one pair of two made-up records whose
 * values share the row's term frequency.
 */
function rowWeights(model: FellegiSunterModel, plan: LinkagePlan, rows: CandidateRows): Float64Array {
  const n = rows.pairs.length;
  const width = plan.comparisons.length;
  const levels = new Uint8Array(n * width);
  rows.levels.forEach((row, k) => levels.set(row, k * width));
  const ids = Uint32Array.from({ length: 2 * n }, (_, r) => (r >> 1) + 1);
  let t = 0;
  const tf = plan.comparisons.map((c): TermFrequencyInput | null => {
    if (c.tfColumns === undefined) return null;
    const slot = t++;
    return { ids, tf: Float64Array.from({ length: n + 1 }, (_, id) => (id === 0 ? 0 : (rows.tf[id - 1][slot] ?? 0))) };
  });
  const left = Uint32Array.from({ length: n }, (_, k) => 2 * k);
  const right = Uint32Array.from({ length: n }, (_, k) => 2 * k + 1);
  return scorePairs({ model, chunks: [{ left, right }], vectors: [{ width, levels }], tf })[0];
}

/**
 * What training reads of training_counts (trainingCountsSql): the pattern
 * counts of the candidate pairs and of each EM session, the candidate count and
 * the household share (the rows' household flags), and the candidate rows
 * (with their frequencies, when counted) for scoring.
 */
export function readTrainingCounts(plan: LinkagePlan, setup: TrainingSetup, files: readonly ExportFile[]): { counted: CountedPairs; candidates: CandidateRows } {
  const { candidates, all, sessions } = readCounts(plan, setup, files);
  let sharing = 0;
  let different = 0;
  candidates.household.forEach((household, k) => {
    if (household > 0) sharing += candidates.pairs[k];
    if (household === 2) different += candidates.pairs[k];
  });
  const candidateCount = candidates.pairs.reduce((a, b) => a + b, 0);
  const share = setup.withoutHouseholdGroup === undefined ? undefined : shareOf(sharing, different);
  return { counted: { all, sessions, candidateCount, share }, candidates };
}

/**
 * Trains the model of a job written without a model, from the training_counts
 * the cluster exported, as the train stage of link() does: EM on the pattern
 * counts (trainOnCounts), u and the comparison space from the job's
 * training.json (estimated when the job was written), the household share
 * from the counts, and the prior made consistent with the scores of the
 * counted rows. The same model as link() on the same records and settings
 * (test/sql-cluster-job.test.ts).
 */
export async function trainFromClusterCounts(input: ClusterTrainInput): Promise<FellegiSunterModel> {
  const plan = await readJobJson<LinkagePlan>(input.job, 'plan.json');
  if (!existsSync(join(input.job, 'training.json'))) {
    throw new MpiError('BAD_JOB', `the job in ${input.job} was written with a model (it has no training.json): write it without --model to train on a cluster`);
  }
  const setup = await readJobJson<TrainingSetup>(input.job, 'training.json');
  if (setup.version !== 1) throw new MpiError('BAD_JOB', `the job's training.json is not one this version writes: write the job again`);
  const { counted, candidates } = readTrainingCounts(plan, setup, await readExports(input.counts, trainingCountColumns(plan)));
  const trained = trainOnCounts(setup, counted);
  return consistentPrior(trained, [rowWeights(trained, plan, candidates)], setup.totalPairs, [Float64Array.from(candidates.pairs)]);
}
