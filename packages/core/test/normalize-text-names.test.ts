import { describe, expect, it } from 'vitest';
import {
  nameSuffix,
  normalizeFamilyName,
  normalizeGivenName,
  normalizeMiddleName,
  normalizeText,
  splitFullName,
} from '../src/normalize/index.js';

describe('normalizeText', () => {
  it('strips diacritics, lower-cases and collapses punctuation and whitespace', () => {
    expect(normalizeText('José Müller').value).toBe('jose muller');
    expect(normalizeText('  ÅSA   Ñúñez-Ørsted ').value).toBe('asa nunez orsted');
    expect(normalizeText('Strauß').value).toBe('strauss');
    expect(normalizeText('Smith,  J.  (deceased)').value).toBe('smith j deceased');
  });

  it('folds compatibility forms (full-width, ligatures) to their plain letters', () => {
    expect(normalizeText('ＳＭＩＴＨ').value).toBe('smith');
    expect(normalizeText('ﬁnn').value).toBe('finn');
  });

  it('keeps letters of other scripts', () => {
    expect(normalizeText('王 小明').value).toBe('王 小明');
    expect(normalizeText('Иван').value).toBe('иван');
  });

  it('gives the empty string for blank or punctuation-only input', () => {
    expect(normalizeText('')).toEqual({ value: '' });
    expect(normalizeText('  \t ')).toEqual({ value: '' });
    expect(normalizeText('--.')).toEqual({ value: '' });
  });
});

describe('personal name fields', () => {
  it('treat the same name written by different systems as one value', () => {
    const spellings = ['José', 'JOSE', 'jose ', 'Jos\u0065\u0301'];
    for (const s of spellings) expect(normalizeGivenName(s)).toEqual({ value: 'jose' });
  });

  it('drop apostrophes without a space and split hyphenated parts with one', () => {
    expect(normalizeFamilyName("O'Brien-Smith")).toEqual({ value: 'obrien smith' });
    expect(normalizeFamilyName('O\u2019Brien')).toEqual({ value: 'obrien' });
    expect(normalizeFamilyName('Smith-Jones')).toEqual({ value: 'smith jones' });
    expect(normalizeFamilyName('van der  Berg')).toEqual({ value: 'van der berg' });
    expect(normalizeGivenName("D'Arcy")).toEqual({ value: 'darcy' });
  });

  it('remove trailing dots of initials', () => {
    expect(normalizeGivenName('J.')).toEqual({ value: 'j' });
    expect(normalizeMiddleName('A.')).toEqual({ value: 'a' });
  });

  it('remove titles and generational suffixes', () => {
    expect(normalizeGivenName('Dr. John')).toEqual({ value: 'john' });
    expect(normalizeGivenName('Mrs Mary')).toEqual({ value: 'mary' });
    expect(normalizeFamilyName('Smith Jr.')).toEqual({ value: 'smith' });
    expect(normalizeFamilyName('King III')).toEqual({ value: 'king' });
  });

  it('never strip a name down to nothing', () => {
    expect(normalizeFamilyName('Rev')).toEqual({ value: 'rev' });
    expect(normalizeGivenName('Miss')).toEqual({ value: 'miss' });
  });

  it('treat the no-middle-name placeholders as missing', () => {
    expect(normalizeMiddleName('NMN')).toEqual({ value: '' });
    expect(normalizeMiddleName('nmi')).toEqual({ value: '' });
  });

  it('report blank input as missing, not invalid', () => {
    expect(normalizeGivenName('   ')).toEqual({ value: '' });
    expect(normalizeFamilyName('')).toEqual({ value: '' });
  });
});

describe('nameSuffix', () => {
  it('exposes the generation that separates parent and child', () => {
    expect(nameSuffix('John Smith Jr.')).toBe('jr');
    expect(nameSuffix('Smith Sr, John')).toBe('sr');
    expect(nameSuffix('SMITH, JOHN III')).toBe('iii');
    expect(nameSuffix('Henry Ford 2nd')).toBe('ii');
    expect(nameSuffix('Junior')).toBe('jr');
    expect(nameSuffix('Jr.')).toBe('jr');
  });

  it('is empty when there is no suffix, and does not read a leading "Sr" (Sister) as one', () => {
    expect(nameSuffix('John Smith')).toBe('');
    expect(nameSuffix('Sr Mary Joseph')).toBe('');
    expect(nameSuffix('')).toBe('');
  });
});

describe('splitFullName', () => {
  it('splits the title-and-suffix form', () => {
    expect(splitFullName('Dr. John Smith Jr.')).toEqual({ given: 'john', middle: '', family: 'smith' });
  });

  it('splits the comma form FAMILY, GIVEN MIDDLE', () => {
    expect(splitFullName('SMITH, JOHN A')).toEqual({ given: 'john', middle: 'a', family: 'smith' });
    expect(splitFullName('Smith, John, Jr.')).toEqual({ given: 'john', middle: '', family: 'smith' });
    expect(splitFullName("O'Brien-Smith, Mary Jane")).toEqual({ given: 'mary', middle: 'jane', family: 'obrien smith' });
    expect(splitFullName('van Beethoven, Ludwig')).toEqual({ given: 'ludwig', middle: '', family: 'van beethoven' });
  });

  it('splits GIVEN MIDDLE FAMILY and keeps particles with the family name', () => {
    expect(splitFullName('John Adam Smith')).toEqual({ given: 'john', middle: 'adam', family: 'smith' });
    expect(splitFullName('Ludwig van Beethoven')).toEqual({ given: 'ludwig', middle: '', family: 'van beethoven' });
    expect(splitFullName('Maria de la Cruz')).toEqual({ given: 'maria', middle: '', family: 'de la cruz' });
    expect(splitFullName('Vincent Willem van Gogh')).toEqual({ given: 'vincent', middle: 'willem', family: 'van gogh' });
  });

  it('keeps hyphenated parts together and normalises each part like the field normalisers', () => {
    const split = splitFullName('Mary-Jane  Smith-Jones');
    expect(split).toEqual({ given: 'mary jane', middle: '', family: 'smith jones' });
    expect(split.given).toBe(normalizeGivenName('Mary-Jane').value);
    expect(split.family).toBe(normalizeFamilyName('Smith-Jones').value);
  });

  it('keeps the first word as the given name even when it looks like a particle', () => {
    expect(splitFullName('Van Morrison')).toEqual({ given: 'van', middle: '', family: 'morrison' });
  });

  it('takes a single word as the family name and handles empty input', () => {
    expect(splitFullName('SMITH')).toEqual({ given: '', middle: '', family: 'smith' });
    expect(splitFullName('  ')).toEqual({ given: '', middle: '', family: '' });
    expect(splitFullName('Smith,')).toEqual({ given: '', middle: '', family: 'smith' });
  });
});

describe('invisible characters inside a value', () => {
  // Zero-width space, zero-width non-joiner and joiner, word joiner, BOM, soft hyphen, left-to-right mark.
  const INVISIBLE = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u200e'];

  it('are removed, not read as separators: "Jo<ZWSP>hn" is "john"', () => {
    for (const mark of INVISIBLE) {
      expect(normalizeGivenName(`Jo${mark}hn`).value, `U+${mark.charCodeAt(0).toString(16)}`).toBe('john');
      expect(normalizeFamilyName(`O'Bri${mark}en`).value).toBe('obrien');
      expect(normalizeText(`Mül${mark}ler`).value).toBe('muller');
      expect(splitFullName(`Jo${mark}hn Q Sm${mark}ith`)).toEqual({ given: 'john', middle: 'q', family: 'smith' });
      expect(splitFullName(`SMI${mark}TH, JO${mark}HN`)).toEqual({ given: 'john', middle: '', family: 'smith' });
    }
  });

  it('leave a value of nothing else missing', () => {
    expect(normalizeGivenName('\u200b\u00ad')).toEqual({ value: '' });
  });
});
