import type { EncodedColumn, EncodedTable } from '@mpi/types';
import { ColumnBuilder, encodeInOrder } from './column-builder.js';
import { mergeHashOrdered } from './dictionary-merge.js';
import { DuplicateRecordIdError, MpiError, SettingsError } from '../errors.js';
import { checkSourceColumns, type ColumnWarning } from './column-checks.js';
import { planFieldKinds, planValueColumns, SharedReads, type SourceColumns, type ValueFlag } from './source-columns.js';
import { firstRepeat, gatherInto, mergeSortedRuns } from './record-order.js';
import { readSourceParts } from './read-sources.js';
import { markPlaceholders, type PlaceholderMarks } from './placeholder-values.js';
import { DEFAULTS, sourceFieldPlan, type FieldKind, type Settings } from '../settings/settings.js';
import type { SourceInput } from './source-input.js';

export { MAX_FIELD_LENGTH, type ValueFlag } from './source-columns.js';
export type { PlaceholderMarks } from './placeholder-values.js';
export type { ColumnWarning } from './column-checks.js';

/**
 * The normalized records, columnar. Rows are in canonical order (sources by
 * name, then record id), and dictionaries are numbered by first appearance in
 * that order, so everything downstream is a pure function of the records and
 * not of the order they arrived in.
 */
export interface RecordTable extends EncodedTable {
  readonly size: number;
  /** Source names, sorted; `source[r]` indexes this list. */
  readonly sources: readonly string[];
  readonly source: Uint16Array;
  readonly recordIds: readonly string[];
  /** 1-based data row of each record in its source. */
  readonly rows: Uint32Array;
  /** Logical fields (given_name, birth_date, ...), dictionary-encoded. */
  readonly columns: Readonly<Record<string, EncodedColumn>>;
  /** Kind of each logical field, in a stable order. */
  readonly fieldKinds: ReadonlyMap<string, FieldKind>;
  /**
   * Values that failed validation (kept as evidence where their characters could be read,
   * else kept out of matching) and placeholders (kept out of matching), by source, row and column.
   */
  readonly flags: readonly ValueFlag[];
  /**
   * Per field (and value column), the records whose value is a placeholder
   * (normalize/placeholders.ts, placeholder-values.ts): `columns` holds them as
   * missing, so they are no evidence; the value each held is kept here. Flagged
   * `placeholder` under the field's name.
   */
  readonly placeholders?: Readonly<Record<string, PlaceholderMarks>>;
  /**
   * Fields fed by several columns of a source (home and cell phone): their further
   * value columns, field -> [field#2, ...]; the default comparison of such a field
   * takes the best level over every pair of values (Comparison.valueColumns).
   */
  readonly valueColumns: ReadonlyMap<string, readonly string[]>;
  /** Columns that failed as a whole, or were read as spreadsheet serial dates: see ColumnWarning. */
  readonly warnings: readonly ColumnWarning[];
}

/** One field's column from the parts' hash-ordered dictionaries (see dictionary-merge.ts), in canonical order. */
function mergeParts(pieces: readonly { offset: number; part: SourceColumns['fields'][number] }[], size: number, order: Uint32Array): EncodedColumn {
  const { dictionary, remaps } = mergeHashOrdered(pieces.map(({ part }) => ({ dictionary: part.dictionary, hashes: part.hashes! })));
  const ids = new Uint32Array(size);
  pieces.forEach(({ offset, part }, p) => {
    const remap = remaps[p];
    const partIds = part.ids;
    for (let r = 0; r < partIds.length; r++) ids[offset + r] = remap[partIds[r]];
  });
  return encodeInOrder(dictionary, ids, order);
}

/** Options of {@link buildRecordTable}. */
export interface ReadOptions {
  /**
   * Total CSV bytes from which files are read in worker threads, large files cut
   * into parts (default 48 MiB, the break-even measured on 2 cores; with more
   * cores it comes lower).
   */
  readonly parallelReadBytes?: number;
}

/** The sources sorted by name (the canonical order of sources), refusing none, too many, or a name used twice. */
export function sortedSources(inputs: readonly SourceInput[]): SourceInput[] {
  if (inputs.length === 0) throw new MpiError('NO_SOURCES', 'at least one source is required');
  if (inputs.length > 65535) throw new MpiError('TOO_MANY_SOURCES', 'at most 65,535 sources are supported');
  const sorted = [...inputs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].name === sorted[i - 1].name) throw new SettingsError('sources', `source name "${sorted[i].name}" is used twice`);
  }
  return sorted;
}

/** The table's columns as the settings lay them out over the sources: the fields, their kinds, and the further value columns of multi-valued fields. */
export function tableLayout(settings: Settings, sorted: readonly SourceInput[]) {
  const names = sorted.map((input) => input.name);
  const fieldKinds = planFieldKinds(settings, names);
  const valueColumns = planValueColumns(settings, names);
  const tableColumns = [...fieldKinds.keys(), ...[...valueColumns.values()].flat()];
  const fieldOfValueColumn = new Map([...valueColumns].flatMap(([field, columns]) => columns.map((column) => [column, field] as const)));
  // A field's further value columns (cell phone beside home phone) hold values of its kind.
  const columnKinds = new Map([...fieldKinds, ...[...fieldOfValueColumn].map(([column, field]) => [column, fieldKinds.get(field)!] as const)]);
  return { fieldKinds, valueColumns, tableColumns, fieldOfValueColumn, columnKinds };
}

/**
 * Reads and normalizes every source into one RecordTable. Bad input raises a
 * typed error naming source, row and column; unusable values are flagged (or
 * raise InvalidValueError when settings.invalidValues is "error").
 */
export async function buildRecordTable(inputs: readonly SourceInput[], settings: Settings, threads?: number, options: ReadOptions = {}): Promise<RecordTable> {
  const sorted = sortedSources(inputs);
  const { fieldKinds, valueColumns, tableColumns, fieldOfValueColumn, columnKinds } = tableLayout(settings, sorted);
  const failOnInvalid = (settings.invalidValues ?? DEFAULTS.invalidValues) === 'error';
  const shared = new SharedReads();
  const read = await readSourceParts(sorted, settings, threads, options.parallelReadBytes, shared);

  // Concatenate the sources (already in name order) part by part.
  const size = read.reduce((n, parts) => parts.reduce((m, part) => m + part.recordIds.length, n), 0);
  // When every part was read in a worker, their hash-ordered dictionaries are merged
  // (dictionary-merge.ts). Otherwise parts read on this thread interned into these
  // builders' dictionaries already, and any worker-read part is re-interned.
  const fromWorkers = read.every((parts) => parts.every((part) => part.fields.every((f) => f.hashes !== undefined)));
  const pieces = new Map<string, { offset: number; part: SourceColumns['fields'][number] }[]>(tableColumns.map((field) => [field, []]));
  const builders = new Map<string, ColumnBuilder>(tableColumns.map((field) => [field, shared.builderOf(field, fieldOfValueColumn.get(field))]));
  const sourceIndex = new Uint16Array(size);
  const recordIds: string[] = [];
  const rows = new Uint32Array(size);
  const flags: ValueFlag[] = [];
  const order = new Uint32Array(size);
  const warnings: ColumnWarning[] = [];
  for (let s = 0; s < read.length; s++) {
    warnings.push(...checkSourceColumns(sorted[s].name, read[s], failOnInvalid));
    const start = recordIds.length;
    const runs: number[] = [start];
    for (const part of read[s]) {
      const offset = recordIds.length;
      const count = part.recordIds.length;
      for (const field of part.fields) {
        if (fromWorkers) pieces.get(field.field)!.push({ offset, part: field });
        else builders.get(field.field)!.append(offset, field.dictionary, field.ids, count);
      }
      rows.set(part.rows, offset);
      for (const id of part.recordIds) recordIds.push(id);
      for (const flag of part.flags) flags.push(flag);
      runs.push(offset + count);
    }
    sourceIndex.fill(s, start, recordIds.length);
    // Canonical order: source (already sorted by name), then record id. Each part arrives sorted.
    const merged = mergeSortedRuns(recordIds, runs);
    order.set(merged, start);
    if (runs.length > 2) {
      const repeat = firstRepeat(merged, recordIds, rows);
      if (repeat !== undefined) throw new DuplicateRecordIdError(sorted[s].name, repeat.row, sourceFieldPlan(settings, sorted[s].name).recordId, repeat.firstRow);
    }
  }
  const encoded: Record<string, EncodedColumn> = {};
  for (const [field, builder] of builders) encoded[field] = fromWorkers ? mergeParts(pieces.get(field)!, size, order) : builder.finish(order);
  const { columns, placeholders } = markPlaceholders(encoded, columnKinds, size);
  const sources = sorted.map((input) => input.name);
  const source = gatherInto(new Uint16Array(size), sourceIndex, order);
  const canonicalRows = gatherInto(new Uint32Array(size), rows, order);
  for (const [field, marks] of Object.entries(placeholders)) {
    for (const r of marks.rows) flags.push({ source: sources[source[r]], row: canonicalRows[r], column: field, reason: 'placeholder' });
  }
  return {
    size,
    sources,
    source,
    recordIds: gatherInto(new Array<string>(size), recordIds, order),
    rows: canonicalRows,
    columns,
    fieldKinds,
    flags,
    valueColumns,
    warnings,
    placeholders,
  };
}
