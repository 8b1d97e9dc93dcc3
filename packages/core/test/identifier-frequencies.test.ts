import { describe, expect, it } from 'vitest';
import { buildRecordTable } from '../src/index.js';
import { defaultComparisons, termFrequencyInputs, unseenValueFrequency } from '../src/advanced.js';

const settings = { recordId: 'id', fields: { given: 'given_name', family: 'family_name', dob: 'birth_date', ssn: 'national_id' } } as const;

/** `n` people, each with an id of their own and two records of it; the last person's child has a record holding the parent's id. */
function records(n: number): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (let i = 0; i < n; i++) {
    const person = { given: `Given${i}`, family: `Family${i}`, dob: `19${String(40 + (i % 50)).padStart(2, '0')}-0${1 + (i % 9)}-1${i % 10}`, ssn: String(100_000_000 + i * 7919) };
    out.push({ id: `a${i}`, ...person }, { id: `b${i}`, ...person });
  }
  out.push({ id: 'child', given: 'Child', family: `Family${n - 1}`, dob: '2015-06-01', ssn: String(100_000_000 + (n - 1) * 7919) });
  return out;
}

describe('term frequencies of a national id', () => {
  it("weigh an exact agreement on one person's id by how often the data shows ids shared between people, not as 1 in N", async () => {
    const n = 200;
    const table = await buildRecordTable([{ name: 'ehr', records: records(n) }], settings);
    const comparisons = defaultComparisons(table.fieldKinds);
    const c = comparisons.findIndex((comparison) => comparison.column === 'national_id');
    const tf = termFrequencyInputs(table, comparisons)[c]!.tf;
    const column = table.columns.national_id;
    const idOf = (value: string) => column.dictionary.indexOf(value);
    // 201 holders (told apart by birth date); one id held by two of them (the parent's on the child's record): one shared pair among 201 x 200 / 2.
    const own = tf[idOf(String(100_000_000))];
    expect(own).toBeCloseTo(2 / (201 * 200), 12);
    expect(own).toBeLessThan(1 / 201 / 50);
    // The id two people hold: the other holder among the 200 others.
    expect(tf[idOf(String(100_000_000 + (n - 1) * 7919))]).toBeCloseTo(1 / 200, 12);
    // An index scoring a new record's id (not in the table) counts it as one more id of one person.
    expect(unseenValueFrequency(table, comparisons[c], tf)).toBeCloseTo(own, 12);
  });

  it('leave names counted as before: a name one person holds is 1 in N', async () => {
    const table = await buildRecordTable([{ name: 'ehr', records: records(50) }], settings);
    const comparisons = defaultComparisons(table.fieldKinds);
    const c = comparisons.findIndex((comparison) => comparison.column === 'given_name');
    const tf = termFrequencyInputs(table, comparisons)[c]!.tf;
    expect(tf[table.columns.given_name.dictionary.indexOf('given0')]).toBeCloseTo(1 / 51, 12);
    expect(unseenValueFrequency(table, comparisons[c], tf)).toBeCloseTo(1 / 101, 12);
  });
});
