import { eightDigits } from '@mpi/scoring';
import { calendarDate, DEFAULT_PLAUSIBLE_YEARS, type PlausibleYears } from './calendar.js';
import { isSpreadsheetSerialFormat, spreadsheetSerialDate } from './spreadsheet-dates.js';
import { MISSING, asRawString, invalid, type Normalized } from './types.js';
import { plainForms } from './unicode-forms.js';

// Read once: a run that straddles New Year would at worst place a two-digit year a day early.
const CURRENT_YEAR = new Date().getFullYear();

// Longest date-with-time text worth parsing; longer input is not a date and is rejected
// before any regex runs, which also bounds the work on hostile input.
const MAX_DATE_LENGTH = 64;

const UNPARSEABLE = invalid('unparseable-date');

const MONTHS = new Map<string, number>([
  ['jan', 1], ['january', 1], ['feb', 2], ['february', 2], ['mar', 3], ['march', 3],
  ['apr', 4], ['april', 4], ['may', 5], ['jun', 6], ['june', 6], ['jul', 7], ['july', 7],
  ['aug', 8], ['august', 8], ['sep', 9], ['sept', 9], ['september', 9], ['oct', 10], ['october', 10],
  ['nov', 11], ['november', 11], ['dec', 12], ['december', 12],
]);

/** Two-digit year placed in the latest century that does not put it in the future. */
export function pivotTwoDigitYear(yy: number): number {
  const century = CURRENT_YEAR - (CURRENT_YEAR % 100);
  return yy <= CURRENT_YEAR % 100 ? century + yy : century - 100 + yy;
}

function yearOf(digits: string): number {
  const n = Number(digits);
  return digits.length === 2 ? pivotTwoDigitYear(n) : n;
}

// ---- automatic recognition -------------------------------------------------

const TIME_TAIL = '(?:(?:T|\\s+)\\d.*)?';
const ISO_COMPACT = new RegExp(`^(\\d{4})(\\d{2})(\\d{2})${TIME_TAIL}$`);
const ISO_SEPARATED = new RegExp(`^(\\d{4})([-/.])(\\d{1,2})\\2(\\d{1,2})${TIME_TAIL}$`);
const NUMERIC_DMY_OR_MDY = /^(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})(?:\s+\d.*)?$/;
const WORD_SEPARATORS = /[\s,.\-/]+/;
const DAY_TOKEN = /^(\d{1,2})(?:st|nd|rd|th)?$/;
const YEAR_TOKEN = /^(?:\d{4}|\d{2})$/;
const TIME_TOKEN = /^\d{1,2}:/;

function parseNumericDate(a: number, b: number, year: number, separator: string, years: PlausibleYears): Normalized {
  // A part above 12 can only be the day, which settles the order.
  if (a > 12 && b <= 12) return calendarDate(year, b, a, years);
  if (b > 12 && a <= 12) return calendarDate(year, a, b, years);
  // Ambiguous. Dotted dates are a day-first (European) convention; slash and
  // dash forms default to month-first (US). Sources known to be day-first
  // should declare a format such as 'DD/MM/YYYY'.
  return separator === '.' ? calendarDate(year, b, a, years) : calendarDate(year, a, b, years);
}

function parseMonthNameDate(text: string, years: PlausibleYears): Normalized {
  const tokens = text.split(WORD_SEPARATORS).filter((t) => t !== '');
  if (tokens.length < 3 || (tokens.length > 3 && !TIME_TOKEN.test(tokens[3]))) return UNPARSEABLE;
  const [t0, t1, t2] = tokens;
  let month: number | undefined;
  let dayToken: string;
  let yearToken: string;
  if ((month = MONTHS.get(t1.toLowerCase())) !== undefined) {
    if (YEAR_TOKEN.test(t0) && t0.length === 4) [dayToken, yearToken] = [t2, t0]; // YYYY MMM DD
    else [dayToken, yearToken] = [t0, t2]; // D MMM YYYY
  } else if ((month = MONTHS.get(t0.toLowerCase())) !== undefined) {
    [dayToken, yearToken] = [t1, t2]; // MMM D, YYYY
  } else {
    return UNPARSEABLE;
  }
  const day = DAY_TOKEN.exec(dayToken.toLowerCase());
  if (day === null || !YEAR_TOKEN.test(yearToken)) return UNPARSEABLE;
  return calendarDate(yearOf(yearToken), month, Number(day[1]), years);
}

function parseDateAuto(text: string, years: PlausibleYears): Normalized {
  // YYYYMMDD alone, the canonical form and the commonest in files, is read
  // without a regex: FEBRL's 10k dates cost ~10 ms less in a cold process.
  const digits = eightDigits(text);
  if (digits >= 0) return calendarDate(Math.floor(digits / 10_000), Math.floor(digits / 100) % 100, digits % 100, years);
  let m = ISO_COMPACT.exec(text);
  if (m !== null) return calendarDate(Number(m[1]), Number(m[2]), Number(m[3]), years);
  m = ISO_SEPARATED.exec(text);
  if (m !== null) return calendarDate(Number(m[1]), Number(m[3]), Number(m[4]), years);
  m = NUMERIC_DMY_OR_MDY.exec(text);
  if (m !== null) return parseNumericDate(Number(m[1]), Number(m[3]), yearOf(m[4]), m[2], years);
  return parseMonthNameDate(text, years);
}

// ---- declared formats ------------------------------------------------------

type DateField = 'year4' | 'year2' | 'month' | 'monthName' | 'day';

interface CompiledDateFormat {
  pattern: RegExp;
  fields: DateField[];
}

const FORMAT_TOKENS: Array<[string, DateField]> = [
  ['YYYY', 'year4'], ['MMMM', 'monthName'], ['MMM', 'monthName'], ['YY', 'year2'],
  ['MM', 'month'], ['DD', 'day'], ['M', 'month'], ['D', 'day'],
];

const compiledFormats = new Map<string, CompiledDateFormat | null>();

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function compileDateFormat(format: string): CompiledDateFormat | null {
  const parts: Array<{ field: DateField; token: string } | { literal: string }> = [];
  let i = 0;
  while (i < format.length) {
    const token = FORMAT_TOKENS.find(([t]) => format.startsWith(t, i));
    if (token !== undefined) {
      parts.push({ field: token[1], token: token[0] });
      i += token[0].length;
    } else {
      parts.push({ literal: format[i] });
      i++;
    }
  }
  const fields: DateField[] = [];
  let source = '^';
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p];
    if ('literal' in part) {
      // Any run of punctuation/space matches any separator run: '03-07-1980' reads with 'MM/DD/YYYY'.
      if (/[\p{L}\p{N}]/u.test(part.literal)) source += escapeRegExp(part.literal);
      else if (!source.endsWith('[^\\p{L}\\p{N}]+')) source += '[^\\p{L}\\p{N}]+';
      continue;
    }
    fields.push(part.field);
    const prev = parts[p - 1];
    const next = parts[p + 1];
    // Digits run together (YYYYMMDD) only parse with fixed widths.
    const abutsNumber = (q: typeof prev): boolean => q !== undefined && 'field' in q && q.field !== 'monthName';
    const fixed = abutsNumber(prev) || abutsNumber(next);
    switch (part.field) {
      case 'year4': source += '(\\d{4})'; break;
      case 'year2': source += '(\\d{2})'; break;
      case 'monthName': source += '(\\p{L}+)\\.?'; break;
      default: source += fixed && part.token.length === 2 ? '(\\d{2})' : '(\\d{1,2})';
    }
  }
  const has = (f: DateField): boolean => fields.includes(f);
  if (!(has('year4') || has('year2')) || !(has('month') || has('monthName')) || !has('day')) return null;
  if (fields.length !== new Set(fields.map((f) => (f === 'year2' ? 'year4' : f === 'monthName' ? 'month' : f))).size) return null;
  source += `${TIME_TAIL}$`;
  return { pattern: new RegExp(source, 'u'), fields };
}

function getCompiledFormat(format: string): CompiledDateFormat {
  let compiled = compiledFormats.get(format);
  if (compiled === undefined) {
    compiled = compileDateFormat(format);
    compiledFormats.set(format, compiled);
  }
  if (compiled === null) {
    // A settings error, not a data error: the message names the format, never a value.
    throw new Error(`Unsupported date format "${format}": use tokens YYYY|YY, MM|M|MMM, DD|D with separators`);
  }
  return compiled;
}

/** True when `format` is a date format {@link normalizeDate} accepts. */
export function isSupportedDateFormat(format: string): boolean {
  if (isSpreadsheetSerialFormat(format)) return true;
  if (!compiledFormats.has(format)) compiledFormats.set(format, compileDateFormat(format));
  return compiledFormats.get(format) !== null;
}

function parseDateWithFormat(text: string, compiled: CompiledDateFormat, years: PlausibleYears): Normalized {
  const m = compiled.pattern.exec(text);
  if (m === null) return UNPARSEABLE;
  let year = 0;
  let month = 0;
  let day = 0;
  for (let f = 0; f < compiled.fields.length; f++) {
    const group = m[f + 1];
    switch (compiled.fields[f]) {
      case 'year4': year = Number(group); break;
      case 'year2': year = pivotTwoDigitYear(Number(group)); break;
      case 'month': month = Number(group); break;
      case 'day': day = Number(group); break;
      case 'monthName': {
        const named = MONTHS.get(group.toLowerCase());
        if (named === undefined) return UNPARSEABLE;
        month = named;
        break;
      }
    }
  }
  return calendarDate(year, month, day, years);
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return false;
  return true;
}

/**
 * Date to canonical `YYYYMMDD`.
 *
 * With `format` (tokens YYYY, YY, MM, M, DD, D, MMM/MMMM; any separators, and any
 * separator run in the input matches any separator in the format) the value must
 * follow it; "excel" and "excel-1904" read spreadsheet serial day numbers
 * (spreadsheet-dates.ts). Without, recognised forms are: YYYYMMDD, YYYY-MM-DD and YYYY/MM/DD
 * (optionally followed by a time, 'T...' or ' hh:mm...'), D MMM YYYY, MMM D, YYYY,
 * and numeric day/month/year forms. For those, a part above 12 settles the order;
 * ambiguous slash and dash dates are read month-first (US) and ambiguous dotted
 * dates day-first (the European convention for dots). Declare a format for
 * sources where that guess is wrong.
 *
 * A value with other than ASCII characters is read in its plain forms first
 * (NFKC, digits of any script as ASCII digits, dashes as "-", invisible
 * characters removed): "１９８０－０３－０５" reads as 1980-03-05.
 *
 * Two-digit years are placed so the year is not in the future. Results:
 * 'impossible-date' (month 13, Feb 30, day 0) and 'implausible-year' (outside
 * `years`, by default 1800..next year) keep the digits as read in YYYYMMDD order
 * as their value, beside the flag: a slip (month 86) or an old date is still
 * evidence. 'unparseable-date' keeps nothing. Throws only for an unsupported
 * `format` (a settings error).
 */
export function normalizeDate(raw: string, format?: string, years: PlausibleYears = DEFAULT_PLAUSIBLE_YEARS): Normalized {
  const serial = format !== undefined && isSpreadsheetSerialFormat(format) ? format : undefined;
  const compiled = format === undefined || format === '' || format === 'auto' || serial !== undefined ? null : getCompiledFormat(format);
  let text = asRawString(raw).trim();
  if (text === '') return MISSING;
  if (text.length > MAX_DATE_LENGTH) return UNPARSEABLE;
  // Full-width or other-script digits, Unicode dashes, invisible characters: read as their ASCII forms.
  if (!isAscii(text)) text = plainForms(text).trim();
  if (serial !== undefined) return spreadsheetSerialDate(text, serial, years) ?? UNPARSEABLE;
  return compiled === null ? parseDateAuto(text, years) : parseDateWithFormat(text, compiled, years);
}
