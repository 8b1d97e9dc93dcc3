import { invalid, type InvalidReason, type Normalized } from './types.js';

// Calendar validation of a date read from any form, and the plausible range of years.

/**
 * Default earliest plausible year of a date field (a field's `earliestYear`
 * overrides it). Wide on purpose: registries, archives and genealogical data
 * hold people born in the 1800s, and a date outside the range is only flagged,
 * never dropped (its digits still count as evidence), so a narrow range buys
 * nothing but false flags. See docs/decisions/date-validation.md.
 */
export const MIN_PLAUSIBLE_YEAR = 1800;

// Read once: a run that straddles New Year would at worst accept next year's dates a day early.
const CURRENT_YEAR = new Date().getFullYear();
/** Default latest plausible year: next year (a field's `latestYear` overrides it). */
export const MAX_PLAUSIBLE_YEAR = CURRENT_YEAR + 1;

/** The years a date field accepts without the `implausible-year` flag (both ends included). */
export interface PlausibleYears {
  readonly earliest: number;
  readonly latest: number;
}

/** The default plausible range: MIN_PLAUSIBLE_YEAR to next year. */
export const DEFAULT_PLAUSIBLE_YEARS: PlausibleYears = Object.freeze({ earliest: MIN_PLAUSIBLE_YEAR, latest: MAX_PLAUSIBLE_YEAR });

const IMPOSSIBLE = invalid('impossible-date');
const IMPLAUSIBLE = invalid('implausible-year');

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function pad(n: number, width: number): string {
  const s = String(n);
  return s.length >= width ? s : '0000'.slice(0, width - s.length) + s;
}

/**
 * A date that failed validation, kept as evidence: its digits in YYYYMMDD order
 * as read, beside the reason. String levels (exact, one digit off, transposed
 * digits) still compare it; date arithmetic finds no calendar day in it. Year
 * 0000 is a placeholder ("0000-00-00"), not a slip: it keeps nothing.
 */
function flaggedDate(year: number, month: number, day: number, reason: InvalidReason): Normalized {
  if (year === 0) return reason === 'impossible-date' ? IMPOSSIBLE : IMPLAUSIBLE;
  return { value: pad(year, 4) + pad(month, 2) + pad(day, 2), invalid: reason };
}

/** Validates a calendar date and formats it as YYYYMMDD; one that fails keeps its digits beside the flag. */
export function calendarDate(year: number, month: number, day: number, years: PlausibleYears = DEFAULT_PLAUSIBLE_YEARS): Normalized {
  if (month < 1 || month > 12 || day < 1) return flaggedDate(year, month, day, 'impossible-date');
  const maxDay = month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month];
  if (day > maxDay) return flaggedDate(year, month, day, 'impossible-date');
  if (year < years.earliest || year > years.latest) return flaggedDate(year, month, day, 'implausible-year');
  return { value: pad(year, 4) + pad(month, 2) + pad(day, 2) };
}

