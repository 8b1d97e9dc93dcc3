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
  return frequenciesOfCounts(valueCounts(column, people));
}

/**
 * The count of each value id that every kind of frequency divides: records, or
 * with `people` the distinct people among each value's records (see
 * termFrequencies). A new Float64Array, which the *OfCounts functions turn into
 * frequencies in place.
 */
export function valueCounts(column: EncodedColumn, people?: EncodedColumn): Float64Array {
  return people === undefined ? recordCounts(column) : personCounts(column, people);
}

/**
 * Term frequencies from the count of each value id (records, or people: see
 * termFrequencies), in place: each count over the total (id 0, missing, is 0).
 * The streamed read counts in SQL and divides here.
 */
export function frequenciesOfCounts(counts: Float64Array): Float64Array {
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

/**
 * Per value, the distinct `people` values among its records (1 when none has
 * one): the records grouped by value (a counting sort), then one pass that marks
 * each people value with the last value it was seen with. Linear; sorting
 * (value, person) keys took ~0.4 s per column at 1M records.
 */
function personCounts(column: EncodedColumn, people: EncodedColumn): Float64Array {
  const ids = column.ids;
  const who = people.ids;
  const values = column.dictionary.length;
  const start = new Uint32Array(values + 1);
  for (let r = 0; r < ids.length; r++) start[ids[r] + 1]++;
  for (let v = 0; v < values; v++) start[v + 1] += start[v];
  const next = start.slice(0, values);
  const byValue = new Uint32Array(ids.length);
  for (let r = 0; r < ids.length; r++) byValue[next[ids[r]]++] = r;
  const seenWith = new Uint32Array(people.dictionary.length);
  const counts = new Float64Array(values);
  for (let v = 1; v < values; v++) {
    let persons = 0;
    for (let i = start[v]; i < start[v + 1]; i++) {
      const person = who[byValue[i]];
      if (person !== 0 && seenWith[person] !== v) {
        seenWith[person] = v;
        persons++;
      }
    }
    if (start[v + 1] > start[v]) counts[v] = Math.max(persons, 1);
  }
  return counts;
}

/**
 * Frequencies for a field meant to hold one value per person (a national id):
 * per value, the chance that a *different* person holds it, (n - 1) / (N - 1),
 * with n the value's holders and N every holder, counted per person as
 * termFrequencies counts them. Record-linkage term frequencies (n / N) count the
 * holder themself, which for a value only one person holds says an exact id
 * agreement happens by chance once in N pairs: at 1,000 holders, 10 bits, no
 * stronger than a rare name. A value one person holds takes the field's own
 * rate of sharing among different people, sum n(n - 1) / (N(N - 1)) (ids reused
 * in a family, typos that land on another person's id), counted as at least one
 * shared pair.
 */
export function identifierFrequencies(column: EncodedColumn, people?: EncodedColumn): Float64Array {
  return identifierFrequenciesOfCounts(valueCounts(column, people));
}

/**
 * Every holder of a field (missing, id 0, counts none: set to 0 in place) and
 * the field's own rate of sharing among different people,
 * sum n(n - 1) / (N(N - 1)), counted as at least one shared pair; undefined
 * under two holders, where no two people can share a value.
 */
function sharingOf(counts: Float64Array): { holders: number; unshared: number } | undefined {
  counts[0] = 0;
  let holders = 0;
  let sharedPairs = 0;
  for (let id = 1; id < counts.length; id++) {
    holders += counts[id];
    sharedPairs += counts[id] * (counts[id] - 1);
  }
  return holders < 2 ? undefined : { holders, unshared: Math.max(sharedPairs, 2) / (holders * (holders - 1)) };
}

/** identifierFrequencies from the count of each value id (per person or per record), in place; the streamed read counts in SQL. */
export function identifierFrequenciesOfCounts(counts: Float64Array): Float64Array {
  const sharing = sharingOf(counts);
  if (sharing === undefined) return frequenciesOfCounts(counts);
  const { holders, unshared } = sharing;
  for (let id = 1; id < counts.length; id++) if (counts[id] > 0) counts[id] = Math.max(unshared, (counts[id] - 1) / (holders - 1));
  return counts;
}

/** The people other than its holder that a value one person holds counts as (householdFrequencies). */
const LONE_HOLDER_SHARE = 0.5;

/**
 * Frequencies for household evidence (a street address, a phone number): per
 * value, the chance that a *different* person holds it, (n - 1) / (N - 1), with
 * n the people at the value (counted as termFrequencies counts them: the
 * household and whoever else gave it) and N every holder. Two records of
 * different people agree on an address because they live together, so the
 * chance is the size of the household less the person: agreeing on the address
 * of someone who lives alone is strong evidence, on that of a household of six
 * weak. Record-linkage term frequencies (n / N) count the person themself and
 * put a one-person address on a par with a two-person one. Measured with the
 * truth on the placeholder regime at 30% (2,000 people): candidate pairs that
 * share an address and nothing else that says who they are (an unknown patient)
 * are 100% matches where one person lives at the address, ~85% where two, ~25%
 * where three or more, against 45% over all of them. A value one person holds
 * takes half a person (a later tenant, a typo landing on it), as a level never
 * observed takes half a sampled pair, or the field's own rate of sharing among
 * different people, sum n(n - 1) / (N(N - 1)) (as identifierFrequencies), when
 * that is rarer: where few values are shared (cell phones, one a person), half
 * a person would make the one-person value weaker than the field's average.
 */
export function householdFrequencies(column: EncodedColumn, people?: EncodedColumn): Float64Array {
  return householdFrequenciesOfCounts(valueCounts(column, people));
}

/** householdFrequencies from the count of each value id (per person or per record), in place; the streamed read counts in SQL. */
export function householdFrequenciesOfCounts(counts: Float64Array): Float64Array {
  const sharing = sharingOf(counts);
  if (sharing === undefined) return frequenciesOfCounts(counts);
  const { holders, unshared } = sharing;
  const alone = Math.min(LONE_HOLDER_SHARE / (holders - 1), unshared);
  for (let id = 1; id < counts.length; id++) if (counts[id] > 0) counts[id] = counts[id] > 1 ? (counts[id] - 1) / (holders - 1) : alone;
  return counts;
}
