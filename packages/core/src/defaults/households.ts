import type { CandidatePairs } from '@mpi/blocking';
import type { Comparison } from '@mpi/scoring';

/**
 * Share of address-sharing candidate pairs that look like two different people
 * (given name and birth date both present and both different) above which the
 * data is taken to hold households. Measured on default blocking: FEBRL3/4 (no
 * households: its duplicates are corrupted field by field) 0.021 and 0.023;
 * the generated multi-source population 0.75 at 8k and 85k records.
 */
export const HOUSEHOLD_SHARE = 0.1;

/** What householdShare reads of a record table (RecordTable, read/record-table.ts): the value ids of its columns, 0 for missing. */
export interface HouseholdColumns {
  readonly columns: Readonly<Record<string, { readonly ids: ArrayLike<number> } | undefined>>;
}

/**
 * Whether relatives or flatmates share addresses in this data, read off the
 * candidate pairs: among pairs with the same street address and postcode (or
 * city), how many differ in both given name and birth date. Undefined when the
 * fields to tell are absent.
 *
 * Why it matters: where different people often share an address, agreeing on
 * street, postcode, phone and family name is one piece of evidence, not five
 * (the household evidence group). Where they rarely do (FEBRL), each field is
 * independent evidence, and grouping them loses true pairs whose given name or
 * birth date was corrupted.
 */
export function householdShare(table: HouseholdColumns, pairs: CandidatePairs): number | undefined {
  const fields = householdFields(table.columns);
  if (fields === undefined) return undefined;
  const [street, place, given, born] = fields.map((field) => table.columns[field]!.ids);
  let sharing = 0;
  let different = 0;
  for (const { left, right } of pairs.chunks) {
    for (let k = 0; k < left.length; k++) {
      const a = left[k];
      const b = right[k];
      if (street[a] === 0 || street[a] !== street[b] || place[a] === 0 || place[a] !== place[b]) continue;
      sharing++;
      if (given[a] !== 0 && given[b] !== 0 && given[a] !== given[b] && born[a] !== 0 && born[b] !== 0 && born[a] !== born[b]) different++;
    }
  }
  return shareOf(sharing, different);
}

/** The columns householdShare compares (street address, postcode or else city, given name, birth date), or undefined when one is absent. */
export function householdFields(columns: Readonly<Record<string, unknown>>): [string, string, string, string] | undefined {
  const place = columns.postcode !== undefined ? 'postcode' : 'city';
  const fields = ['street_address', place, 'given_name', 'birth_date'] as [string, string, string, string];
  return fields.every((field) => columns[field] !== undefined) ? fields : undefined;
}

/** The household share from the address-sharing pairs and those of them that look like two different people (see householdShare; SQL counts them in DuckDB). */
export function shareOf(sharing: number, different: number): number | undefined {
  return sharing === 0 ? undefined : different / sharing;
}

/** The comparisons without the household evidence group, each field then counting as evidence of its own. */
export function withoutHouseholdGroup(comparisons: readonly Comparison[]): Comparison[] {
  return comparisons.map((comparison) => {
    if (comparison.evidenceGroup !== 'household') return comparison;
    const { evidenceGroup: _dropped, ...rest } = comparison;
    return rest;
  });
}
