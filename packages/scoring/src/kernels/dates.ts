// Helpers on normalized dates, `YYYYMMDD` strings. A value that is not eight digits
// of a real calendar date takes no part in the date-specific tests.

const DATE = /^(\d{4})(\d{2})(\d{2})$/;

/**
 * The number written by a string of exactly eight ASCII digits (YYYYMMDD), or -1.
 * Char codes rather than a regex: the scoring table parses every distinct date once.
 */
export function eightDigits(value: string): number {
  if (value.length !== 8) return -1;
  let n = 0;
  for (let i = 0; i < 8; i++) {
    const digit = value.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    n = n * 10 + digit;
  }
  return n;
}

/**
 * Days since 1970-01-01 of a calendar date of the proleptic Gregorian calendar
 * (as JavaScript's Date counts them; years 0-99 are taken as written), or NaN
 * when the month or day does not exist. Arithmetic (Hinnant's days-from-civil)
 * instead of a Date object per value.
 */
export function civilDayNumber(year: number, month: number, day: number): number {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

/** Days since 1970-01-01 of a YYYYMMDD date, or NaN when it is not a valid date. */
export function dayNumber(value: string): number {
  const n = eightDigits(value);
  if (n < 0) return NaN;
  return civilDayNumber(Math.floor(n / 10_000), Math.floor(n / 100) % 100, n % 100);
}

/** |a - b| in days, or NaN when either is not a valid date. */
export function daysBetween(a: string, b: string): number {
  return Math.abs(dayNumber(a) - dayNumber(b));
}

/** Same year, and a's day and month are b's month and day (and they differ). */
export function isDayMonthTransposed(a: string, b: string): boolean {
  if (a.length !== 8 || b.length !== 8 || a === b) return false;
  return (
    a.slice(0, 4) === b.slice(0, 4) &&
    a.slice(4, 6) === b.slice(6, 8) &&
    a.slice(6, 8) === b.slice(4, 6) &&
    DATE.test(a) &&
    DATE.test(b)
  );
}

/** Same month and day, years one apart. */
export function isYearOffByOne(a: string, b: string): boolean {
  const ma = DATE.exec(a);
  const mb = DATE.exec(b);
  if (ma === null || mb === null) return false;
  return ma[2] === mb[2] && ma[3] === mb[3] && Math.abs(Number(ma[1]) - Number(mb[1])) === 1;
}

/** Same length and exactly one character differs (a keying error in one digit). */
export function isOneCharacterOff(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let differences = 0;
  for (let i = 0; i < a.length; i++) {
    if (a.charCodeAt(i) !== b.charCodeAt(i) && ++differences > 1) return false;
  }
  return differences === 1;
}
