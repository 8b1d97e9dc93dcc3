import { describe, expect, it } from 'vitest';
import {
  addressLine2Comparison,
  birthDateComparison,
  cityComparison,
  compileVectorizer,
  emailComparison,
  exactComparison,
  familyNameComparison,
  givenNameComparison,
  identifierComparison,
  middleNameComparison,
  phoneComparison,
  postcodeComparison,
  sexComparison,
  stateComparison,
  streetAddressComparison,
  streetNumberComparison,
  textComparison,
  type Comparison,
} from '../src/index.js';
import { encodeTable } from './encode-table.js';

/** Label of the level a pair of rows lands in for one comparison. */
function landsIn(comparison: Comparison, left: Record<string, string>, right: Record<string, string>): string {
  const vectorizer = compileVectorizer(encodeTable([left, right]), [comparison]);
  const out = new Uint8Array(1);
  vectorizer.vectorize(0, 1, out, 0);
  return comparison.levels[out[0]].label;
}

const pair = (column: string, a: string, b: string): [Record<string, string>, Record<string, string>] => [{ [column]: a }, { [column]: b }];
/** Two name rows; the other name column is present but empty so swapped levels compile. */
const names = (column: 'given_name' | 'family_name', a: string, b: string): [Record<string, string>, Record<string, string>] => [
  { given_name: '', family_name: '', [column]: a },
  { given_name: '', family_name: '', [column]: b },
];

describe('comparison library', () => {
  it('names each comparison after its column, null level first and else last', () => {
    for (const c of [givenNameComparison('g'), birthDateComparison('d'), postcodeComparison('p'), exactComparison('x')]) {
      expect(c.name).toBe(c.column);
      expect(c.levels[0].test.type).toBe('null');
      expect(c.levels[c.levels.length - 1].test.type).toBe('else');
      expect(c.levels.length).toBeLessThanOrEqual(10);
    }
  });

  it('marks skewed exact levels for term-frequency adjustment', () => {
    expect(givenNameComparison('g').levels[1]).toMatchObject({ label: 'exact', tfAdjustment: true });
    expect(cityComparison('c').levels[1].tfAdjustment).toBe(true);
    // Birth dates too since issue 19 (counted per person: a spike such as 1 January is weaker evidence).
    expect(birthDateComparison('d').levels[1].tfAdjustment).toBe(true);
    // Phone and street address too: a number or address more people share is weaker evidence (householdFrequencies).
    expect(phoneComparison('p').levels[1].tfAdjustment).toBe(true);
    expect(streetAddressComparison('s').levels[1].tfAdjustment).toBe(true);
    expect(addressLine2Comparison('l').levels[1].tfAdjustment).toBeFalsy();
    expect(exactComparison('x', { tfAdjustment: true }).levels[1].tfAdjustment).toBe(true);
  });

  it('given name: nicknames, typos, phonetic spellings, initials and swaps', () => {
    const given = givenNameComparison('given_name', { swappedWith: 'family_name' });
    expect(landsIn(given, ...names('given_name', 'william', 'william'))).toBe('exact');
    expect(landsIn(given, ...names('given_name', 'bill', 'william'))).toBe('nickname');
    expect(landsIn(given, ...names('given_name', 'jon', 'john'))).toBe('nickname');
    expect(landsIn(given, ...names('given_name', 'jenifer', 'jennifer'))).toBe('Jaro-Winkler >= 0.92');
    expect(landsIn(given, ...names('given_name', 'ohn', 'john'))).toBe('Damerau-Levenshtein <= 1');
    expect(landsIn(given, ...names('given_name', 'rebecca', 'rebekah'))).toBe('Jaro-Winkler >= 0.8');
    expect(landsIn(given, ...names('given_name', 'kathryn', 'catherine'))).toBe('Double Metaphone');
    expect(landsIn(given, ...names('given_name', 'j', 'john'))).toBe('initial');
    expect(landsIn(given, ...names('given_name', 'mary', 'john'))).toBe('else');
    expect(landsIn(given, ...names('given_name', '', 'john'))).toBe('missing');
    expect(
      landsIn(given, { given_name: 'smith', family_name: 'john' }, { given_name: 'john', family_name: 'smith' }),
    ).toBe('swapped with family_name');
  });

  it('family name: typos and sound-alikes, swaps', () => {
    const family = familyNameComparison('family_name', { swappedWith: 'given_name' });
    expect(landsIn(family, ...names('family_name', 'anderson', 'andersen'))).toBe('Jaro-Winkler >= 0.92');
    expect(landsIn(family, ...names('family_name', 'smith', 'smyth'))).toBe('Damerau-Levenshtein <= 1');
    expect(landsIn(family, ...names('family_name', 'vrown', 'brown'))).toBe('Damerau-Levenshtein <= 1');
    expect(landsIn(family, ...names('family_name', 'lee', 'lea'))).toBe('Damerau-Levenshtein <= 1');
    expect(landsIn(family, ...names('family_name', 'mueller', 'miller'))).toBe('Jaro-Winkler >= 0.8');
    expect(landsIn(family, ...names('family_name', 'knight', 'nite'))).toBe('Double Metaphone');
    expect(
      landsIn(family, { given_name: 'smith', family_name: 'john' }, { given_name: 'john', family_name: 'smith' }),
    ).toBe('swapped with given_name');
  });

  it('middle name: an initial against the full name', () => {
    const middle = middleNameComparison('middle_name');
    expect(landsIn(middle, ...pair('middle_name', 'a', 'anne'))).toBe('initial');
    expect(landsIn(middle, ...pair('middle_name', 'anne', 'ann'))).toBe('Jaro-Winkler >= 0.92');
  });

  it('birth date: digit typos, transposed day and month, year slips', () => {
    const birth = birthDateComparison('birth_date');
    expect(landsIn(birth, ...pair('birth_date', '19870305', '19870305'))).toBe('exact');
    expect(landsIn(birth, ...pair('birth_date', '19870305', '19870306'))).toBe('one digit off or adjacent digits swapped');
    expect(landsIn(birth, ...pair('birth_date', '19870305', '19780305'))).toBe('one digit off or adjacent digits swapped');
    expect(landsIn(birth, ...pair('birth_date', '19870305', '19870503'))).toBe('day/month transposed');
    expect(landsIn(birth, ...pair('birth_date', '19890305', '19900305'))).toBe('year off by one');
    expect(landsIn(birth, ...pair('birth_date', '19870305', '19870321'))).toBe('within 30 days');
    expect(landsIn(birth, ...pair('birth_date', '19870305', '19650911'))).toBe('else');
  });

  it('address parts: moved house, mistyped numbers and postcodes', () => {
    expect(landsIn(streetNumberComparison('n'), ...pair('n', '12', '21'))).toBe('Damerau-Levenshtein <= 1');
    expect(landsIn(streetAddressComparison('s'), ...pair('s', '12 high street', '12 high stret'))).toBe('Damerau-Levenshtein <= 1');
    expect(landsIn(streetAddressComparison('s'), ...pair('s', 'chisholm street', 'chisholmstreet'))).toBe('Damerau-Levenshtein <= 1');
    // Different streets sharing a long ending are close by Jaro-Winkler only, a level of their own.
    expect(landsIn(streetAddressComparison('s'), ...pair('s', 'heard street', 'hawker street'))).toBe('Jaro-Winkler >= 0.9');
    expect(landsIn(streetAddressComparison('s'), ...pair('s', 'flat 3 12 high street', '12 high street'))).toBe('token overlap >= 0.5');
    expect(landsIn(streetAddressComparison('s'), ...pair('s', '4 mill lane', '12 high street'))).toBe('else');
    expect(landsIn(cityComparison('c'), ...pair('c', 'springfield', 'springfeild'))).toBe('Jaro-Winkler >= 0.9');
    expect(landsIn(stateComparison('st'), ...pair('st', 'nsw', 'vic'))).toBe('else');
    expect(landsIn(stateComparison('st'), ...pair('st', 'qld', 'qdl'))).toBe('Damerau-Levenshtein <= 1');
    expect(landsIn(postcodeComparison('p'), ...pair('p', '2010', '2011'))).toBe('Damerau-Levenshtein <= 1');
    expect(landsIn(postcodeComparison('p'), ...pair('p', '2010', '2016'))).toBe('Damerau-Levenshtein <= 1');
    expect(landsIn(postcodeComparison('p'), ...pair('p', '20100', '20166'))).toBe('first 3 characters agree');
  });

  it('address lines: first and second line entered in each other\'s place', () => {
    const line1 = streetAddressComparison('street_address', { otherLine: 'address_line_2' });
    const line2 = addressLine2Comparison('address_line_2', { otherLine: 'street_address' });
    const lines = (a1: string, a2: string) => ({ street_address: a1, address_line_2: a2 });
    const swappedRows = [lines('12 high street', 'rose cottage'), lines('rose cottage', '12 high street')] as const;
    expect(landsIn(line1, ...swappedRows)).toBe('swapped with address_line_2');
    expect(landsIn(line2, ...swappedRows)).toBe('swapped with street_address');
    const misspelt = [lines('chisholm street', 'lashbrooke'), lines('lashbrooke', 'chisholmstreet')] as const;
    expect(landsIn(line1, ...misspelt)).toBe('swapped with address_line_2, Jaro-Winkler >= 0.9');
    const movedOneWay = [lines('12 high street', 'rose cottage'), lines('rose cottage', 'unit 4')] as const;
    expect(landsIn(line1, ...movedOneWay)).toBe('like address_line_2 of the other record, Jaro-Winkler >= 0.9');
    // The lines' own agreement comes first; unrelated lines are still "else".
    expect(landsIn(line1, lines('12 high street', 'rose cottage'), lines('12 high street', 'unit 4'))).toBe('exact');
    expect(landsIn(line1, lines('12 high street', 'rose cottage'), lines('4 mill lane', 'unit 4'))).toBe('else');
    // Without a second line the comparison has no swap levels.
    expect(streetAddressComparison('s').levels.map((l) => l.test.type)).toEqual(['null', 'exact', 'damerauLevenshtein', 'jaroWinkler', 'tokenOverlap', 'else']);
  });

  it('contact details and identifiers: one keying error', () => {
    expect(landsIn(phoneComparison('ph'), ...pair('ph', '0412345678', '0412345687'))).toBe('Damerau-Levenshtein <= 1');
    expect(landsIn(emailComparison('e'), ...pair('e', 'jsmith@example.org', 'jsmth@example.org'))).toBe('Damerau-Levenshtein <= 1');
    expect(landsIn(identifierComparison('id'), ...pair('id', '123456789', '123456798'))).toBe('Damerau-Levenshtein <= 1');
    expect(landsIn(identifierComparison('id'), ...pair('id', '123456789', '987654321'))).toBe('else');
    expect(landsIn(sexComparison('sex'), ...pair('sex', 'f', 'm'))).toBe('else');
    expect(landsIn(textComparison('t'), ...pair('t', 'type 2 diabetes', 'diabetes type 2'))).toBe('token overlap >= 0.5');
  });
});
