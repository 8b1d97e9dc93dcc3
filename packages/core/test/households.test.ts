import { describe, expect, it } from 'vitest';
import { buildRecordTable } from '../src/index.js';
import { defaultComparisons, HOUSEHOLD_SHARE, householdShare, withoutHouseholdGroup } from '../src/advanced.js';

const settings = {
  recordId: 'id',
  fields: { given: 'given_name', family: 'family_name', dob: 'birth_date', street: 'street_address', postcode: 'postcode' },
} as const;

/** All pairs of a table's rows as one candidate chunk. */
function allPairs(size: number) {
  const left: number[] = [];
  const right: number[] = [];
  for (let l = 0; l < size; l++) for (let r = l + 1; r < size; r++) left.push(l), right.push(r);
  return { chunks: [{ left: Uint32Array.from(left), right: Uint32Array.from(right) }], count: left.length, countsByRule: [left.length] };
}

describe('households: do different people share addresses in this data?', () => {
  it('measures the share of address-sharing pairs that differ in given name and birth date', async () => {
    const records = [
      // A family of three at one address, and one of them again with a typo in the birth date.
      { id: '1', given: 'Ana', family: 'Reyes', dob: '1980-01-02', street: '1 Oak St', postcode: '10001' },
      { id: '2', given: 'Luis', family: 'Reyes', dob: '1978-05-06', street: '1 Oak St', postcode: '10001' },
      { id: '3', given: 'Sofia', family: 'Reyes', dob: '2010-09-10', street: '1 Oak St', postcode: '10001' },
      { id: '4', given: 'Ana', family: 'Reyes', dob: '1980-01-03', street: '1 Oak St', postcode: '10001' },
      // Elsewhere, and a record without an address: neither counts.
      { id: '5', given: 'Ana', family: 'Reyes', dob: '1980-01-02', street: '9 Elm Rd', postcode: '20002' },
      { id: '6', given: 'Max', family: 'Cole', dob: '1990-01-01', street: '', postcode: '' },
    ];
    const table = await buildRecordTable([{ name: 'ehr', records }], settings);
    // Six pairs share "1 Oak St, 10001"; all but 1-4 differ in both given name and birth date.
    expect(householdShare(table, allPairs(table.size))).toBeCloseTo(5 / 6, 12);
  });

  it('cannot tell without a street address, a place, a given name and a birth date', async () => {
    const table = await buildRecordTable([{ name: 'ehr', records: [{ id: '1', given: 'Ana', dob: '1980-01-02' }, { id: '2', given: 'Ana', dob: '1980-01-02' }] }], {
      recordId: 'id',
      fields: { given: 'given_name', dob: 'birth_date' },
    });
    expect(householdShare(table, allPairs(2))).toBeUndefined();
  });

  it('lets each address field count on its own when households are absent', () => {
    const comparisons = defaultComparisons(new Map([['given_name', 'given_name'], ['family_name', 'family_name'], ['postcode', 'postcode']] as const));
    expect(comparisons.filter((c) => c.evidenceGroup === 'household').map((c) => c.column)).toEqual(['family_name', 'postcode']);
    expect(withoutHouseholdGroup(comparisons).some((c) => c.evidenceGroup !== undefined)).toBe(false);
    expect(HOUSEHOLD_SHARE).toBeGreaterThan(0);
  });
});
