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

  it('flags impossible calendar dates and keeps their digits in YYYYMMDD order as evidence', () => {
    expect(normalizeDate('1980-13-01')).toEqual({ value: '19801301', invalid: 'impossible-date' });
    expect(normalizeDate('1981-02-29')).toEqual({ value: '19810229', invalid: 'impossible-date' });
    expect(normalizeDate('2000-02-30')).toEqual({ value: '20000230', invalid: 'impossible-date' });
    expect(normalizeDate('1980-07-00')).toEqual({ value: '19800700', invalid: 'impossible-date' });
    expect(normalizeDate('31/31/1980')).toEqual({ value: '19803131', invalid: 'impossible-date' });
    // A digit slip: month 86 (for 06), day 81 (for 18).
    expect(normalizeDate('1990-86-17')).toEqual({ value: '19908617', invalid: 'impossible-date' });
    expect(normalizeDate('19900681')).toEqual({ value: '19900681', invalid: 'impossible-date' });
  });

  it('keeps nothing of the all-zero placeholder date', () => {
    expect(normalizeDate('00/00/0000')).toEqual({ value: '', invalid: 'impossible-date' });
    expect(normalizeDate('0000-00-00')).toEqual({ value: '', invalid: 'impossible-date' });
  });

  it('accepts leap days', () => {
    expect(normalizeDate('2000-02-29')).toEqual({ value: '20000229' });
    expect(normalizeDate('1984-02-29')).toEqual({ value: '19840229' });
  });

  it('flags years outside 1800..next year by default, keeping the date as evidence', () => {
    expect(normalizeDate('1799-12-31')).toEqual({ value: '17991231', invalid: 'implausible-year' });
    expect(normalizeDate('1800-01-01')).toEqual({ value: '18000101' });
    expect(normalizeDate('1849-12-31')).toEqual({ value: '18491231' });
    expect(normalizeDate(`${THIS_YEAR + 1}-01-01`)).toEqual({ value: `${THIS_YEAR + 1}0101` });
    expect(normalizeDate(`${THIS_YEAR + 2}-01-01`)).toEqual({ value: `${THIS_YEAR + 2}0101`, invalid: 'implausible-year' });
  });

  it('takes the plausible range of years from the field', () => {
    const years = { earliest: 1900, latest: 2010 };
    expect(normalizeDate('1899-12-31', undefined, years)).toEqual({ value: '18991231', invalid: 'implausible-year' });
    expect(normalizeDate('1900-01-01', 'YYYY-MM-DD', years)).toEqual({ value: '19000101' });
    expect(normalizeDate('01/01/2011', 'DD/MM/YYYY', years)).toEqual({ value: '20110101', invalid: 'implausible-year' });
    expect(normalizeDate('1650-05-17', undefined, { earliest: 1600, latest: 2000 })).toEqual({ value: '16500517' });
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
    expect(normalizeDate('25/12/1980', 'MM/DD/YYYY')).toEqual({ value: '19802512', invalid: 'impossible-date' });
    expect(normalizeDate('12/25/1980', 'DD/MM/YYYY')).toEqual({ value: '19802512', invalid: 'impossible-date' });
    expect(normalizeDate('19801307', 'YYYYMMDD')).toEqual({ value: '19801307', invalid: 'impossible-date' });
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
    expect(normalizeDate('１９８０－１３－０５')).toEqual({ value: '19801305', invalid: 'impossible-date' });
    expect(normalizeDate('王１９８０')).toEqual({ value: '', invalid: 'unparseable-date' });
  });
});

describe('normalizeDate on spreadsheet serial day numbers', () => {
  it('reads the 1900 date system when the format says "excel"', () => {
    expect(normalizeDate('33010', 'excel')).toEqual({ value: '19900517' });
    expect(normalizeDate('33010.75', 'excel')).toEqual({ value: '19900517' }); // a time of day
    expect(normalizeDate('1', 'excel')).toEqual({ value: '19000101' });
    expect(normalizeDate('59', 'excel')).toEqual({ value: '19000228' });
    expect(normalizeDate('61', 'excel')).toEqual({ value: '19000301' });
    expect(normalizeDate('36526', 'excel')).toEqual({ value: '20000101' });
  });

  it('keeps serial 60, the 1900-02-29 of the leap-year bug, as an impossible date', () => {
    expect(normalizeDate('60', 'excel')).toEqual({ value: '19000229', invalid: 'impossible-date' });
  });

  it('reads the 1904 date system of old Mac workbooks', () => {
    expect(normalizeDate('0', 'excel-1904')).toEqual({ value: '19040101' });
    expect(normalizeDate('31548', 'excel-1904')).toEqual({ value: '19900517' });
  });

  it('flags what is not a serial number, and a serial outside the plausible years', () => {
    expect(normalizeDate('1990-05-17', 'excel')).toEqual({ value: '', invalid: 'unparseable-date' });
    expect(normalizeDate('0', 'excel')).toEqual({ value: '', invalid: 'unparseable-date' });
    expect(normalizeDate('99999', 'excel')).toEqual({ value: '21731013', invalid: 'implausible-year' });
    expect(isSupportedDateFormat('excel')).toBe(true);
    expect(isSupportedDateFormat('excel-1904')).toBe(true);
  });

  it('does not read a bare number as a date without the format', () => {
    expect(normalizeDate('33010')).toEqual({ value: '', invalid: 'unparseable-date' });
  });
});
