import { ColumnBuilder } from './column-builder.js';
import { DuplicateRecordIdError, InvalidValueError, SettingsError } from './errors.js';
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

/** A value longer than this is not a demographic value; it is flagged and treated as missing. */
export const MAX_FIELD_LENGTH = 1024;

/** One source read and normalized: its records in input order and a dictionary-encoded column per logical field. */
export interface SourceColumns {
  readonly name: string;
  readonly recordIds: string[];
  readonly rows: Uint32Array;
  readonly fields: { readonly field: string; readonly dictionary: string[]; readonly ids: Uint32Array }[];
  readonly flags: ValueFlag[];
}

/** The logical field each column of a source feeds, with the field's kind (a full name feeds given/middle/family). */
export function sourceTargets(settings: Settings, source: string) {
  const plan = sourceFieldPlan(settings, source);
  // Direct columns first, full names last: a full name only fills what the direct columns left empty.
  const fields = [...plan.fields].sort((a, b) => Number(a.options.kind === 'full_name') - Number(b.options.kind === 'full_name'));
  return {
    recordId: plan.recordId,
    columns: fields.map(({ column, options }) => ({
      column,
      options,
      targets: fieldKind(options.kind as Exclude<FieldKind, 'ignore'>)
        .targets(column)
        .map((field) => ({ field, kind: (options.kind === 'full_name' ? field : options.kind) as FieldKind })),
    })),
  };
}

/** Checks that no logical field is fed by two kinds across all sources; returns the kind of every field in a stable order. */
export function planFieldKinds(settings: Settings, sources: readonly string[]): Map<string, FieldKind> {
  const kinds = new Map<string, FieldKind>();
  for (const source of sources) {
    for (const { column, targets } of sourceTargets(settings, source).columns) {
      for (const { field, kind } of targets) {
        const known = kinds.get(field);
        if (known !== undefined && known !== kind) {
          throw new SettingsError(`fields.${column}`, `feeds field "${field}" which another column fills as kind "${known}"`);
        }
        kinds.set(field, kind);
      }
    }
  }
  return kinds;
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
 * Reads and normalizes one source. Runs in the main thread or in a read worker
 * (several sources are read in parallel). Bad input raises a typed error naming
 * source, row and column; unusable values are flagged, or raise InvalidValueError
 * when settings.invalidValues is "error".
 */
export async function readSourceColumns(input: SourceInput, settings: Settings): Promise<SourceColumns> {
  const failOnInvalid = (settings.invalidValues ?? DEFAULTS.invalidValues) === 'error';
  const defaultCountry = settings.defaultCountry ?? DEFAULTS.defaultCountry;
  const plan = sourceTargets(settings, input.name);
  const builders = new Map<string, ColumnBuilder>();
  const columns: ColumnPlan[] = plan.columns.map(({ column, options, targets }) => ({
    column,
    options,
    targets: targets.map(({ field }) => {
      let builder = builders.get(field);
      if (builder === undefined) builders.set(field, (builder = new ColumnBuilder()));
      return builder;
    }),
    cache: new Map(),
  }));
  const recordIds: string[] = [];
  const rows: number[] = [];
  const flags: ValueFlag[] = [];
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
  return {
    name: input.name,
    recordIds,
    rows: Uint32Array.from(rows),
    fields: [...builders].map(([field, builder]) => {
      builder.reserve(recordIds.length);
      return { field, dictionary: builder.dictionary, ids: builder.ids.slice(0, recordIds.length) };
    }),
    flags,
  };
}
