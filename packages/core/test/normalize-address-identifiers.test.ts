import { describe, expect, it } from 'vitest';
import {
  checkDigitValid,
  luhnValid,
  normalizeCheckedIdentifier,
  normalizeCity,
  normalizeIdentifier,
  normalizePostcode,
  normalizeState,
  normalizeStreetAddress,
  normalizeStreetNumber,
} from '../src/normalize/index.js';

describe('normalizeStreetAddress', () => {
  it('writes abbreviations and full words in one canonical form, in order', () => {
    expect(normalizeStreetAddress('12 Smith St.').value).toBe('12 smith street');
    expect(normalizeStreetAddress('12 SMITH STREET').value).toBe('12 smith street');
    expect(normalizeStreetAddress('Apt 4, 100 N. Main Ave').value).toBe('unit 4 100 north main avenue');
    expect(normalizeStreetAddress('Flat 4/100 North Main Avenue').value).toBe('unit 4 100 north main avenue');
    expect(normalizeStreetAddress('5 Ocean Pde').value).toBe('5 ocean parade');
    expect(normalizeStreetAddress('7 Banksia Cres').value).toBe('7 banksia crescent');
    expect(normalizeStreetAddress('1 Pacific Hwy').value).toBe('1 pacific highway');
    expect(normalizeStreetAddress('9 Sunset Blvd').value).toBe('9 sunset boulevard');
    expect(normalizeStreetAddress('3 Elm Ct').value).toBe('3 elm court');
    expect(normalizeStreetAddress('22 Wattle Tce').value).toBe('22 wattle terrace');
    expect(normalizeStreetAddress('8 Lakeview Cct').value).toBe('8 lakeview circuit');
    expect(normalizeStreetAddress('8 Oak Dr').value).toBe('8 oak drive');
    expect(normalizeStreetAddress('8 Oak Ln').value).toBe('8 oak lane');
    expect(normalizeStreetAddress('8 Oak Rd').value).toBe('8 oak road');
    expect(normalizeStreetAddress('8 Oak Pl').value).toBe('8 oak place');
  });

  it('reads "St" after the house number and before a name as Saint', () => {
    expect(normalizeStreetAddress('12 St Kilda Rd').value).toBe('12 saint kilda road');
    expect(normalizeStreetAddress('12 Saint Kilda Road').value).toBe('12 saint kilda road');
    expect(normalizeStreetAddress('12 Main St North').value).toBe('12 main street north');
  });

  it('writes P.O. Box spellings one way', () => {
    for (const raw of ['P.O. Box 12', 'PO Box 12', 'Post Office Box 12', 'POBox 12']) {
      expect(normalizeStreetAddress(raw).value).toBe('po box 12');
    }
  });

  it('treats blank as missing', () => {
    expect(normalizeStreetAddress(' , ')).toEqual({ value: '' });
  });
});

describe('normalizeStreetNumber', () => {
  it('removes spaces but keeps ranges apart', () => {
    expect(normalizeStreetNumber('12 A').value).toBe('12a');
    expect(normalizeStreetNumber('12a').value).toBe('12a');
    expect(normalizeStreetNumber('12-14').value).toBe('12-14');
    expect(normalizeStreetNumber('12 - 14').value).toBe('12-14');
  });
});

describe('normalizeCity and normalizeState', () => {
  it('folds city text and common abbreviations', () => {
    expect(normalizeCity('  São Paulo ').value).toBe('sao paulo');
    expect(normalizeCity('St. Louis').value).toBe(normalizeCity('Saint Louis').value);
    expect(normalizeCity('Mt Isa').value).toBe('mount isa');
  });

  it('writes US and Australian state names as postal abbreviations', () => {
    expect(normalizeState('New South Wales').value).toBe('nsw');
    expect(normalizeState('N.S.W.').value).toBe('nsw');
    expect(normalizeState('NSW').value).toBe('nsw');
    expect(normalizeState('California').value).toBe('ca');
    expect(normalizeState('Calif.').value).toBe('ca');
    expect(normalizeState('new york').value).toBe('ny');
    expect(normalizeState('Victoria').value).toBe('vic');
    expect(normalizeState('Bavaria').value).toBe('bavaria');
  });
});

describe('normalizePostcode', () => {
  it('upper-cases and removes spaces and dashes', () => {
    expect(normalizePostcode('sw1a 1aa').value).toBe('SW1A1AA');
    expect(normalizePostcode(' 2000 ').value).toBe('2000');
    expect(normalizePostcode('K1A-0B1').value).toBe('K1A0B1');
    expect(normalizePostcode('sw1a1aa').value).toBe('SW1A1AA');
  });

  it('keeps the 5-digit ZIP of a ZIP+4', () => {
    expect(normalizePostcode('94105-1234').value).toBe('94105');
    expect(normalizePostcode('941051234').value).toBe('94105');
    expect(normalizePostcode('94105').value).toBe('94105');
  });
});

describe('normalizeIdentifier', () => {
  it('upper-cases and removes spaces, dashes, dots and slashes', () => {
    expect(normalizeIdentifier(' mrn-0012.34/5 ')).toEqual({ value: 'MRN0012345' });
    expect(normalizeIdentifier('123 456 789')).toEqual({ value: '123456789' });
    expect(normalizeIdentifier('１２３–４５６')).toEqual({ value: '123456' });
    expect(normalizeIdentifier(' - ')).toEqual({ value: '' });
    expect(normalizeIdentifier('abc123')).toEqual({ value: 'ABC123' });
    expect(normalizeIdentifier('')).toEqual({ value: '' });
  });

  it('reads full-width and other-script digits and drops invisible characters', () => {
    expect(normalizeIdentifier('１２３－４５－６７８９')).toEqual({ value: '123456789' });
    expect(normalizeIdentifier('١٢٣٤٥٦٧٨٩')).toEqual({ value: '123456789' });
    expect(normalizeIdentifier('123\u200b456\u2060789')).toEqual({ value: '123456789' });
  });

  it('checks Luhn and NHS check digits', () => {
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('79927398710')).toBe(false);
    expect(checkDigitValid('4111111111111111', 'luhn')).toBe(true);
    expect(checkDigitValid('12A4', 'luhn')).toBe(false);
    expect(checkDigitValid('9434765919', 'nhs-mod11')).toBe(true);
    expect(checkDigitValid('9434765918', 'nhs-mod11')).toBe(false);
  });

  it('keeps a value whose check digit fails, flagged rather than dropped', () => {
    expect(normalizeCheckedIdentifier('7992-7398-713', 'luhn')).toEqual({ value: '79927398713' });
    expect(normalizeCheckedIdentifier('7992-7398-710', 'luhn')).toEqual({ value: '79927398710', invalid: 'bad-check-digit' });
    expect(normalizeCheckedIdentifier('', 'luhn')).toEqual({ value: '' });
    expect(() => normalizeCheckedIdentifier('1', 'mod97' as 'luhn')).toThrow(/mod97/);
  });
});
