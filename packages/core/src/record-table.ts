import type { BlockingTable, EncodedColumn } from '@mpi/blocking';
import type { ScoringTable } from '@mpi/scoring';
import { ColumnBuilder } from './column-builder.js';
import { MpiError, SettingsError } from './errors.js';
import { planFieldKinds, type ValueFlag } from './read-source-columns.js';
import { readSources } from './read-sources.js';
import type { FieldKind, Settings } from './settings.js';
import type { SourceInput } from './sources.js';

export { MAX_FIELD_LENGTH, type ValueFlag } from './read-source-columns.js';

/**
 * The normalized records, columnar. Rows are in canonical order (sources by
 * name, then record id), and dictionaries are numbered by first appearance in
 * that order, so everything downstream is a pure function of the records and
 * not of the order they arrived in.
 */
export interface RecordTable extends BlockingTable, ScoringTable {
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
  /** Values kept out of matching (invalid or oversized), by source, row and column. */
  readonly flags: readonly ValueFlag[];
}

/**
 * Reads and normalizes every source into one RecordTable. Bad input raises a
 * typed error naming source, row and column; unusable values are flagged (or
 * raise InvalidValueError when settings.invalidValues is "error").
 */
export async function buildRecordTable(inputs: readonly SourceInput[], settings: Settings, threads?: number): Promise<RecordTable> {
  if (inputs.length === 0) throw new MpiError('NO_SOURCES', 'at least one source is required');
  if (inputs.length > 65535) throw new MpiError('TOO_MANY_SOURCES', 'at most 65,535 sources are supported');
  const sorted = [...inputs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].name === sorted[i - 1].name) throw new SettingsError('sources', `source name "${sorted[i].name}" is used twice`);
  }
  const fieldKinds = planFieldKinds(settings, sorted.map((input) => input.name));
  const read = await readSources(sorted, settings, threads);

  // Concatenate the sources (already in name order), re-interning each source's dictionaries.
  const size = read.reduce((n, source) => n + source.recordIds.length, 0);
  const builders = new Map<string, ColumnBuilder>([...fieldKinds.keys()].map((field) => [field, new ColumnBuilder()]));
  const sourceIndex = new Uint16Array(size);
  const recordIds: string[] = [];
  const rows = new Uint32Array(size);
  const flags: ValueFlag[] = [];
  for (let s = 0; s < read.length; s++) {
    const source = read[s];
    const offset = recordIds.length;
    const count = source.recordIds.length;
    for (const { field, dictionary, ids } of source.fields) builders.get(field)!.append(offset, dictionary, ids, count);
    sourceIndex.fill(s, offset, offset + count);
    rows.set(source.rows, offset);
    for (const id of source.recordIds) recordIds.push(id);
    for (const flag of source.flags) flags.push(flag);
  }

  // Canonical order: source (already sorted by name), then record id.
  const order = Uint32Array.from({ length: size }, (_, i) => i).sort((a, b) => {
    if (sourceIndex[a] !== sourceIndex[b]) return sourceIndex[a] - sourceIndex[b];
    return recordIds[a] < recordIds[b] ? -1 : recordIds[a] > recordIds[b] ? 1 : 0;
  });
  const columns: Record<string, EncodedColumn> = {};
  for (const [field, builder] of builders) columns[field] = builder.finish(order);
  return {
    size,
    sources: sorted.map((input) => input.name),
    source: Uint16Array.from(order, (r) => sourceIndex[r]),
    recordIds: Array.from(order, (r) => recordIds[r]),
    rows: Uint32Array.from(order, (r) => rows[r]),
    columns,
    fieldKinds,
    flags,
  };
}
