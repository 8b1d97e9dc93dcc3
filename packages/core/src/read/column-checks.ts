import { InvalidValueError } from '../errors.js';
import type { SourceColumns, ValueFlag } from './source-columns.js';

/**
 * Checks made once a whole source is read (all its parts, when a large file was
 * read in parallel), so they do not depend on how the file was cut:
 * - a birth-date column without a declared format most of whose values are
 *   spreadsheet serial day numbers is read as one (see SerialDateCandidates);
 *   otherwise those values are flagged `unparseable-date` like any other;
 * - a column most of whose non-empty values failed validation is a warning
 *   naming the source, the column and the share, never a value.
 */

/** More than this share of a column's non-empty values failing makes the column a warning. */
export const FAILING_COLUMN_SHARE = 0.5;

/** Something about a whole column of a source that a run should not pass over silently. Never holds a value. */
export interface ColumnWarning {
  /** The source's name. */
  readonly source: string;
  /** The column as the source names it. */
  readonly column: string;
  /**
   * `mostly-invalid`: more than half of the non-empty values failed validation
   * (flagged; an unparseable one is kept out of matching). `spreadsheet-serial-dates`:
   * the column had no declared format and most values were spreadsheet serial
   * day numbers, so it was read as such (declare format "excel" to say so).
   */
  readonly kind: 'mostly-invalid' | 'spreadsheet-serial-dates';
  /** Non-empty values of the column in the source. */
  readonly values: number;
  /** Share of them the warning is about (flagged, or read as serial days). */
  readonly share: number;
  /** The commonest flag reason, for `mostly-invalid`. */
  readonly reason?: string;
  /** The warning in words, naming source, column and share (mpi link prints it on stderr). */
  readonly message: string;
}

const percent = (share: number) => `${(100 * share).toFixed(1)}%`;

/**
 * Settles one source's parts (mutating them: serial values not adopted are
 * removed from the columns and flagged) and returns its column warnings.
 * @throws InvalidValueError at the first serial value not adopted when `failOnInvalid`.
 */
export function checkSourceColumns(source: string, parts: readonly SourceColumns[], failOnInvalid: boolean): ColumnWarning[] {
  const totals = new Map<string, { nonEmpty: number; flagged: number }>();
  for (const part of parts) {
    for (const { column, nonEmpty, flagged } of part.columnCounts) {
      const total = totals.get(column) ?? { nonEmpty: 0, flagged: 0 };
      total.nonEmpty += nonEmpty;
      total.flagged += flagged;
      totals.set(column, total);
    }
  }
  const warnings: ColumnWarning[] = [];
  const serialColumns = new Set(parts.flatMap((part) => part.serialDates.map((s) => s.column)));
  for (const column of serialColumns) {
    const noted = parts.flatMap((part) => part.serialDates.filter((s) => s.column === column));
    const serial = noted.reduce((n, s) => n + s.positions.length, 0);
    const total = totals.get(column)!;
    // The whole column fits: serial days are most of its values, and not a column of four-digit birth years.
    if (serial > total.nonEmpty * FAILING_COLUMN_SHARE && !noted.every((s) => s.allYears)) {
      warnings.push({
        source,
        column,
        kind: 'spreadsheet-serial-dates',
        values: total.nonEmpty,
        share: serial / total.nonEmpty,
        message:
          `source "${source}", column "${column}": ${percent(serial / total.nonEmpty)} of ${total.nonEmpty} values are spreadsheet serial day numbers ` +
          '(no date format declared); read as dates of the 1900 date system (declare format "excel" or "excel-1904" to say so)',
      });
      continue;
    }
    if (failOnInvalid) {
      const first = Math.min(...noted.map((s) => s.rows[0]));
      throw new InvalidValueError(source, first, column, 'unparseable-date');
    }
    for (const part of parts) rejectSerials(source, part, column);
    total.flagged += serial;
  }
  for (const [column, { nonEmpty, flagged }] of totals) {
    if (nonEmpty === 0 || flagged <= nonEmpty * FAILING_COLUMN_SHARE) continue;
    const reason = commonestReason(parts, column);
    warnings.push({
      source,
      column,
      kind: 'mostly-invalid',
      values: nonEmpty,
      share: flagged / nonEmpty,
      reason,
      message:
        `source "${source}", column "${column}": ${percent(flagged / nonEmpty)} of ${nonEmpty} non-empty values failed validation (mostly ${reason}); ` +
        (reason === 'implausible-year'
          ? 'check the field\'s earliestYear and latestYear in the settings'
          : 'check the column\'s kind and format in the settings'),
    });
  }
  return warnings;
}

/** Takes a part's serial values of a column out of its value columns and flags them, keeping the part's flags in row order. */
function rejectSerials(source: string, part: SourceColumns, column: string): void {
  const added: ValueFlag[] = [];
  for (const noted of part.serialDates) {
    if (noted.column !== column) continue;
    for (let k = 0; k < noted.positions.length; k++) {
      const slot = part.fields.find((f) => f.field === noted.slots[k]);
      if (slot !== undefined) slot.ids[noted.positions[k]] = 0;
      added.push({ source, row: noted.rows[k], column, reason: 'unparseable-date' });
    }
  }
  if (added.length === 0) return;
  for (const flag of added) part.flags.push(flag);
  part.flags.sort((a, b) => a.row - b.row);
}

function commonestReason(parts: readonly SourceColumns[], column: string): string {
  const counts = new Map<string, number>();
  for (const part of parts) for (const flag of part.flags) if (flag.column === column) counts.set(flag.reason, (counts.get(flag.reason) ?? 0) + 1);
  let best = '';
  let most = 0;
  for (const [reason, count] of counts) if (count > most || (count === most && reason < best)) [best, most] = [reason, count];
  return best;
}
