import { describe, expect, it } from 'vitest';
import { normalizeEmail, normalizePhone, normalizeSex } from '../src/normalize/index.js';

describe('normalizeSex', () => {
  it('maps common codes to FHIR administrative-gender, case-insensitively', () => {
    for (const code of ['M', 'm', 'Male', 'MALE', 'man', '1', ' m. ']) expect(normalizeSex(code)).toEqual({ value: 'male' });
    for (const code of ['F', 'female', 'Woman', '2']) expect(normalizeSex(code)).toEqual({ value: 'female' });
    for (const code of ['U', 'unknown', 'Not Known', '9', '0', 'N']) expect(normalizeSex(code)).toEqual({ value: 'unknown' });
    for (const code of ['O', 'Other', 'X', 'A']) expect(normalizeSex(code)).toEqual({ value: 'other' });
  });

  it('flags unrecognised codes and treats blank as missing', () => {
    expect(normalizeSex('3')).toEqual({ value: '', invalid: 'bad-sex-code' });
    expect(normalizeSex('yes')).toEqual({ value: '', invalid: 'bad-sex-code' });
    expect(normalizeSex('??')).toEqual({ value: '', invalid: 'bad-sex-code' });
    expect(normalizeSex(' ')).toEqual({ value: '' });
  });
});

describe('normalizePhone', () => {
  it('writes US numbers in any national layout as E.164', () => {
    for (const raw of ['(415) 555-2671', '415.555.2671', '1-415-555-2671', '+1 415 555 2671', '415-555-2671 ext. 12']) {
      expect(normalizePhone(raw, 'US')).toEqual({ value: '+14155552671' });
    }
  });

  it('writes Australian mobile and landline numbers as E.164', () => {
    expect(normalizePhone('0412 345 678', 'AU')).toEqual({ value: '+61412345678' });
    expect(normalizePhone('+61 412 345 678', 'AU')).toEqual({ value: '+61412345678' });
    expect(normalizePhone('(02) 9876 5432', 'AU')).toEqual({ value: '+61298765432' });
  });

  it('reads UK numbers and international prefixes whatever the default country', () => {
    expect(normalizePhone('020 7946 0958', 'GB')).toEqual({ value: '+442079460958' });
    expect(normalizePhone('+44 20 7946 0958', 'US')).toEqual({ value: '+442079460958' });
    expect(normalizePhone('+44 20 7946 0958')).toEqual({ value: '+442079460958' });
  });

  it('keeps unparseable numbers with 7..15 digits as their digit string', () => {
    expect(normalizePhone('0412 345 678')).toEqual({ value: '0412345678' });
    expect(normalizePhone('555-2671', 'US')).toEqual({ value: '5552671' });
  });

  it('flags too few digits and repeated-digit placeholders', () => {
    expect(normalizePhone('12345', 'US')).toEqual({ value: '', invalid: 'bad-phone' });
    expect(normalizePhone('000-000-0000', 'US')).toEqual({ value: '', invalid: 'bad-phone' });
    expect(normalizePhone('none', 'US')).toEqual({ value: '', invalid: 'bad-phone' });
    expect(normalizePhone('1'.repeat(40) + '2')).toEqual({ value: '', invalid: 'bad-phone' });
    expect(normalizePhone('  ')).toEqual({ value: '' });
  });

  it('rejects an unsupported default country as a settings error', () => {
    expect(() => normalizePhone('0412 345 678', 'ZZ')).toThrow(/ZZ/);
    expect(normalizePhone('0412 345 678', 'au')).toEqual({ value: '+61412345678' });
  });
});

describe('normalizePhone on Unicode compatibility forms', () => {
  it('reads full-width and other-script digits and Unicode dashes', () => {
    expect(normalizePhone('（５５５）２３４－５６７８', 'US')).toEqual({ value: '+15552345678' });
    expect(normalizePhone('＋１ ５５５ ２３４ ５６７８')).toEqual({ value: '+15552345678' });
    expect(normalizePhone('555\u2011234\u20115678', 'US')).toEqual({ value: '+15552345678' });
    expect(normalizePhone('٠٤١٢ ٣٤٥ ٦٧٨', 'AU')).toEqual({ value: '+61412345678' });
    expect(normalizePhone('555\u200b234\u200b5678', 'US')).toEqual({ value: '+15552345678' });
  });

  it('still flags too few digits after the plain forms', () => {
    expect(normalizePhone('１２３', 'US')).toEqual({ value: '', invalid: 'bad-phone' });
  });
});

describe('normalizeEmail', () => {
  it('trims and lower-cases', () => {
    expect(normalizeEmail('  John.Smith@Example.COM ')).toEqual({ value: 'john.smith@example.com' });
  });

  it('reads full-width letters and drops invisible characters', () => {
    expect(normalizeEmail('ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ')).toEqual({ value: 'john@example.com' });
    expect(normalizeEmail('jo\u200bhn@exam\u00adple.com')).toEqual({ value: 'john@example.com' });
  });

  it('requires exactly one @ with text on both sides', () => {
    for (const raw of ['john.smith', '@example.com', 'john@', 'a@b@c', 'john smith@example.com']) {
      expect(normalizeEmail(raw)).toEqual({ value: '', invalid: 'bad-email' });
    }
    expect(normalizeEmail('')).toEqual({ value: '' });
  });
});
