/**
 * The date format of a column from a sample of its values: the shape most of
 * them share (ISO, compact YYYYMMDD, numeric day/month/year with a separator),
 * and for numeric dates the order of day and month, which only a part above 12
 * shows. Values are looked at, never kept or printed.
 */

/** Share of the non-blank values one shape must cover to be declared as the column's format. */
export const FORMAT_SHARE = 0.9;
/**
 * How many times more values must show one order of day and month (a first
 * part above 12 means day first, a second part above 12 month first) than the
 * other: a few swapped day and month entries do not turn a month-first column
 * day-first.
 */
export const ORDER_MARGIN = 4;

/** What the sample showed: a format, or why none is declared. */
export type DateFormatGuess =
  | { readonly format: string }
  | { readonly format?: undefined; readonly reason: 'mixed-forms' | 'day-month-order-undecided' | 'not-dates' };

const ISO = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[T ].*)?$/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const NUMERIC = /^(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})$/;

interface Shape {
  /** Shape key: the form without day and month order, e.g. "N/N/YYYY". */
  readonly key: string;
  readonly separator: string;
  /** Numeric D/M/Y forms: the two leading parts. */
  readonly parts?: readonly [string, string];
  readonly year?: string;
}

function shapeOf(value: string): Shape | undefined {
  let m = ISO.exec(value);
  if (m !== null) return { key: `YYYY${m[2]}MM${m[2]}DD`, separator: m[2] };
  m = COMPACT.exec(value);
  if (m !== null) return Number(m[2]) <= 12 && Number(m[3]) <= 31 ? { key: 'YYYYMMDD', separator: '' } : undefined;
  m = NUMERIC.exec(value);
  if (m !== null) return { key: `N${m[2]}N${m[2]}${m[4].length === 4 ? 'YYYY' : 'YY'}`, separator: m[2], parts: [m[1], m[3]], year: m[4].length === 4 ? 'YYYY' : 'YY' };
  return undefined;
}

/** The format of a column of dates from its non-blank sample values. */
export function guessDateFormat(values: readonly string[]): DateFormatGuess {
  const shapes = values.map((value) => shapeOf(value.trim()));
  const byKey = new Map<string, Shape[]>();
  for (const shape of shapes) if (shape !== undefined) byKey.set(shape.key, [...(byKey.get(shape.key) ?? []), shape]);
  if (byKey.size === 0) return { reason: 'not-dates' };
  // The commonest shape; a tie goes to the shape seen first, so the guess does not depend on Map order alone.
  const [key, members] = [...byKey].reduce((best, entry) => (entry[1].length > best[1].length ? entry : best));
  if (members.length < FORMAT_SHARE * values.length) return { reason: 'mixed-forms' };
  const first = members[0];
  if (first.parts === undefined) return { format: key };
  let dayFirst = 0;
  let monthFirst = 0;
  let padded = true;
  for (const { parts } of members) {
    const [a, b] = parts!.map(Number);
    if (a > 12 && b <= 12) dayFirst++;
    if (b > 12 && a <= 12) monthFirst++;
    if (parts![0].length === 1 || parts![1].length === 1) padded = false;
  }
  const [day, month] = padded ? ['DD', 'MM'] : ['D', 'M'];
  const sep = first.separator;
  if (dayFirst > ORDER_MARGIN * monthFirst) return { format: `${day}${sep}${month}${sep}${first.year}` };
  if (monthFirst > ORDER_MARGIN * dayFirst) return { format: `${month}${sep}${day}${sep}${first.year}` };
  return { reason: 'day-month-order-undecided' };
}

/** Whether most values have a date's shape (for a column whose header says nothing). */
export function looksLikeDates(values: readonly string[]): boolean {
  let dates = 0;
  for (const value of values) if (shapeOf(value.trim()) !== undefined) dates++;
  return values.length > 0 && dates >= FORMAT_SHARE * values.length;
}
