import { describe, expect, it } from 'vitest';
import { isSupportedDateFormat, normalizeDate, pivotTwoDigitYear } from '../src/normalize/index.js';

const THIS_YEAR = new Date().getFullYear();
const yy = (year: number): string => String(year % 100).padStart(2, '0');

describe('normalizeDate without a format (auto)', () => {
  it('reads ISO forms, with or without a time part', () => {
    expect(normalizeDate('19800703')).toEqual({ value: '19800703' });
    expect(normalizeDate('1980-07-03')).toEqual({ value: '19800703' });
    expect(normalizeDate('1980/7/3')).toEqual({ value: '19800703' });
    expect(normalizeDate('1980-07-03T00:00:00Z')).toEqual({ value: '19800703' });
    expect(normalizeDate('1980-07-03 14:30')).toEqual({ value: '19800703' });
    expect(normalizeDate(' 1980-07-03 ')).toEqual({ value: '19800703' });
  });

  it('reads month names in day-first and month-first order', () => {
    expect(normalizeDate('3 Jul 1980')).toEqual({ value: '19800703' });
    expect(normalizeDate('03-JUL-1980')).toEqual({ value: '19800703' });
    expect(normalizeDate('July 3, 1980')).toEqual({ value: '19800703' });
    expect(normalizeDate('Sept 3rd 1980')).toEqual({ value: '19800903' });
    expect(normalizeDate('1980 Jul 03')).toEqual({ value: '19800703' });
  });

  it('settles day/month order when one part is above 12', () => {
    expect(normalizeDate('25/12/1980')).toEqual({ value: '19801225' });
    expect(normalizeDate('12/25/1980')).toEqual({ value: '19801225' });
    expect(normalizeDate('25-12-1980')).toEqual({ value: '19801225' });
  });

  it('reads ambiguous slash and dash dates month-first (US), dotted dates day-first', () => {
    expect(normalizeDate('03/07/1980')).toEqual({ value: '19800307' });
    expect(normalizeDate('03-07-1980')).toEqual({ value: '19800307' });
    expect(normalizeDate('03.07.1980')).toEqual({ value: '19800703' });
  });

  it('places two-digit years so they are not in the future', () => {
    expect(normalizeDate('7/3/80')).toEqual({ value: '19800703' });
    expect(normalizeDate(`1/1/${yy(THIS_YEAR)}`)).toEqual({ value: `${THIS_YEAR}0101` });
    expect(normalizeDate(`1/1/${yy(THIS_YEAR + 1)}`)).toEqual({ value: `${THIS_YEAR + 1 - 100}0101` });
    expect(pivotTwoDigitYear(0)).toBe(2000);
    expect(pivotTwoDigitYear(99)).toBe(1999);
  });

  it('rejects impossible calendar dates', () => {
    expect(normalizeDate('1980-13-01')).toEqual({ value: '', invalid: 'impossible-date' });
    expect(normalizeDate('1981-02-29')).toEqual({ value: '', invalid: 'impossible-date' });
    expect(normalizeDate('2000-02-30')).toEqual({ value: '', invalid: 'impossible-date' });
    expect(normalizeDate('1980-07-00')).toEqual({ value: '', invalid: 'impossible-date' });
    expect(normalizeDate('31/31/1980')).toEqual({ value: '', invalid: 'impossible-date' });
    expect(normalizeDate('00/00/0000')).toEqual({ value: '', invalid: 'impossible-date' });
  });

  it('accepts leap days', () => {
    expect(normalizeDate('2000-02-29')).toEqual({ value: '20000229' });
    expect(normalizeDate('1984-02-29')).toEqual({ value: '19840229' });
  });

  it('rejects years outside 1850..next year', () => {
    expect(normalizeDate('1849-12-31')).toEqual({ value: '', invalid: 'implausible-year' });
    expect(normalizeDate('1850-01-01')).toEqual({ value: '18500101' });
    expect(normalizeDate(`${THIS_YEAR + 1}-01-01`)).toEqual({ value: `${THIS_YEAR + 1}0101` });
    expect(normalizeDate(`${THIS_YEAR + 2}-01-01`)).toEqual({ value: '', invalid: 'implausible-year' });
  });

  it('rejects text that is not a date', () => {
    for (const text of ['unknown', '1980', '3 Foo 1980', '1980-07', '07/03', '12:30', 'x'.repeat(500)]) {
      expect(normalizeDate(text)).toEqual({ value: '', invalid: 'unparseable-date' });
    }
  });

  it('reports blank input as missing', () => {
    expect(normalizeDate('')).toEqual({ value: '' });
    expect(normalizeDate('   ')).toEqual({ value: '' });
  });
});

describe('normalizeDate with a declared format', () => {
  it('reads each supported format', () => {
    expect(normalizeDate('19800703', 'YYYYMMDD')).toEqual({ value: '19800703' });
    expect(normalizeDate('1980-07-03', 'YYYY-MM-DD')).toEqual({ value: '19800703' });
    expect(normalizeDate('07/03/1980', 'MM/DD/YYYY')).toEqual({ value: '19800703' });
    expect(normalizeDate('03/07/1980', 'DD/MM/YYYY')).toEqual({ value: '19800703' });
    expect(normalizeDate('03.07.1980', 'DD.MM.YYYY')).toEqual({ value: '19800703' });
    expect(normalizeDate('7/3/1980', 'M/D/YYYY')).toEqual({ value: '19800703' });
    expect(normalizeDate('3 Jul 1980', 'D MMM YYYY')).toEqual({ value: '19800703' });
    expect(normalizeDate('3 July 1980', 'D MMM YYYY')).toEqual({ value: '19800703' });
    expect(normalizeDate('030780', 'DDMMYY')).toEqual({ value: '19800703' });
  });

  it('resolves the ambiguity the auto mode cannot', () => {
    expect(normalizeDate('03/07/1980', 'DD/MM/YYYY').value).toBe('19800703');
    expect(normalizeDate('03/07/1980', 'MM/DD/YYYY').value).toBe('19800307');
  });

  it('accepts single-digit parts and any separator where the format has one', () => {
    expect(normalizeDate('3/7/1980', 'DD/MM/YYYY')).toEqual({ value: '19800703' });
    expect(normalizeDate('03-07-1980', 'DD/MM/YYYY')).toEqual({ value: '19800703' });
    expect(normalizeDate('1980-07-03 08:15:00', 'YYYY-MM-DD')).toEqual({ value: '19800703' });
  });

  it('flags transposed values that break the declared format as impossible', () => {
    expect(normalizeDate('25/12/1980', 'MM/DD/YYYY')).toEqual({ value: '', invalid: 'impossible-date' });
    expect(normalizeDate('12/25/1980', 'DD/MM/YYYY')).toEqual({ value: '', invalid: 'impossible-date' });
    expect(normalizeDate('19801307', 'YYYYMMDD')).toEqual({ value: '', invalid: 'impossible-date' });
  });

  it('flags values in another shape as unparseable', () => {
    expect(normalizeDate('1980-07-03', 'DD/MM/YYYY')).toEqual({ value: '', invalid: 'unparseable-date' });
    expect(normalizeDate('1980703', 'YYYYMMDD')).toEqual({ value: '', invalid: 'unparseable-date' });
    expect(normalizeDate('3 Foo 1980', 'D MMM YYYY')).toEqual({ value: '', invalid: 'unparseable-date' });
  });

  it('rejects unsupported formats as a settings error naming the format only', () => {
    expect(isSupportedDateFormat('DD/MM/YYYY')).toBe(true);
    expect(isSupportedDateFormat('YYYY-MM')).toBe(false);
    expect(() => normalizeDate('1980-07', 'YYYY-MM')).toThrow(/YYYY-MM/);
  });
});

describe('normalizeDate on Unicode compatibility forms', () => {
  it('reads full-width digits and punctuation, with or without a format', () => {
    expect(normalizeDate('１９８０－０３－０５')).toEqual({ value: '19800305' });
    expect(normalizeDate('０５／０３／１９８０', 'DD/MM/YYYY')).toEqual({ value: '19800305' });
    expect(normalizeDate('１９８００３０５', 'YYYYMMDD')).toEqual({ value: '19800305' });
    expect(normalizeDate('１９８００３０５')).toEqual({ value: '19800305' });
  });

  it('reads decimal digits of other scripts, Unicode dashes and invisible characters', () => {
    expect(normalizeDate('١٩٨٠-٠٣-٠٥')).toEqual({ value: '19800305' }); // Arabic-Indic
    expect(normalizeDate('۱۹۸۰/۰۳/۰۵')).toEqual({ value: '19800305' }); // Extended Arabic-Indic (Persian)
    expect(normalizeDate('१९८०-०३-०५')).toEqual({ value: '19800305' }); // Devanagari
    expect(normalizeDate('1980\u20100\u200b3\u20130\u20605')).toEqual({ value: '19800305' });
    expect(normalizeDate('\u00a005/03/1980\u3000', 'DD/MM/YYYY')).toEqual({ value: '19800305' });
  });

  it('still flags what is not a date after the plain forms', () => {
    expect(normalizeDate('１９８０－１３－０５')).toEqual({ value: '', invalid: 'impossible-date' });
    expect(normalizeDate('王１９８０')).toEqual({ value: '', invalid: 'unparseable-date' });
  });
});
