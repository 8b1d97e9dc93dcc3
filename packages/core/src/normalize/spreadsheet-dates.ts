import { calendarDate, type PlausibleYears } from './calendar.js';
import type { Normalized } from './types.js';

/**
 * Spreadsheet serial day numbers: how Excel, LibreOffice and Google Sheets store
 * a date cell, and what a CSV export writes when the cell lost its date format
 * (1990-05-17 is 33010). Two epochs exist:
 * - "excel" (the 1900 date system, the default everywhere): 1 is 1900-01-01,
 *   and 60 is 1900-02-29, a day that never was (Lotus 1-2-3's leap-year bug,
 *   kept for compatibility), so from 61 on the count runs from 1899-12-30;
 * - "excel-1904" (older Mac workbooks): 0 is 1904-01-01.
 * A fraction is the time of day and is ignored.
 */
export const SPREADSHEET_SERIAL_FORMATS = ['excel', 'excel-1904'] as const;
export type SpreadsheetSerialFormat = (typeof SPREADSHEET_SERIAL_FORMATS)[number];

/** Whether a date format names a spreadsheet serial epoch. */
export function isSpreadsheetSerialFormat(format: string): format is SpreadsheetSerialFormat {
  return (SPREADSHEET_SERIAL_FORMATS as readonly string[]).includes(format);
}

// Up to 7 digits covers every serial a spreadsheet writes (9999-12-31 is 2958465); a time fraction may follow.
const SERIAL = /^(\d{1,7})(?:\.\d+)?$/;

/** Days since 1970-01-01 of serial day 0 in each system. */
const EPOCH_1900 = -25_569; // 1899-12-30
const EPOCH_1904 = -24_107; // 1904-01-01

/**
 * The date a serial day number written as text stands for (YYYYMMDD), flagged
 * as any date is (impossible 1900-02-29, implausible year); null when the text
 * is not a serial number. Serial 0 of the 1900 system ("1900-01-00") is no date.
 */
export function spreadsheetSerialDate(text: string, format: SpreadsheetSerialFormat, years: PlausibleYears): Normalized | null {
  const m = SERIAL.exec(text);
  if (m === null) return null;
  const serial = Number(m[1]);
  if (format === 'excel') {
    if (serial === 0) return null;
    if (serial === 60) return calendarDate(1900, 2, 29, years);
    return fromDayNumber(serial < 60 ? EPOCH_1900 + serial + 1 : EPOCH_1900 + serial, years);
  }
  return fromDayNumber(EPOCH_1904 + serial, years);
}

/** The calendar date of a day count since 1970-01-01 (Hinnant's civil-from-days). */
function fromDayNumber(days: number, years: PlausibleYears): Normalized {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return calendarDate(year, month, day, years);
}
