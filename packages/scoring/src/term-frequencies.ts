import type { EncodedColumn } from './types.js';

/**
 * Relative frequency of each dictionary value, index 0 (missing) = 0. Drives
 * the term-frequency adjustment (a match on "smith" is weaker evidence than a
 * match on a rare name).
 *
 * Without `people`: count / non-missing count per value, over records. With
 * `people`, a demographic column that tells people apart (the birth date for a
 * name, the given name for a birth date): each value counts once per distinct
 * `people` value among its records, i.e. per person rather than per record. A
 * value's record count is mostly how many records its holders have: a patient
 * with 30 visits makes a rare name look common and every pair of their own
 * records weaker (the known weakness of record-counted frequencies when the data
 * holds duplicates, which is the data we link). Records whose `people` value is
 * missing count as one person per value when no other record of it has one.
 */
export function termFrequencies(column: EncodedColumn, people?: EncodedColumn): Float64Array {
  const counts = people === undefined ? recordCounts(column) : personCounts(column, people);
  let total = 0;
  for (let id = 1; id < counts.length; id++) total += counts[id];
  counts[0] = 0;
  if (total > 0) for (let id = 1; id < counts.length; id++) counts[id] /= total;
  return counts;
}

function recordCounts(column: EncodedColumn): Float64Array {
  const counts = new Float64Array(column.dictionary.length);
  const ids = column.ids;
  for (let i = 0; i < ids.length; i++) counts[ids[i]]++;
  return counts;
}

/** Per value, the distinct `people` values among its records (1 when none has one). */
function personCounts(column: EncodedColumn, people: EncodedColumn): Float64Array {
  const width = people.dictionary.length;
  // value * width + person as one exactly representable double (below 2^53: any two
  // dictionaries of under 90 million values each); past that, counted per record.
  if (column.dictionary.length * width >= Number.MAX_SAFE_INTEGER) return recordCounts(column);
  const ids = column.ids;
  const who = people.ids;
  let present = 0;
  for (let r = 0; r < ids.length; r++) if (ids[r] !== 0) present++;
  const keys = new Float64Array(present);
  for (let r = 0, i = 0; r < ids.length; r++) if (ids[r] !== 0) keys[i++] = ids[r] * width + who[r];
  keys.sort();
  const counts = new Float64Array(column.dictionary.length);
  // Runs of one value; within a run, distinct persons (a missing person, 0, sorts first).
  for (let i = 0; i < keys.length; ) {
    const value = Math.floor(keys[i] / width);
    let persons = 0;
    let j = i;
    for (; j < keys.length && Math.floor(keys[j] / width) === value; j++) {
      if (keys[j] - value * width !== 0 && (j === i || keys[j - 1] !== keys[j])) persons++;
    }
    counts[value] = Math.max(persons, 1);
    i = j;
  }
  return counts;
}
