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
import { demographicPartner } from '../read/placeholder-values.js';

/**
 * Term frequencies of the columns whose comparisons have a term-frequency-adjusted
 * level (null for the others): the `tf` input of scorePairs and ComparisonPool.score
 * for pairs of this table. Values are counted per person (told apart by the birth
 * date, or the given name for the birth date), not per record: see termFrequencies.
 */
export function termFrequencyInputs(table: RecordTable, comparisons: readonly Comparison[]): (TermFrequencyInput | null)[] {
  return comparisons.map((comparison) => {
    if (!comparison.levels.some((level) => level.tfAdjustment)) return null;
    const column = table.columns[comparison.column];
    const partner = demographicPartner(comparison.column, table.columns);
    return { ids: column.ids, tf: termFrequencies(column, partner === undefined ? undefined : table.columns[partner]) };
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
