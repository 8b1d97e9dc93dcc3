import type { Comparison, ComparisonVectorizer, ScoringTable } from '../types.js';
import { vectorizePairs } from '../vectorizer.js';
import { sampleRandomPairsPart, samplePartCount, type SamplingMode } from './random-pairs.js';
import { levelCounts } from './u-probabilities.js';

/** What to sample: see sampleRandomPairsPart. */
export interface SampleLevelCountsOptions {
  readonly mode: SamplingMode;
  readonly sampleSize: number;
  readonly seed: number;
}

/**
 * Level counts (see levelCounts) of a random-pair sample drawn part by part, so
 * only one part's pairs and vectors are held at a time. The pool's worker and its
 * in-thread mode both count with it, so u does not depend on where it ran.
 */
export function sampleLevelCounts(
  vectorizer: ComparisonVectorizer,
  table: ScoringTable,
  comparisons: readonly Comparison[],
  { mode, sampleSize, seed }: SampleLevelCountsOptions,
): Float64Array[] {
  const counts = comparisons.map((comparison) => new Float64Array(comparison.levels.length));
  for (let part = 0; part < samplePartCount(sampleSize); part++) {
    const pairs = sampleRandomPairsPart({ mode, sampleSize, seed, part, size: table.size, source: table.source });
    levelCounts([vectorizePairs(vectorizer, pairs.left, pairs.right)], comparisons, counts);
  }
  return counts;
}
