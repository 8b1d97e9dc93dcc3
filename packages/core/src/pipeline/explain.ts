import {
  compileVectorizer,
  explainPair,
  frequenciesOfCounts,
  householdFrequenciesOfCounts,
  identifierFrequenciesOfCounts,
  type Comparison,
  type CompiledWeights,
  type ComparisonVectorizer,
  type FellegiSunterModel,
  type MatchExplanation,
  type TermFrequencyInput,
  unionValueSlots,
  valueCounts,
} from '@mpi/scoring';
import type { EncodedColumn } from '@mpi/types';
import type { FieldKind } from '../defaults/field-kind-names.js';
import type { RecordTable } from '../read/record-table.js';
import { demographicPartner } from '../read/placeholder-values.js';

/** Kinds whose value belongs to one person: agreeing on it is chance only where the data shows it shared (identifierFrequencies). */
const ONE_VALUE_A_PERSON: ReadonlySet<FieldKind> = new Set(['national_id', 'identifier']);

/** Whether a comparison's term frequencies are identifierFrequencies (a single-valued field of one value a person), not termFrequencies. */
export function holdsOneValueAPerson(fieldKinds: ReadonlyMap<string, FieldKind>, comparison: Comparison): boolean {
  const kind = fieldKinds.get(comparison.column);
  return kind !== undefined && ONE_VALUE_A_PERSON.has(kind) && !comparison.valueColumns?.length;
}

/** Kinds whose value a household shares: agreeing on it is chance in proportion to the other people at the value (householdFrequencies). */
const ONE_VALUE_A_HOUSEHOLD: ReadonlySet<FieldKind> = new Set(['street_address', 'phone']);

/** Whether a comparison's term frequencies are householdFrequencies (an address or phone, single- or multi-valued). */
export function holdsOneValueAHousehold(fieldKinds: ReadonlyMap<string, FieldKind>, comparison: Comparison): boolean {
  const kind = fieldKinds.get(comparison.column);
  return kind !== undefined && ONE_VALUE_A_HOUSEHOLD.has(kind);
}

/** The frequencies of a comparison's values from their counts (per person or per record), by its field's kind; in place. */
export function frequenciesOfKind(fieldKinds: ReadonlyMap<string, FieldKind>, comparison: Comparison, counts: Float64Array): Float64Array {
  if (holdsOneValueAPerson(fieldKinds, comparison)) return identifierFrequenciesOfCounts(counts);
  if (holdsOneValueAHousehold(fieldKinds, comparison)) return householdFrequenciesOfCounts(counts);
  return frequenciesOfCounts(counts);
}

/** The frequencies of a column's values (counted per person when `partner` tells people apart), by the comparison's field kind (see frequenciesOfKind). */
function frequenciesOf(fieldKinds: ReadonlyMap<string, FieldKind>, comparison: Comparison, column: EncodedColumn, partner: EncodedColumn | undefined): Float64Array {
  return frequenciesOfKind(fieldKinds, comparison, valueCounts(column, partner));
}

/**
 * The frequency a value absent from `table` counts as when scored against the
 * term frequencies `tf` of the comparison (an index scoring a new record): a
 * value of one person (national id) or of one household (address, phone) is one
 * more holder without a namesake, the rate identifierFrequencies or
 * householdFrequencies gives such a value (its smallest); any other value is as
 * rare as one record of the table.
 */
export function unseenValueFrequency(table: RecordTable, comparison: Comparison, tf: Float64Array): number {
  if (holdsOneValueAPerson(table.fieldKinds, comparison) || holdsOneValueAHousehold(table.fieldKinds, comparison)) {
    let least = Infinity;
    for (let id = 1; id < tf.length; id++) if (tf[id] > 0 && tf[id] < least) least = tf[id];
    if (least < Infinity) return least;
  }
  const ids = table.columns[comparison.column].ids;
  let present = 0;
  for (let r = 0; r < ids.length; r++) if (ids[r] !== 0) present++;
  return present > 0 ? 1 / present : 1;
}

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
    const partnerName = demographicPartner(comparison.column, table.columns);
    const partner = partnerName === undefined ? undefined : table.columns[partnerName];
    if (!comparison.valueColumns?.length) {
      return { ids: column.ids, tf: frequenciesOf(table.fieldKinds, comparison, column, partner) };
    }
    return multiValuedFrequencies(table, comparison, partner);
  });
}

/**
 * Term frequencies of a multi-valued field (a home and a mailing postcode):
 * counted over every value column in one dictionary (a value held in the second
 * column is as common as in the first), with the further columns' ids beside
 * them so that a pair agreeing on its second values is adjusted by that value's
 * frequency (see pairFrequency).
 */
function multiValuedFrequencies(table: RecordTable, comparison: Comparison, partner: EncodedColumn | undefined): TermFrequencyInput {
  const { dictionary, slots } = unionValueSlots(table, comparison);
  const size = table.size;
  const ids = new Uint32Array(size * slots.length);
  slots.forEach((slot, s) => ids.set(slot, s * size));
  // Every value column's records as one column; a person is told apart by the same partner value on each.
  const people = partner && { dictionary: partner.dictionary, ids: new Uint32Array(size * slots.length) };
  if (people) for (let s = 0; s < slots.length; s++) people.ids.set(partner!.ids, s * size);
  return { ids: slots[0], tf: frequenciesOf(table.fieldKinds, comparison, { dictionary, ids }, people), slots: slots.slice(1) };
}

/**
 * The match-weight waterfall of two rows of the table under a model: the same arithmetic as scoring.
 * `compiled`, when given, is the model's weights compiled with `tf` already (see explainPair).
 */
export function explainRows(
  table: RecordTable,
  model: FellegiSunterModel,
  left: number,
  right: number,
  tf: readonly (TermFrequencyInput | null)[] = termFrequencyInputs(table, model.comparisons),
  vectorizer: ComparisonVectorizer = compileVectorizer(table, model.comparisons),
  compiled?: CompiledWeights,
): MatchExplanation {
  const vector = new Uint8Array(model.comparisons.length);
  vectorizer.vectorize(left, right, vector, 0);
  return explainPair({ model, vector, left, right, tf, compiled });
}
