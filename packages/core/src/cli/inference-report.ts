import type { InferredSettings, UnplacedColumn } from '../read/infer-settings.js';
import { delimiterName } from '../read/csv-delimiter.js';

const WHY_LEFT_OUT: Readonly<Record<UnplacedColumn['reason'], string>> = {
  unknown: 'left out: neither its name nor its values show a field kind',
  blank: 'left out: blank in the rows read, and its name shows no field kind',
  repeated: 'left out: the header gives this name more than once',
  'another-id': 'left out: named like a record id, but another column is the record id',
  'which-date': 'left out: holds dates, but no header says which column is the birth date',
};

const FORMAT_NOTES = {
  'mixed-forms': 'no format: its values are written in several forms (each is read in the automatic forms)',
  'day-month-order-undecided': 'no format: no value shows whether the day or the month comes first (ambiguous dates are read month-first)',
  'not-dates': 'no format: its values are in no date form inference names (link reads spreadsheet serial numbers when most values are)',
} as const;

/**
 * What inference decided, column by column, as text for a person to check:
 * column names, kinds and formats only, never a value.
 */
export function formatInference(inferred: InferredSettings): string {
  const lines: string[] = [];
  for (const source of inferred.sources) {
    const delimiter = source.delimiter === undefined ? '' : `, fields split at ${delimiterName(source.delimiter)}`;
    lines.push(`source ${source.source}: record id ${source.recordId.column} (by its ${source.recordId.by === 'header' ? 'name' : 'distinct values'}${delimiter})`);
    const width = Math.max(0, ...source.columns.map((c) => c.column.length), ...source.unplaced.map((c) => c.column.length)) + 2;
    for (const column of source.columns) {
      const format = column.format !== undefined ? ` ${column.format}` : '';
      const note = column.formatNote !== undefined ? `; ${FORMAT_NOTES[column.formatNote]}` : '';
      lines.push(`  ${column.column.padEnd(width)}${column.kind}${format} (by its ${column.by === 'header' ? 'name' : 'values'}${note})`);
    }
    for (const column of source.unplaced) lines.push(`  ${column.column.padEnd(width)}${WHY_LEFT_OUT[column.reason]}`);
  }
  return lines.join('\n');
}
