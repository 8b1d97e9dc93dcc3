import type { BlockingTable, EncodedColumn } from '@mpi/blocking';
import type { ScoringTable } from '@mpi/scoring';
import { DuplicateRecordIdError, InvalidValueError, MpiError, SettingsError } from './errors.js';
import { fieldKind } from './field-kinds.js';
import { DEFAULTS, sourceFieldPlan, type FieldKind, type FieldOptions, type Settings } from './settings.js';
import { readSource, type SourceInput } from './sources.js';

/** A value that was kept out of matching (treated as missing) and reported. */
export interface ValueFlag {
  readonly source: string;
  readonly row: number;
  readonly column: string;
  readonly reason: string;
}

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

/** A value longer than this is not a demographic value; it is flagged and treated as missing. */
export const MAX_FIELD_LENGTH = 1024;

class ColumnBuilder {
  readonly index = new Map<string, number>([['', 0]]);
  readonly dictionary: string[] = [''];
  ids = new Uint32Array(1024);

  /** Dictionary id of a normalized value, adding it on first sight. */
  intern(value: string): number {
    let id = this.index.get(value);
    if (id === undefined) {
      id = this.dictionary.length;
      this.index.set(value, id);
      this.dictionary.push(value);
    }
    return id;
  }

  /** Sets the record's value id unless an earlier column already filled it. */
  setIfEmpty(record: number, id: number): void {
    if (record >= this.ids.length) this.reserve(record + 1);
    else if (this.ids[record] !== 0) return;
    this.ids[record] = id;
  }

  reserve(records: number): void {
    if (records <= this.ids.length) return;
    const grown = new Uint32Array(Math.max(records, this.ids.length * 2));
    grown.set(this.ids);
    this.ids = grown;
  }

  /** Re-numbers the dictionary by first appearance along `order`, so ids do not depend on input order. */
  finish(order: Uint32Array): EncodedColumn {
    const remap = new Int32Array(this.dictionary.length).fill(-1);
    remap[0] = 0;
    const dictionary: string[] = [''];
    const ids = new Uint32Array(order.length);
    for (let r = 0; r < order.length; r++) {
      const old = this.ids[order[r]];
      let id = remap[old];
      if (id < 0) {
        id = dictionary.length;
        remap[old] = id;
        dictionary.push(this.dictionary[old]);
      }
      ids[r] = id;
    }
    return { dictionary, ids };
  }
}

interface ColumnPlan {
  readonly column: string;
  readonly options: FieldOptions;
  readonly targets: readonly ColumnBuilder[];
  /**
   * Raw value -> dictionary id per target field (0 = empty), or the reason it is
   * invalid. Names, dates and places repeat heavily, so at 1M records most values
   * cost one lookup; bounded so a column of unique values (ids, phones) cannot
   * grow it without limit.
   */
  readonly cache: Map<string, Uint32Array | string>;
}

const NORMALIZATION_CACHE_LIMIT = 1 << 18;


/**
 * Reads and normalizes every source into one RecordTable. Bad input raises a
 * typed error naming source, row and column; unusable values are flagged (or
 * raise InvalidValueError when settings.invalidValues is "error").
 */
export async function buildRecordTable(inputs: readonly SourceInput[], settings: Settings): Promise<RecordTable> {
  if (inputs.length === 0) throw new MpiError('NO_SOURCES', 'at least one source is required');
  if (inputs.length > 65535) throw new MpiError('TOO_MANY_SOURCES', 'at most 65,535 sources are supported');
  const sorted = [...inputs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].name === sorted[i - 1].name) throw new SettingsError('sources', `source name "${sorted[i].name}" is used twice`);
  }
  const failOnInvalid = (settings.invalidValues ?? DEFAULTS.invalidValues) === 'error';
  const defaultCountry = settings.defaultCountry ?? DEFAULTS.defaultCountry;

  const builders = new Map<string, ColumnBuilder>();
  const fieldKinds = new Map<string, FieldKind>();
  const builderFor = (field: string, kind: FieldKind, column: string): ColumnBuilder => {
    // A full name feeds given/middle/family_name, whose kinds are their names.
    const fieldKindOf = kind === 'full_name' ? (field as FieldKind) : kind;
    const known = fieldKinds.get(field);
    if (known !== undefined && known !== fieldKindOf) {
      throw new SettingsError(`fields.${column}`, `feeds field "${field}" which another column fills as kind "${known}"`);
    }
    fieldKinds.set(field, fieldKindOf);
    let builder = builders.get(field);
    if (builder === undefined) builders.set(field, (builder = new ColumnBuilder()));
    return builder;
  };

  const sourceIndex: number[] = [];
  const recordIds: string[] = [];
  const rows: number[] = [];
  const flags: ValueFlag[] = [];

  for (let s = 0; s < sorted.length; s++) {
    const input = sorted[s];
    const plan = sourceFieldPlan(settings, input.name);
    // Direct columns first, full names last: a full name only fills what the direct columns left empty.
    const columns: ColumnPlan[] = [...plan.fields]
      .sort((a, b) => Number(a.options.kind === 'full_name') - Number(b.options.kind === 'full_name'))
      .map(({ column, options }) => ({
        column,
        options,
        targets: fieldKind(options.kind as Exclude<FieldKind, 'ignore'>)
          .targets(column)
          .map((field) => builderFor(field, options.kind, column)),
        cache: new Map(),
      }));
    const seenIds = new Map<string, number>();
    const columnNames = [plan.recordId, ...columns.map((c) => c.column)];
    for await (const batch of readSource(input, columnNames)) {
      for (const { row, values } of batch) {
        const recordId = values[0].trim();
        if (recordId === '') throw new InvalidValueError(input.name, row, plan.recordId, 'missing record id');
        const firstRow = seenIds.get(recordId);
        if (firstRow !== undefined) throw new DuplicateRecordIdError(input.name, row, plan.recordId, firstRow);
        seenIds.set(recordId, row);
        const record = recordIds.length;
        recordIds.push(recordId);
        sourceIndex.push(s);
        rows.push(row);
        for (let c = 0; c < columns.length; c++) {
          const { column, options, targets, cache } = columns[c];
          const raw = values[c + 1];
          if (raw === '') continue;
          let entry = raw.length > MAX_FIELD_LENGTH ? 'too-long' : cache.get(raw);
          if (entry === undefined) {
            const result = fieldKind(options.kind as Exclude<FieldKind, 'ignore'>).normalize(raw, options, defaultCountry);
            entry = 'invalid' in result ? result.invalid : Uint32Array.from(targets, (target, t) => (result.values[t] === '' ? 0 : target.intern(result.values[t])));
            if (cache.size >= NORMALIZATION_CACHE_LIMIT) cache.clear();
            cache.set(raw, entry);
          }
          if (typeof entry === 'string') {
            if (failOnInvalid) throw new InvalidValueError(input.name, row, column, entry);
            flags.push({ source: input.name, row, column, reason: entry });
            continue;
          }
          // First non-empty value wins: direct columns come before full names.
          for (let t = 0; t < targets.length; t++) if (entry[t] !== 0) targets[t].setIfEmpty(record, entry[t]);
        }
      }
    }
  }

  const size = recordIds.length;
  // Canonical order: source (already sorted by name), then record id.
  const order = Uint32Array.from({ length: size }, (_, i) => i).sort((a, b) => {
    if (sourceIndex[a] !== sourceIndex[b]) return sourceIndex[a] - sourceIndex[b];
    return recordIds[a] < recordIds[b] ? -1 : recordIds[a] > recordIds[b] ? 1 : 0;
  });
  const columns: Record<string, EncodedColumn> = {};
  for (const [field, builder] of builders) {
    builder.reserve(size);
    columns[field] = builder.finish(order);
  }
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
