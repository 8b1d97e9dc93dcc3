import type { CandidatePairs } from '@mpi/blocking';
import type { Comparison, ComparisonPool, ComparisonVectors, FellegiSunterModel, TermFrequencyInput } from '@mpi/scoring';
import type { RecordTable } from '../read/record-table.js';
import { termFrequencyInputs } from './explain.js';
import type { ProgressEvent } from './types.js';

/** What the score stage scores. */
export interface ScoreInput {
  readonly table: RecordTable;
  readonly pool: ComparisonPool;
  readonly model: FellegiSunterModel;
  /** The comparisons the model was trained with (their term frequencies adjust the weights). */
  readonly comparisons: readonly Comparison[];
  readonly pairs: CandidatePairs;
  /** The compare stage's vectors: emptied once scored. */
  readonly vectors: ComparisonVectors[];
  readonly progress: (event: ProgressEvent) => void;
}

/** The match weight of every candidate pair, and the term frequencies it used (explain() uses them again). */
export interface Scored {
  readonly weights: Float64Array[];
  readonly tf: (TermFrequencyInput | null)[];
}

/** The score stage: every candidate pair's match weight, by the same workers that compared it. */
export async function scorePairs(input: ScoreInput): Promise<Scored> {
  const { pairs, vectors } = input;
  // Scored by the same workers: the vectors are already in their shared memory.
  const tf = termFrequencyInputs(input.table, input.comparisons);
  const weights = await input.pool.score({ model: input.model, chunks: pairs.chunks, vectors, tf });
  // The vectors (a byte a pair and comparison) are not needed past scoring:
  // dropped here, clustering's peak does not hold them (see pair-budget.ts).
  vectors.length = 0;
  input.progress({ stage: 'score', done: pairs.count, total: pairs.count });
  return { weights, tf };
}
