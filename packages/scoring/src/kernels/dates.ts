// Helpers on normalized dates, `YYYYMMDD` strings. A value that is not eight digits
// of a real calendar date takes no part in the date-specific tests.

const DATE = /^(\d{4})(\d{2})(\d{2})$/;
const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 of a YYYYMMDD date, or NaN when it is not a valid date. */
export function dayNumber(value: string): number {
  const m = DATE.exec(value);
  if (m === null) return NaN;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  // setUTCFullYear, unlike Date.UTC, keeps years 0-99 as they are; the read-back
  // rejects dates that roll over (31 February).
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return NaN;
  return Math.round(date.getTime() / MS_PER_DAY);
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
