import { ColumnBuilder } from './column-builder.js';
import { DuplicateRecordIdError, InvalidValueError, SettingsError } from '../errors.js';
import { fieldKind, fieldTargets, plausibleYears, type FieldValues } from '../defaults/field-kinds.js';
import { spreadsheetSerialDate, type PlausibleYears } from '../normalize/index.js';
import { DEFAULTS, sourceFieldPlan, type FieldKind, type FieldOptions, type Settings, type SourceFieldPlan } from '../settings/settings.js';
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
  /** Non-empty and flagged values of each column, to find a column that fails as a whole (column-checks.ts). */
  readonly columnCounts: ColumnCount[];
  /**
   * Values of birth-date columns without a declared format that read as
   * spreadsheet serial day numbers (SerialDateCandidates). They are kept in the
   * columns, unflagged, until the merge has seen the whole source and decides
   * whether the column is a column of serial dates (column-checks.ts).
   */
  readonly serialDates: SerialDateCandidates[];
}

/** How many non-empty values a column of a source (or of a part of one) held, and how many of them were flagged. */
export interface ColumnCount {
  readonly column: string;
  readonly nonEmpty: number;
  readonly flagged: number;
}

/** The values of one date column that read as spreadsheet serial numbers, by record (positions in the part's sorted order). */
export interface SerialDateCandidates {
  readonly column: string;
  /** Record positions (after sorting by record id) and their 1-based rows. */
  readonly positions: Uint32Array;
  readonly rows: Uint32Array;
  /** The table column (value slot) each value went to. */
  readonly slots: readonly string[];
  /** Whether every one of them is a four-digit number that is also a plausible year: a column of birth years, not of serial days. */
  readonly allYears: boolean;
}

/** The table column of a field's n-th value (n from 0): the field itself, then field#2, field#3... */
export function valueColumn(field: string, n: number): string {
  return n === 0 ? field : `${field}#${n + 1}`;
}

/** Targets already worked out, by source plan (sourceFieldPlan returns the same plan for the same settings). */
const targetsOfPlan = new WeakMap<SourceFieldPlan, ReturnType<typeof planTargets>>();

/** The logical field each column of a source feeds, with the field's kind (a full name feeds given/middle/family). */
export function sourceTargets(settings: Settings, source: string) {
  const plan = sourceFieldPlan(settings, source);
  let targets = targetsOfPlan.get(plan);
  if (targets === undefined) targetsOfPlan.set(plan, (targets = planTargets(plan)));
  return targets;
}

function planTargets(plan: SourceFieldPlan) {
  // Direct columns first, full names last: a full name only fills what the direct columns left empty.
  const fields = [...plan.fields].sort((a, b) => Number(a.options.kind === 'full_name') - Number(b.options.kind === 'full_name'));
  return {
    recordId: plan.recordId,
    columns: fields.map(({ column, options }) => ({
      column,
      options,
      targets: fieldTargets(column, options).map((field) => ({ field, kind: (options.kind === 'full_name' ? field : options.kind) as FieldKind })),
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
 * The further value columns of each field fed by several direct columns of one
 * source (home and cell phone): field -> [field#2, ...], as many as the source
 * with most such columns needs. A full name fills given, middle and family name
 * only where the direct columns left them empty, so it adds no value column.
 */
export function planValueColumns(settings: Settings, sources: readonly string[]): Map<string, string[]> {
  const slots = new Map<string, number>();
  for (const source of sources) {
    const counts = new Map<string, number>();
    for (const { options, targets } of sourceTargets(settings, source).columns) {
      if (options.kind === 'full_name') continue;
      for (const { field } of targets) counts.set(field, (counts.get(field) ?? 0) + 1);
    }
    for (const [field, count] of counts) slots.set(field, Math.max(slots.get(field) ?? 0, count));
  }
  const columns = new Map<string, string[]>();
  for (const [field, count] of slots) if (count > 1) columns.set(field, Array.from({ length: count - 1 }, (_, n) => valueColumn(field, n + 1)));
  return columns;
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
  /**
   * For a direct column, the builders of every value slot of its field (the
   * first is targets[0]): a value goes to the first empty slot unless a slot
   * holds it already. A full name's targets are filled only where empty.
   */
  readonly slots: readonly ColumnBuilder[] | undefined;
  readonly slotNames: readonly string[];
  readonly cache: NormalizationCache;
  /** Plausible years of a birth-date column without a declared format, whose serial-number values are candidates; else undefined. */
  readonly serialYears: PlausibleYears | undefined;
  nonEmpty: number;
  flagged: number;
}

/** A value that failed validation but keeps canonical characters as evidence: its dictionary id and the flag. */
interface FlaggedValue {
  readonly id: number;
  readonly reason: string;
}

type CacheEntry = number | Uint32Array | string | FlaggedValue;

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
   * the merge appends every source's rows to it. A further value column of a
   * field (`dictionaryOf` the field) shares the field's dictionary.
   */
  builderOf(field: string, dictionaryOf?: string): ColumnBuilder {
    let builder = this.builders.get(field);
    if (builder === undefined) this.builders.set(field, (builder = new ColumnBuilder(dictionaryOf === undefined ? undefined : this.builderOf(dictionaryOf))));
    return builder;
  }

  /** The cache of columns normalized alike into the same fields (`signature`: their options and fields, see columnLayouts). */
  cacheOf(signature: string): NormalizationCache {
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
  if ('invalid' in result) {
    const kept = result.values?.[0] ?? '';
    return kept === '' ? result.invalid : { id: targets[0].intern(kept), reason: result.invalid };
  }
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

/** What reading a column needs that depends on the source's plan alone (see columnLayouts). */
interface ColumnLayout {
  readonly normalize: ColumnPlan['normalize'];
  /** A direct column's value slots (valueColumn(field, n)), in declaration order; none for a full name. */
  readonly slotNames: readonly string[];
  /** Its options and fields: columns normalized alike share a normalization cache (SharedReads.cacheOf). */
  readonly signature: string;
  readonly serialYears: PlausibleYears | undefined;
}

const layouts = new WeakMap<ReturnType<typeof sourceTargets>, ColumnLayout[]>();

/**
 * The layout of each column of a source's plan, worked out once per plan: an
 * identity index reads each match query as a source of one record.
 */
function columnLayouts(plan: ReturnType<typeof sourceTargets>): ColumnLayout[] {
  let known = layouts.get(plan);
  if (known !== undefined) return known;
  // Direct columns feeding one field are its values, in declaration order: slot n is valueColumn(field, n).
  const slotCount = new Map<string, number>();
  for (const { options, targets } of plan.columns) {
    if (options.kind !== 'full_name') slotCount.set(targets[0].field, (slotCount.get(targets[0].field) ?? 0) + 1);
  }
  known = plan.columns.map(({ options, targets }) => {
    const direct = options.kind !== 'full_name';
    const format = options.format ?? '';
    return {
      normalize: fieldKind(options.kind as Exclude<FieldKind, 'ignore'>).normalize,
      slotNames: direct ? Array.from({ length: slotCount.get(targets[0].field)! }, (_, n) => valueColumn(targets[0].field, n)) : [],
      signature: JSON.stringify([options, targets.map(({ field }) => field)]),
      serialYears: options.kind === 'birth_date' && (format === '' || format === 'auto') ? plausibleYears(options) : undefined,
    };
  });
  layouts.set(plan, known);
  return known;
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
  // The value columns of a field share its dictionary: a value's id is the same in every one.
  const builderOf = (name: string, field = name): ColumnBuilder => {
    let builder = builders.get(name);
    if (builder === undefined) {
      const sharing = shared?.builderOf(name, name === field ? undefined : field) ?? (name === field ? undefined : builderOf(field));
      builders.set(name, (builder = new ColumnBuilder(sharing)));
    }
    return builder;
  };
  const columns: ColumnPlan[] = plan.columns.map(({ column, options, targets }, c) => {
    const { normalize, slotNames, signature, serialYears } = columnLayouts(plan)[c];
    return {
      column,
      options,
      normalize,
      targets: targets.map(({ field }) => builderOf(field)),
      slots: slotNames.length > 1 ? slotNames.map((name) => builderOf(name, targets[0].field)) : undefined,
      slotNames,
      cache: shared?.cacheOf(signature) ?? newCache(),
      serialYears,
      nonEmpty: 0,
      flagged: 0,
    };
  });
  const serials = columns.map(() => ({ records: [] as number[], rows: [] as number[], slots: [] as string[], allYears: true }));
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
        column.nonEmpty++;
        const entry = raw.length > MAX_FIELD_LENGTH ? 'too-long' : lookup(column, raw, defaultCountry, controls);
        if (typeof entry === 'number') {
          if (entry !== 0) place(column, record, entry);
        } else if (typeof entry === 'string') {
          // A four-digit number reads as a year (partial-date) or as a spreadsheet serial day.
          if ((entry === 'unparseable-date' || entry === 'partial-date') && column.serialYears !== undefined && serialCandidate(column, c, raw, record, row)) continue;
          flag(column, row, entry);
        } else if (entry instanceof Uint32Array) {
          // A full name fills only what the direct columns left empty.
          const { targets } = column;
          for (let t = 0; t < targets.length; t++) if (entry[t] !== 0) targets[t].setIfEmpty(record, entry[t]);
        } else {
          // Failed validation, kept as evidence beside the flag.
          flag(column, row, entry.reason);
          place(column, record, entry.id);
        }
      }
    }
  }
  function flag(column: ColumnPlan, row: number, reason: string): void {
    if (failOnInvalid) throw new InvalidValueError(input.name, row, column.column, reason);
    column.flagged++;
    flags.push({ source: input.name, row, column: column.column, reason });
  }
  /** Puts a value in the first empty slot of its field, unless a slot holds it already; returns the slot's index, or -1. */
  function place(column: ColumnPlan, record: number, id: number): number {
    const slots = column.slots;
    if (slots === undefined) {
      column.targets[0].setIfEmpty(record, id);
      return 0;
    }
    for (let n = 0; n < slots.length; n++) {
      const slot = slots[n];
      slot.reserve(record + 1);
      const held = slot.ids[record];
      if (held === id) return -1;
      if (held === 0) {
        slot.ids[record] = id;
        return n;
      }
    }
    return -1;
  }
  /**
   * A value of a birth-date column without a declared format that reads as a
   * spreadsheet serial day number of a plausible date: placed unflagged, and
   * noted, until the whole source shows whether the column is one of serial
   * dates (column-checks.ts). False when it is not one.
   */
  function serialCandidate(column: ColumnPlan, c: number, raw: string, record: number, row: number): boolean {
    const date = spreadsheetSerialDate(raw.trim(), 'excel', column.serialYears!);
    if (date === null || 'invalid' in date) return false;
    const slot = place(column, record, column.targets[0].intern(date.value));
    const noted = serials[c];
    noted.records.push(record);
    noted.rows.push(row);
    noted.slots.push(slot < 0 ? '' : column.slotNames[slot]);
    if (noted.allYears) {
      const n = Number(raw);
      noted.allYears = /^\d{4}$/.test(raw.trim()) && n >= column.serialYears!.earliest && n <= column.serialYears!.latest;
    }
    return true;
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
    columnCounts: columns.map(({ column, nonEmpty, flagged }) => ({ column, nonEmpty, flagged })),
    serialDates: serialDatesOf(columns, serials, order),
  };
}

/** The noted serial-number values of each column, their records renumbered into the sorted order. */
function serialDatesOf(
  columns: readonly ColumnPlan[],
  serials: readonly { records: number[]; rows: number[]; slots: string[]; allYears: boolean }[],
  order: Uint32Array,
): SerialDateCandidates[] {
  if (serials.every((noted) => noted.records.length === 0)) return [];
  const position = new Uint32Array(order.length);
  for (let p = 0; p < order.length; p++) position[order[p]] = p;
  return serials.flatMap((noted, c) =>
    noted.records.length === 0
      ? []
      : [{
          column: columns[c].column,
          positions: Uint32Array.from(noted.records, (record) => position[record]),
          rows: Uint32Array.from(noted.rows),
          slots: noted.slots,
          allYears: noted.allYears,
        }],
  );
}
