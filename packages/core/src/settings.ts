import type { BlockingRule, LinkMode } from '@mpi/blocking';
import type { Comparison } from '@mpi/scoring';
import type { ClusteringMethod } from './cluster.js';
import { SettingsError } from './errors.js';

/** What a column holds. The kind picks the normalizer, the default comparison and the default blocking keys. */
export const FIELD_KINDS = [
  'given_name',
  'family_name',
  'middle_name',
  'full_name',
  'birth_date',
  'sex',
  'street_number',
  'street_address',
  'address_line_2',
  'city',
  'state',
  'postcode',
  'phone',
  'email',
  'national_id',
  'identifier',
  'text',
  'ignore',
] as const;

export type FieldKind = (typeof FIELD_KINDS)[number];

/** A column's kind with options: `format` for dates (e.g. "MM/DD/YYYY"), `defaultCountry` for phones. */
export interface FieldOptions {
  readonly kind: FieldKind;
  readonly format?: string;
  readonly defaultCountry?: string;
}

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
  /** Refuse blocking that would produce more candidate pairs than this (default 200,000,000). */
  readonly maxPairs?: number;
  /** Unusable values (impossible dates, bad codes): keep the record and flag the value (default), or fail. */
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

export const DEFAULTS = {
  mode: 'dedupe' as LinkMode,
  threshold: 0.5,
  clustering: 'averageLinkage' as ClusteringMethod,
  /** The largest default u sample (see defaultUSampleSize). */
  uSampleSize: 200_000,
  seed: 1,
  maxPairs: 200_000_000,
  invalidValues: 'flag' as const,
  defaultCountry: 'US',
};

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

const MODES: readonly string[] = ['dedupe', 'link', 'link_and_dedupe'];
const CLUSTERING_METHODS: readonly string[] = ['averageLinkage', 'connectedComponents'] satisfies ClusteringMethod[];

function fieldOptions(path: string, spec: unknown): FieldOptions {
  const options = typeof spec === 'string' ? { kind: spec } : spec;
  if (options === null || typeof options !== 'object' || typeof (options as { kind?: unknown }).kind !== 'string') {
    throw new SettingsError(path, 'must be a field kind name or an object {"kind": ...}');
  }
  const { kind, format, defaultCountry } = options as { kind: string; format?: unknown; defaultCountry?: unknown };
  if (!(FIELD_KINDS as readonly string[]).includes(kind)) {
    throw new SettingsError(path, `unknown field kind "${kind}" (known: ${FIELD_KINDS.join(', ')})`);
  }
  if (format !== undefined && typeof format !== 'string') throw new SettingsError(`${path}.format`, 'must be a string');
  if (defaultCountry !== undefined && typeof defaultCountry !== 'string') {
    throw new SettingsError(`${path}.defaultCountry`, 'must be a string');
  }
  return { kind: kind as FieldKind, format: format as string | undefined, defaultCountry: defaultCountry as string | undefined };
}

function fieldsOf(path: string, value: unknown): Record<string, FieldOptions> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SettingsError(path, 'must be an object mapping column names to field kinds');
  }
  const out: Record<string, FieldOptions> = {};
  for (const [column, spec] of Object.entries(value)) out[column] = fieldOptions(`${path}.${column}`, spec);
  return out;
}

function optionalNumber(settings: Record<string, unknown>, key: string, min: number, max: number): void {
  const value = settings[key];
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new SettingsError(key, `must be a number in [${min}, ${max}]`);
  }
}

/**
 * Checks a settings object (for example parsed from JSON) and returns it typed.
 * Throws SettingsError naming the offending path.
 */
export function validateSettings(raw: unknown): Settings {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new SettingsError('(root)', 'must be an object');
  const settings = raw as Record<string, unknown>;
  if (typeof settings.recordId !== 'string' || settings.recordId === '') {
    throw new SettingsError('recordId', 'must name the column holding the record id');
  }
  if (settings.mode !== undefined && !MODES.includes(settings.mode as string)) {
    throw new SettingsError('mode', `must be one of ${MODES.join(', ')}`);
  }
  const fields = fieldsOf('fields', settings.fields);
  if (settings.recordId in fields && fields[settings.recordId].kind !== 'ignore') {
    throw new SettingsError(`fields.${settings.recordId}`, 'the record id column cannot also be a matching field');
  }
  if (settings.sources !== undefined) {
    if (settings.sources === null || typeof settings.sources !== 'object') throw new SettingsError('sources', 'must be an object');
    for (const [name, source] of Object.entries(settings.sources as Record<string, unknown>)) {
      if (source === null || typeof source !== 'object') throw new SettingsError(`sources.${name}`, 'must be an object');
      const { recordId, fields: sourceFields } = source as Record<string, unknown>;
      if (recordId !== undefined && typeof recordId !== 'string') throw new SettingsError(`sources.${name}.recordId`, 'must be a string');
      if (sourceFields !== undefined) fieldsOf(`sources.${name}.fields`, sourceFields);
    }
  }
  optionalNumber(settings, 'threshold', 0, 1);
  optionalNumber(settings, 'uSampleSize', 1, 1e9);
  optionalNumber(settings, 'seed', 0, 2 ** 31 - 1);
  optionalNumber(settings, 'maxPairs', 1, Number.MAX_SAFE_INTEGER);
  if (settings.clustering !== undefined && !CLUSTERING_METHODS.includes(settings.clustering as string)) {
    throw new SettingsError('clustering', `must be one of ${CLUSTERING_METHODS.join(', ')}`);
  }
  if (settings.invalidValues !== undefined && settings.invalidValues !== 'flag' && settings.invalidValues !== 'error') {
    throw new SettingsError('invalidValues', 'must be "flag" or "error"');
  }
  for (const key of ['blockingRules', 'trainingRules', 'comparisons'] as const) {
    if (settings[key] !== undefined && !Array.isArray(settings[key])) throw new SettingsError(key, 'must be an array');
  }
  if (settings.em !== undefined && (settings.em === null || typeof settings.em !== 'object')) {
    throw new SettingsError('em', 'must be an object');
  }
  return raw as Settings;
}

/** The record-id column and matching fields that apply to one source. */
export function sourceFieldPlan(settings: Settings, source: string): SourceFieldPlan {
  const override = settings.sources?.[source];
  const merged = { ...fieldsOf('fields', settings.fields), ...(override?.fields ? fieldsOf(`sources.${source}.fields`, override.fields) : {}) };
  const fields = Object.entries(merged)
    .filter(([, options]) => options.kind !== 'ignore')
    .map(([column, options]) => ({ column, options }));
  return { recordId: override?.recordId ?? settings.recordId, fields };
}
