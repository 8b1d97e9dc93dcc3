import { describe, expect, it } from 'vitest';
import {
  birthDateComparison,
  compileVectorizer,
  pairFrequency,
  phoneComparison,
  postcodeComparison,
  termFrequencies,
  unionValueSlots,
  vectorizePairs,
  type Comparison,
  type ScoringTable,
} from '../src/index.js';
import { encodeTable } from './encode-table.js';

/** The level of each comparison for the pair (left, right). */
function levels(table: ScoringTable, comparisons: readonly Comparison[], left: number, right: number): number[] {
  return Array.from(vectorizePairs(compileVectorizer(table, comparisons), Uint32Array.of(left), Uint32Array.of(right)).levels);
}

const label = (comparison: Comparison, level: number) => comparison.levels[level].label;

describe('a comparison over several value columns (valueColumns)', () => {
  // Record 0 has a home phone only; record 1 the same number as its cell phone, beside another home phone.
  const table = encodeTable([
    { phone: '61412345678' },
    { phone: '61298765432', 'phone#2': '61412345678' },
    { phone: '61298765431' },
    { 'phone#2': '61400000000' },
    {},
  ]);
  const multi: Comparison = { ...phoneComparison('phone'), valueColumns: ['phone#2'] };
  const single = phoneComparison('phone');

  it('finds a match on any pair of values, where the first column alone does not', () => {
    expect(label(single, levels(table, [single], 0, 1)[0])).toBe('else');
    expect(label(multi, levels(table, [multi], 0, 1)[0])).toBe('exact');
    expect(label(multi, levels(table, [multi], 1, 0)[0])).toBe('exact');
  });

  it('takes the best level over the pairs of values', () => {
    // 61298765431 is one digit off the home phone of record 1, and unlike its cell phone.
    expect(label(multi, levels(table, [multi], 2, 1)[0])).toBe('Damerau-Levenshtein <= 1');
  });

  it('is missing only when either record has no value in any column', () => {
    expect(levels(table, [multi], 0, 4)[0]).toBe(0);
    expect(label(multi, levels(table, [multi], 3, 0)[0])).toBe('else');
  });

  it('refuses a value column that is not in the table', () => {
    expect(() => compileVectorizer(table, [{ ...multi, valueColumns: ['phone#3'] }])).toThrow(/value column "phone#3"/);
  });
});

describe('birth dates that failed validation, kept as their digits', () => {
  const table = encodeTable([{ dob: '19900617' }, { dob: '19908617' }, { dob: '19901706' }, { dob: '19908617' }, { dob: '19900618' }]);
  const dates = birthDateComparison('dob');
  const at = (left: number, right: number) => label(dates, levels(table, [dates], left, right)[0]);

  it('still meet the string levels: exact, one digit off (month 86 for 06)', () => {
    expect(at(1, 3)).toBe('exact');
    expect(at(0, 1)).toBe('one digit off or adjacent digits swapped');
  });

  it('are no calendar date to the date arithmetic levels', () => {
    // 1990-86-17 against 1990-06-18: not one digit off, and no day number to be "within 30 days" of.
    expect(at(1, 4)).toBe('else');
    expect(at(0, 4)).toBe('one digit off or adjacent digits swapped');
  });

  it('meet the day/month transposed level when the slip put the day in the month', () => {
    expect(at(0, 2)).toBe('day/month transposed');
  });
});

describe('term frequencies of a comparison over several value columns', () => {
  // Postcode 10001 is common in the first column; 99501 is rare and held by records 0 and 3 in different columns.
  const table = encodeTable([
    { zip: '10001', 'zip#2': '99501' },
    { zip: '10001' },
    { zip: '10001' },
    { zip: '99501' },
    { zip: '10001', 'zip#2': '10001' },
  ]);
  const multi: Comparison = { ...postcodeComparison('zip'), valueColumns: ['zip#2'] };
  const { dictionary, slots } = unionValueSlots(table, multi);
  const ids = new Uint32Array(table.size * slots.length);
  slots.forEach((slot, s) => ids.set(slot, s * table.size));
  const tf = termFrequencies({ dictionary, ids });
  const input = { ids: slots[0], tf, slots: slots.slice(1) };
  const frequencyOf = (value: string) => tf[dictionary.indexOf(value)];

  it('counts the values of every column, in one dictionary that keeps the first column ids', () => {
    expect(slots[0]).toEqual(table.columns.zip.ids);
    expect(frequencyOf('99501')).toBeCloseTo(2 / 7, 12);
    expect(frequencyOf('10001')).toBeCloseTo(5 / 7, 12);
  });

  it('gives a pair the frequency of the rarest value its records share, in any column', () => {
    // Records 0 and 3 share only 99501 (first column of 3, second of 0); their first values differ.
    expect(pairFrequency(input, 0, 3)).toBe(frequencyOf('99501'));
    expect(pairFrequency(input, 3, 0)).toBe(frequencyOf('99501'));
    expect(pairFrequency(input, 0, 1)).toBe(frequencyOf('10001'));
    // Without the further columns the pair reads its first values, the commoner of the two.
    expect(pairFrequency({ ids: slots[0], tf }, 0, 3)).toBe(frequencyOf('10001'));
  });
});
