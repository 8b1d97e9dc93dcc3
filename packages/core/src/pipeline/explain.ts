import {
  compileVectorizer,
  explainPair,
  termFrequencies,
  type Comparison,
  type ComparisonVectorizer,
  type FellegiSunterModel,
  type MatchExplanation,
  type TermFrequencyInput,
} from '@mpi/scoring';
import type { RecordTable } from '../read/record-table.js';

/**
 * Term frequencies of the columns whose comparisons have a term-frequency-adjusted
 * level (null for the others): the `tf` input of scorePairs and ComparisonPool.score
 * for pairs of this table.
 */
export function termFrequencyInputs(table: RecordTable, comparisons: readonly Comparison[]): (TermFrequencyInput | null)[] {
  return comparisons.map((comparison) => {
    if (!comparison.levels.some((level) => level.tfAdjustment)) return null;
    const column = table.columns[comparison.column];
    return { ids: column.ids, tf: termFrequencies(column) };
  });
}

/** The match-weight waterfall of two rows of the table under a model: the same arithmetic as scoring. */
export function explainRows(
  table: RecordTable,
  model: FellegiSunterModel,
  left: number,
  right: number,
  tf: readonly (TermFrequencyInput | null)[] = termFrequencyInputs(table, model.comparisons),
  vectorizer: ComparisonVectorizer = compileVectorizer(table, model.comparisons),
): MatchExplanation {
  const vector = new Uint8Array(model.comparisons.length);
  vectorizer.vectorize(left, right, vector, 0);
  return explainPair({ model, vector, left, right, tf });
}
