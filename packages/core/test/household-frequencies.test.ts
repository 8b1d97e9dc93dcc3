import { describe, expect, it } from 'vitest';
import { buildRecordTable } from '../src/index.js';
import { defaultComparisons, termFrequencyInputs, unseenValueFrequency } from '../src/advanced.js';

const settings = { recordId: 'id', fields: { given: 'given_name', dob: 'birth_date', street: 'street_address', phone: 'phone' } } as const;

/**
 * Twenty people living alone, a household of two and one of three; every person has two records
 * with the household's street address and phone. People are told apart by birth date.
 */
function records(): Record<string, string>[] {
  const households = [...Array.from({ length: 20 }, () => 1), 2, 3];
  const out: Record<string, string>[] = [];
  let person = 0;
  households.forEach((size, h) => {
    for (let member = 0; member < size; member++, person++) {
      const values = { given: `Given${person}`, dob: `19${40 + (person % 50)}-0${1 + (person % 9)}-1${person % 10}`, street: `${h + 1} High Street`, phone: `555${String(h).padStart(7, '0')}` };
      out.push({ id: `a${person}`, ...values }, { id: `b${person}`, ...values });
    }
  });
  return out;
}

describe('term frequencies of a street address and a phone: the other people at the value', () => {
  it('weigh an agreement by the household less the person: one person alone rarest, a household of three twice as common as one of two', async () => {
    const table = await buildRecordTable([{ name: 'ehr', records: records() }], settings);
    const comparisons = defaultComparisons(table.fieldKinds);
    for (const field of ['street_address', 'phone']) {
      const c = comparisons.findIndex((comparison) => comparison.column === field);
      const { ids, tf } = termFrequencyInputs(table, comparisons)[c]!;
      // Person 0 lives alone, persons 20-21 are the household of two, 22-24 that of three.
      const of = (person: number) => tf[ids[table.recordIds.indexOf(`a${person}`)]];
      const [alone, two, three] = [of(0), of(20), of(22)];
      // 25 people hold a value; 1 and 2 other people among the 24 others.
      expect(two, field).toBeCloseTo(1 / 24, 12);
      expect(three, field).toBeCloseTo(2 / 24, 12);
      // Alone: the field's own rate of sharing among different people (8 ordered pairs among 25 x 24), rarer than half a person.
      expect(alone, field).toBeCloseTo(8 / (25 * 24), 12);
      expect(alone, field).toBeLessThan(two);
      // An index scoring a new record's address (not in the table) counts it as one more household of one.
      expect(unseenValueFrequency(table, comparisons[c], tf), field).toBeCloseTo(alone, 12);
    }
  });
});
