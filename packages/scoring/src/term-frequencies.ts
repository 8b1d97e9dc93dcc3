import type { EncodedColumn } from './types.js';

/**
 * Relative frequency of each dictionary value among the records where the column
 * is present: count / non-missing count per id, index 0 (missing) = 0. Drives the
 * term-frequency adjustment of exact levels (a match on "smith" is weaker evidence
 * than a match on a rare name).
 */
export function termFrequencies(column: EncodedColumn): Float64Array {
  const counts = new Float64Array(column.dictionary.length);
  const ids = column.ids;
  for (let i = 0; i < ids.length; i++) counts[ids[i]]++;
  const present = ids.length - counts[0];
  counts[0] = 0;
  if (present > 0) for (let id = 1; id < counts.length; id++) counts[id] /= present;
  return counts;
}
