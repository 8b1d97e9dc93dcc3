import { ColumnBuilder } from './column-builder.js';
import { DuplicateRecordIdError, InvalidValueError, SettingsError } from '../errors.js';
import { fieldKind, type FieldValues } from '../defaults/field-kinds.js';
import { DEFAULTS, sourceFieldPlan, type FieldKind, type FieldOptions, type Settings } from '../settings/settings.js';
import { firstRepeat, gatherInto, orderById } from './record-order.js';
import { readSourceCells, type ByteRange, type CellBatch, type SourceInput } from './sources.js';

/** A value that was kept out of matching (treated as missing) and reported. */
export interface ValueFlag {
  readonly source: string;
  readonly row: number;
  readonly column: string;
  readonly reason: string;
}

/** A value longer than this is not a demographic value; it is flagged and treated as missing. */
export const MAX_FIELD_LENGTH = 1024;

/** One source read and normalized: its records sorted by record id, with their rows, and a dictionary-encoded column per logical field. */
export interface SourceColumns {
  readonly name: string;
  readonly recordIds: string[];
  readonly rows: Uint32Array;
  readonly fields: {
    readonly field: string;
    readonly dictionary: readonly string[];
    readonly ids: Uint32Array;
    /** Set when the dictionary is ordered by (hash, value), as read workers send it (see dictionary-merge.ts). */
    readonly hashes?: Uint32Array;
  }[];
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

/**
 * A column's normalization cache: raw value -> dictionary id (one target) or ids
 * per target (0 = empty), or the reason it is invalid. Names, dates and places
 * repeat heavily, so at 1M records most values cost one lookup. Columns of mostly
 * unique values (ids, phones, emails) gain nothing from it and pay for every
 * miss, so the cache is dropped for a column whose hit rate over a window of
 * lookups is low.
 */
interface NormalizationCache {
  map: Map<string, CacheEntry> | undefined;
  lookups: number;
  hits: number;
}

interface ColumnPlan {
  readonly column: string;
  readonly options: FieldOptions;
  readonly normalize: (raw: string, options: FieldOptions, defaultCountry: string) => FieldValues;
  readonly targets: readonly ColumnBuilder[];
  readonly cache: NormalizationCache;
}

type CacheEntry = number | Uint32Array | string;

/**
 * What sources read one after another on one thread share: a dictionary per
 * logical field and a normalization cache per column signature (its options and
 * the fields it feeds). A value one source normalized costs the next a lookup
 * (FEBRL4's second file repeats most names, places and dates of the first), and
 * merging the sources re-interns nothing (ColumnBuilder.append). Sources read in
 * worker threads keep their own.
 */
export class SharedReads {
  private readonly builders = new Map<string, ColumnBuilder>();
  private readonly caches = new Map<string, NormalizationCache>();

  /**
   * The field's builder for the whole table: its dictionary is the one each
   * source's own builder for the field interns into (via the constructor), and
   * the merge appends every source's rows to it.
   */
  builderOf(field: string): ColumnBuilder {
    let builder = this.builders.get(field);
    if (builder === undefined) this.builders.set(field, (builder = new ColumnBuilder()));
    return builder;
  }

  /** The cache of columns normalized alike into the same fields. */
  cacheOf(options: FieldOptions, fields: readonly string[]): NormalizationCache {
    const signature = JSON.stringify([options, fields]);
    let cache = this.caches.get(signature);
    if (cache === undefined) this.caches.set(signature, (cache = newCache()));
    return cache;
  }
}

function newCache(): NormalizationCache {
  return { map: new Map(), lookups: 0, hits: 0 };
}

const NORMALIZATION_CACHE_LIMIT = 1 << 18;
/** Lookups per window over which a column's cache hit rate is judged. */
const CACHE_WINDOW = 1 << 15;
/** Below this hit rate a cache costs more (a lookup and a store per miss) than it saves. */
const CACHE_MIN_HIT_RATE = 0.25;

/**
 * Whether a value holds a control character: C0 (U+0000-U+001F), DEL or C1
 * (U+0080-U+009F). With `whitespace`, tab, LF and CR are allowed (a quoted CSV
 * value may span lines); a record id allows none. Such characters come from
 * binary corruption, a UTF-16 file, or bytes decoded in the wrong encoding.
 */
export function hasControlCharacter(value: string, whitespace: boolean): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 ? !(whitespace && (c === 0x09 || c === 0x0a || c === 0x0d)) : c >= 0x7f && c <= 0x9f) return true;
  }
  return false;
}

/**
 * Normalizes one raw value and interns it into the column's targets. `controls`:
 * the value may hold a control character (the source's text was not found free
 * of them). A cached entry needs no check: a value with one is cached flagged.
 */
function normalizeEntry(plan: ColumnPlan, raw: string, defaultCountry: string, controls: boolean): CacheEntry {
  if (controls && hasControlCharacter(raw, true)) return 'control-character';
  const { targets } = plan;
  const result = plan.normalize(raw, plan.options, defaultCountry);
  if ('invalid' in result) return result.invalid;
  if (targets.length === 1) return result.values[0] === '' ? 0 : targets[0].intern(result.values[0]);
  return Uint32Array.from(targets, (target, t) => (result.values[t] === '' ? 0 : target.intern(result.values[t])));
}

/** The column's entry for a raw value, through its cache while the cache pays for itself. */
function lookup(plan: ColumnPlan, raw: string, defaultCountry: string, controls: boolean): CacheEntry {
  const state = plan.cache;
  const cache = state.map;
  if (cache === undefined) return normalizeEntry(plan, raw, defaultCountry, controls);
  let entry = cache.get(raw);
  if (entry !== undefined) {
    state.hits++;
  } else {
    entry = normalizeEntry(plan, raw, defaultCountry, controls);
    if (cache.size >= NORMALIZATION_CACHE_LIMIT) cache.clear();
    cache.set(raw, entry);
  }
  if (++state.lookups === CACHE_WINDOW) {
    if (state.hits < CACHE_WINDOW * CACHE_MIN_HIT_RATE) state.map = undefined;
    state.lookups = 0;
    state.hits = 0;
  }
  return entry;
}

/**
 * Reads and normalizes one source, or the part of a CSV source in `range` (rows
 * then count from the part's start). Runs in the main thread or in a read worker
 * (several sources, or parts of a large one, are read in parallel). Bad input raises a typed error naming
 * source, row and column; unusable values are flagged, or raise InvalidValueError
 * when settings.invalidValues is "error". Given `shared`, the source's
 * dictionaries and caches are those of the sources read before it (see SharedReads).
 */
export async function readSourceColumns(input: SourceInput, settings: Settings, range?: ByteRange, shared?: SharedReads): Promise<SourceColumns> {
  const failOnInvalid = (settings.invalidValues ?? DEFAULTS.invalidValues) === 'error';
  const defaultCountry = settings.defaultCountry ?? DEFAULTS.defaultCountry;
  const plan = sourceTargets(settings, input.name);
  const builders = new Map<string, ColumnBuilder>();
  const columns: ColumnPlan[] = plan.columns.map(({ column, options, targets }) => ({
    column,
    options,
    normalize: fieldKind(options.kind as Exclude<FieldKind, 'ignore'>).normalize,
    targets: targets.map(({ field }) => {
      let builder = builders.get(field);
      if (builder === undefined) builders.set(field, (builder = new ColumnBuilder(shared?.builderOf(field))));
      return builder;
    }),
    cache: shared?.cacheOf(options, targets.map(({ field }) => field)) ?? newCache(),
  }));
  const recordIds: string[] = [];
  const rows: number[] = [];
  const flags: ValueFlag[] = [];
  const columnNames = [plan.recordId, ...columns.map((c) => c.column)];
  /** A repeated record id among the records read so far, as the error a single pass stops at. */
  const repeated = (order: Uint32Array) => {
    const repeat = firstRepeat(order, recordIds, rows);
    return repeat && new DuplicateRecordIdError(input.name, repeat.row, plan.recordId, repeat.firstRow);
  };
  try {
    for await (const { firstRow, trim, controls, cells, columns: at } of readSourceCells(input, columnNames, range)) {
      readCells(cells, firstRow, trim, controls, at);
    }
  } catch (error) {
    // Repeated ids are found after the pass (see record-order.ts): one before the
    // row that failed is the error a pass checking ids as it goes would have raised.
    throw repeated(orderById(recordIds)) ?? error;
  }
  function readCells(cells: CellBatch['cells'], firstRow: number, trim: boolean, controls: boolean, at: readonly number[]): void {
    for (let i = 0; i < cells.length; i++) {
      const values = cells[i];
      const row = firstRow + i;
      const recordId = values[at[0]].trim();
      // Pushed before the check, so a repeat of an earlier id on this row still wins over this error.
      recordIds.push(recordId);
      rows.push(row);
      if (recordId === '') throw new InvalidValueError(input.name, row, plan.recordId, 'missing record id');
      if (hasControlCharacter(recordId, false)) {
        throw new InvalidValueError(input.name, row, plan.recordId, 'record id holds a control character (U+0000-U+001F, U+007F-U+009F)');
      }
      const record = recordIds.length - 1;
      for (let c = 0; c < columns.length; c++) {
        const raw = trim ? values[at[c + 1]].trim() : values[at[c + 1]];
        if (raw === '') continue;
        const column = columns[c];
        const entry = raw.length > MAX_FIELD_LENGTH ? 'too-long' : lookup(column, raw, defaultCountry, controls);
        if (typeof entry === 'number') {
          if (entry !== 0) column.targets[0].setIfEmpty(record, entry);
        } else if (typeof entry === 'string') {
          if (failOnInvalid) throw new InvalidValueError(input.name, row, column.column, entry);
          flags.push({ source: input.name, row, column: column.column, reason: entry });
        } else {
          // First non-empty value wins: direct columns come before full names.
          const { targets } = column;
          for (let t = 0; t < targets.length; t++) if (entry[t] !== 0) targets[t].setIfEmpty(record, entry[t]);
        }
      }
    }
  }
  // Records leave sorted by id, the canonical order within a source, so the
  // sorting is spread over the read workers and the merge sees sorted runs.
  const order = orderById(recordIds);
  const duplicate = repeated(order);
  if (duplicate) throw duplicate;
  return {
    name: input.name,
    recordIds: gatherInto(new Array<string>(order.length), recordIds, order),
    rows: gatherInto(new Uint32Array(order.length), rows, order),
    fields: [...builders].map(([field, builder]) => {
      builder.reserve(recordIds.length);
      return { field, dictionary: builder.dictionary, ids: gatherInto(new Uint32Array(order.length), builder.ids, order) };
    }),
    flags,
  };
}
