import type { BlockingRule } from '@mpi/blocking';
import type { LinkMode } from '@mpi/types';
import type { Comparison } from '@mpi/scoring';
import type { ClusteringMethod } from '../defaults/clustering-method.js';
import { SettingsError } from '../errors.js';
import { FIELD_KINDS, type FieldKind, type FieldOptions } from '../defaults/field-kind-names.js';
import { DEFAULTS } from './defaults.js';
import { checkSettings, type SettingsCheckOptions } from './validation.js';

export { FIELD_KINDS, type FieldKind, type FieldOptions } from '../defaults/field-kind-names.js';
export { DEFAULTS } from './defaults.js';
export type { SettingsCheckOptions } from './validation.js';

/** A column declaration: a kind name, or a kind with options. */
export type FieldSpec = FieldKind | FieldOptions;

/** Per-source differences: another record-id column, other or extra columns, other formats. */
export interface SourceSettings {
  readonly recordId?: string;
  readonly fields?: Readonly<Record<string, FieldSpec>>;
}

/**
 * Linkage settings: declarative and JSON-serialisable. Only `recordId` and
 * `fields` are required; everything else has defaults derived from the field kinds.
 */
export interface Settings {
  /** Column holding the record id, unique within a source. */
  readonly recordId: string;
  /** dedupe (default), link (across sources only) or link_and_dedupe. */
  readonly mode?: LinkMode;
  /** Column -> kind. Columns not listed are ignored. */
  readonly fields: Readonly<Record<string, FieldSpec>>;
  /** Overrides per source name, merged over `recordId` and `fields`. */
  readonly sources?: Readonly<Record<string, SourceSettings>>;
  /** Blocking rules over logical field names; default: from the field kinds. */
  readonly blockingRules?: readonly BlockingRule[];
  /**
   * Blocking rules whose pairs EM trains m on (one session each); default: the
   * blocking rules that use person fields only (names, birth date, national id).
   */
  readonly trainingRules?: readonly BlockingRule[];
  /** Comparisons with their levels; default: one per logical field from the comparison library. */
  readonly comparisons?: readonly Comparison[];
  /** Match probability at or above which two records are linked (default 0.5). */
  readonly threshold?: number;
  /**
   * How scored pairs become identity groups (default "averageLinkage"): see
   * clusterPairs. "connectedComponents" is the plain transitive closure.
   */
  readonly clustering?: ClusteringMethod;
  /** EM options. */
  readonly em?: { readonly maxIterations?: number; readonly tolerance?: number };
  /** Random pairs sampled to estimate u (default: 2 per record, from 20,000 to 200,000; see defaultUSampleSize). */
  readonly uSampleSize?: number;
  /** Seed for every random choice (default 1). */
  readonly seed?: number;
  /** Refuse blocking that would produce more candidate pairs than this; unset, the budget is sized to the memory free (defaults/pair-budget.ts). */
  readonly maxPairs?: number;
  /**
   * Values that fail validation (impossible dates, bad codes): keep the record and flag the value (default;
   * a value whose characters could be read, such as an impossible date's digits, stays evidence), or fail.
   */
  readonly invalidValues?: 'flag' | 'error';
  /** Default country for phone numbers without a country code (ISO 3166 alpha-2, default "US"). */
  readonly defaultCountry?: string;
}

/** Settings with defaults applied, for one source. */
export interface SourceFieldPlan {
  readonly recordId: string;
  /** Columns in declaration order with their options; `ignore` columns removed. */
  readonly fields: readonly { readonly column: string; readonly options: FieldOptions }[];
}

/** Random pairs per record in the default u sample. */
export const U_SAMPLE_PAIRS_PER_RECORD = 2;
/** The smallest default u sample. */
export const MIN_U_SAMPLE_SIZE = 20_000;

/**
 * The u sample link() draws when settings give none: 2 random pairs per record,
 * from 20,000 to DEFAULTS.uSampleSize (200,000, reached at 100,000 records).
 * Since u of each `exact` level is counted over the whole space, the sample only
 * shares out the fuzzy levels, and a fixed 200,000 pairs had become most of the
 * work of a small job (FEBRL4, 10k records: ~0.7 of ~1 s of worker time; the
 * 20,000 pairs it draws now take ~0.2 s, most of it the workers' cold start).
 * Measured with seeds 1-3: F1 on FEBRL3/FEBRL4 (with and without national id) and
 * on generated populations of 3.4k, 8.4k and 34k records was the same at 20,000,
 * 40,000 and 200,000 pairs to within the spread between seeds (0.001).
 */
export function defaultUSampleSize(records: number): number {
  return Math.min(DEFAULTS.uSampleSize, Math.max(MIN_U_SAMPLE_SIZE, U_SAMPLE_PAIRS_PER_RECORD * records));
}

// sourceFieldPlan reads the fields with these rather than trusting their type:
// buildRecordTable is public and may be given settings that never went through
// validateSettings.
function fieldOptions(path: string, spec: unknown): FieldOptions {
  const options = typeof spec === 'string' ? { kind: spec } : spec;
  if (options === null || typeof options !== 'object' || typeof (options as { kind?: unknown }).kind !== 'string') {
    throw new SettingsError(path, 'must be a field kind name or an object {"kind": ...}');
  }
  const { kind, format, defaultCountry, earliestYear, latestYear, field } = options as Record<string, unknown>;
  if (!(FIELD_KINDS as readonly string[]).includes(kind as string)) {
    throw new SettingsError(path, `unknown field kind "${kind as string}" (known: ${FIELD_KINDS.join(', ')})`);
  }
  if (format !== undefined && typeof format !== 'string') throw new SettingsError(`${path}.format`, 'must be a string');
  if (defaultCountry !== undefined && typeof defaultCountry !== 'string') {
    throw new SettingsError(`${path}.defaultCountry`, 'must be a string');
  }
  for (const [name, year] of [['earliestYear', earliestYear], ['latestYear', latestYear]] as const) {
    if (year !== undefined && !Number.isInteger(year)) throw new SettingsError(`${path}.${name}`, 'must be an integer year');
  }
  if (field !== undefined && (typeof field !== 'string' || field === '')) throw new SettingsError(`${path}.field`, 'must be a non-empty string');
  const parsed: FieldOptions = {
    kind: kind as FieldKind,
    format: format as string | undefined,
    defaultCountry: defaultCountry as string | undefined,
  };
  // Set only when given: the options are part of a column's normalization cache key.
  const extra: { earliestYear?: number; latestYear?: number; field?: string } = {};
  if (earliestYear !== undefined) extra.earliestYear = earliestYear as number;
  if (latestYear !== undefined) extra.latestYear = latestYear as number;
  if (field !== undefined) extra.field = field as string;
  return { ...parsed, ...extra };
}

function fieldsOf(path: string, value: unknown): Record<string, FieldOptions> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SettingsError(path, 'must be an object mapping column names to field kinds');
  }
  // fromEntries defines each column as an own key: assigning out[column] to a
  // plain object would set its prototype for a column named __proto__ and lose it.
  return Object.fromEntries(Object.entries(value).map(([column, spec]) => [column, fieldOptions(`${path}.${column}`, spec)]));
}

/**
 * Checks a settings object (for example parsed from JSON) and returns it typed.
 * Every problem is found at once, before any record is read: the shape against
 * the settings JSON Schema (schema.ts), then what the schema cannot
 * say (semantics.ts). With `sources`, overrides must name one of them.
 * Throws InvalidSettingsError (a SettingsError) listing each problem with its
 * JSON Pointer and a code.
 */
export function validateSettings(raw: unknown, options: SettingsCheckOptions = {}): Settings {
  checkSettings(raw, options);
  return raw as Settings;
}

/**
 * Plans already worked out, by the settings' `fields` object, then the source's
 * override object (settings are read-only). A source's plan is needed on every
 * read, and an identity index reads each query record on its own: working it
 * out again per query was most of what a match allocated.
 */
const plans = new WeakMap<object, Map<SourceSettings | undefined, SourceFieldPlan>>();

/** The record-id column and matching fields that apply to one source. */
export function sourceFieldPlan(settings: Settings, source: string): SourceFieldPlan {
  const override = settings.sources?.[source];
  const fields: unknown = settings.fields;
  const byOverride = fields !== null && typeof fields === 'object' ? plans.get(fields) : undefined;
  const known = byOverride?.get(override);
  if (known !== undefined && known.recordId === (override?.recordId ?? settings.recordId)) return known;
  const plan = workOutPlan(settings, source, override);
  if (fields !== null && typeof fields === 'object') {
    if (byOverride === undefined) plans.set(fields, new Map([[override, plan]]));
    else byOverride.set(override, plan);
  }
  return plan;
}

function workOutPlan(settings: Settings, source: string, override: SourceSettings | undefined): SourceFieldPlan {
  const merged = { ...fieldsOf('fields', settings.fields), ...(override?.fields ? fieldsOf(`sources.${source}.fields`, override.fields) : {}) };
  const fields = Object.entries(merged)
    .filter(([, options]) => options.kind !== 'ignore')
    .map(([column, options]) => ({ column, options }));
  return { recordId: override?.recordId ?? settings.recordId, fields };
}
