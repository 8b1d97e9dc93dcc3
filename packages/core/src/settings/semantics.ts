import { isSupportedCountry } from 'libphonenumber-js/min';
import { FIELD_KINDS, type FieldKind } from '../defaults/field-kind-names.js';
import { fieldTargets } from '../defaults/field-kinds.js';
import { didYouMean } from './nearest-name.js';
import { isSupportedDateFormat } from '../normalize/dates.js';
import { pointer, type SettingsIssue } from './issues.js';

/**
 * The checks a JSON Schema cannot make: whether a date format parses, a phone
 * country is supported, a blocking or comparison column is among the declared
 * fields, comparison levels are in order, source overrides name given sources.
 * Without them these settings failed when the first value was read (exit 70), at
 * the blocking stage, or never. The input may also have failed the schema, so
 * every check looks only at the parts that have the right shape and leaves the
 * rest to the schema's issues.
 */

type Json = Readonly<Record<string, unknown>>;
type Path = (string | number)[];

/** What validateSettings() checks the settings against besides themselves. */
export interface SettingsCheckOptions {
  /** Names of the sources the settings will be used with; overrides for other names are errors. */
  readonly sources?: readonly string[];
}

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const isKind = (value: unknown): value is FieldKind => typeof value === 'string' && (FIELD_KINDS as readonly string[]).includes(value);
const kindOf = (spec: unknown): unknown => (isObject(spec) ? spec.kind : spec);
const objects = (value: unknown): Json[] => (Array.isArray(value) ? value : []).map((item) => (isObject(item) ? item : {}));

/** Date formats normalizeDate reads without a pattern. */
const AUTOMATIC_DATE_FORMATS = new Set(['', 'auto']);

/** As normalizePhone reads a default country: trimmed, any case, '' for none. */
function supportedCountry(country: string): boolean {
  const code = country.trim().toUpperCase();
  return code === '' || isSupportedCountry(code);
}

/** The record id column and fields that apply to a source, and the name of its override if it has one. */
interface SourcePlan {
  readonly recordId: unknown;
  readonly fields: Json;
  readonly override?: string;
}

/** A field map (`fields` or a source's `fields`) with where it sits. */
interface FieldMap {
  readonly path: Path;
  readonly fields: Json;
}

class Checker {
  readonly issues: SettingsIssue[] = [];

  private readonly seen = new Set<string>();

  add(path: Path, code: SettingsIssue['code'], message: string): void {
    const issue = { path: pointer(path), code, message };
    // Several sources can share one mistake (a record id column declared as a field).
    const key = `${issue.path}\u0000${code}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.issues.push(issue);
  }

  /** The record-id column of a source is not also one of its matching fields; reported where the clash is declared. */
  recordIdColumn(plan: SourcePlan, overrides: Json): void {
    const recordId = plan.recordId;
    if (typeof recordId !== 'string' || !Object.hasOwn(plan.fields, recordId) || kindOf(plan.fields[recordId]) === 'ignore') return;
    const override = plan.override === undefined ? undefined : (overrides[plan.override] as Json);
    let path: Path = ['fields', recordId];
    if (override !== undefined && isObject(override.fields) && Object.hasOwn(override.fields, recordId)) path = ['sources', plan.override!, 'fields', recordId];
    else if (override !== undefined && override.recordId !== undefined) path = ['sources', plan.override!, 'recordId'];
    this.add(path, 'RECORD_ID_FIELD', 'the record id column cannot also be a matching field');
  }

  /** Options a kind reads, beyond their JSON type: a date format that parses, a supported phone country. */
  fieldOptions({ path, fields }: FieldMap): void {
    for (const [column, spec] of Object.entries(fields)) {
      if (!isObject(spec)) continue;
      if (spec.kind === 'birth_date' && typeof spec.format === 'string' && !AUTOMATIC_DATE_FORMATS.has(spec.format) && !isSupportedDateFormat(spec.format)) {
        this.add(
          [...path, column, 'format'],
          'DATE_FORMAT',
          'not a date format: it needs a year (YYYY or YY), a month (MM, M, MMM or MMMM) and a day (DD or D), each once, with any separators, e.g. "MM/DD/YYYY"; or "auto", or "excel" / "excel-1904" for spreadsheet serial day numbers',
        );
      }
      if (spec.kind === 'full_name' && spec.field !== undefined) {
        this.add([...path, column, 'field'], 'OPTION_NOT_USED', 'a full name always feeds given_name, middle_name and family_name');
      }
      if (typeof spec.earliestYear === 'number' && typeof spec.latestYear === 'number' && spec.earliestYear > spec.latestYear) {
        this.add([...path, column, 'latestYear'], 'OUT_OF_RANGE', 'the latest plausible year comes before the earliest');
      }
      if (spec.kind === 'phone' && typeof spec.defaultCountry === 'string') this.country([...path, column, 'defaultCountry'], spec.defaultCountry);
    }
  }

  country(path: Path, country: string): void {
    if (!supportedCountry(country)) {
      this.add(path, 'COUNTRY', 'not a country the phone library supports: use an ISO 3166-1 alpha-2 code such as "US" or "AU"');
    }
  }

  /** Every key column of the rules is a logical field. */
  blockingColumns(rules: unknown, key: 'blockingRules' | 'trainingRules', fields: ReadonlySet<string>): void {
    objects(rules).forEach((rule, r) => {
      objects(rule.keys).forEach((part, k) => this.field([key, r, 'keys', k, 'column'], part.column, fields));
    });
  }

  field(path: Path, column: unknown, fields: ReadonlySet<string>): void {
    if (typeof column !== 'string' || column === '' || fields.has(column)) return;
    const known = [...fields];
    this.add(
      path,
      'UNKNOWN_FIELD',
      `no declared field is called ${JSON.stringify(column)}${didYouMean(column, known)} (fields: ${known.join(', ')}; fields are kind names such as family_name, or the column name of an identifier or text field)`,
    );
  }

  /** Comparison columns are fields, names are unique, levels run from null to else. */
  comparisons(comparisons: unknown, fields: ReadonlySet<string> | undefined): void {
    const names = new Set<unknown>();
    objects(comparisons).forEach((comparison, c) => {
      if (typeof comparison.name === 'string') {
        if (names.has(comparison.name)) this.add(['comparisons', c, 'name'], 'DUPLICATE_NAME', 'another comparison has this name');
        names.add(comparison.name);
      }
      if (fields !== undefined) this.field(['comparisons', c, 'column'], comparison.column, fields);
      const levels = objects(comparison.levels);
      levels.forEach((level, l) => {
        const test = isObject(level.test) ? level.test : {};
        const path = ['comparisons', c, 'levels', l, 'test'];
        if (typeof test.type === 'string' && levels.length >= 2) {
          const last = levels.length - 1;
          if (l === 0 && test.type !== 'null') this.add([...path, 'type'], 'LEVEL_ORDER', 'levels[0] must be the null level (type "null")');
          else if (l === last && test.type !== 'else') this.add([...path, 'type'], 'LEVEL_ORDER', 'the last level must be the else level (type "else")');
          else if (l > 0 && test.type === 'null') this.add([...path, 'type'], 'LEVEL_ORDER', 'only levels[0] may be the null level');
          else if (l < last && test.type === 'else') this.add([...path, 'type'], 'LEVEL_ORDER', 'only the last level may be the else level');
        }
        if ((test.type === 'swapped' || test.type === 'crossMatch') && fields !== undefined) this.field([...path, 'other'], test.other, fields);
      });
    });
  }
}

/**
 * The field maps that apply to some source: the top-level one, and the
 * top-level one merged with the override of each source given (each override,
 * when the source names are not known). The top-level map always counts: a
 * source without override uses it, and with no source at all the settings are
 * not wrong, the call is (link() refuses an empty source list itself).
 */
function sourcePlans(settings: Json, fields: Json, options: SettingsCheckOptions): SourcePlan[] {
  const overrides = isObject(settings.sources) ? settings.sources : {};
  const plans: SourcePlan[] = [{ recordId: settings.recordId, fields }];
  for (const name of options.sources ?? Object.keys(overrides)) {
    const override = isObject(overrides[name]) ? overrides[name] : undefined;
    if (override === undefined) continue;
    const extra = isObject(override.fields) ? override.fields : {};
    plans.push({ recordId: override.recordId ?? settings.recordId, fields: { ...fields, ...extra }, override: name });
  }
  return plans;
}

/** The logical fields the columns feed (a full name feeds given, middle and family name). */
function logicalFields(fields: Json): string[] {
  return Object.entries(fields).flatMap(([column, spec]) => {
    const kind = kindOf(spec);
    const field = isObject(spec) && typeof spec.field === 'string' ? spec.field : undefined;
    return isKind(kind) ? fieldTargets(column, { kind, field }) : [];
  });
}

/** Issues of the settings that their schema cannot find; see the top of this file. */
export function semanticIssues(raw: unknown, options: SettingsCheckOptions = {}): SettingsIssue[] {
  if (!isObject(raw)) return [];
  const check = new Checker();
  const overrides = isObject(raw.sources) ? raw.sources : {};
  const fieldMaps: FieldMap[] = [];
  if (isObject(raw.fields)) fieldMaps.push({ path: ['fields'], fields: raw.fields });
  for (const [name, override] of Object.entries(overrides)) {
    if (isObject(override) && isObject(override.fields)) fieldMaps.push({ path: ['sources', name, 'fields'], fields: override.fields });
  }
  fieldMaps.forEach((map) => check.fieldOptions(map));
  if (typeof raw.defaultCountry === 'string') check.country(['defaultCountry'], raw.defaultCountry);

  if (options.sources !== undefined) {
    const given = options.sources;
    for (const name of Object.keys(overrides)) {
      if (!given.includes(name)) {
        check.add(['sources', name], 'UNKNOWN_SOURCE', `overrides a source that is not given${didYouMean(name, given)} (sources: ${given.join(', ')})`);
      }
    }
  }

  // Columns are checked against the fields only when every field has a known
  // kind: a misspelt kind is already an issue, and would make its field look absent.
  const complete = fieldMaps.length > 0 && isObject(raw.fields) && fieldMaps.every((map) => Object.values(map.fields).every((spec) => isKind(kindOf(spec))));
  if (!complete) {
    check.comparisons(raw.comparisons, undefined);
    return check.issues;
  }
  const fields = new Set<string>();
  for (const plan of sourcePlans(raw, raw.fields as Json, options)) {
    logicalFields(plan.fields).forEach((field) => fields.add(field));
    check.recordIdColumn(plan, overrides);
  }
  if (fields.size === 0) check.add(['fields'], 'NO_FIELDS', 'declares no column to match on (none is listed, or every one is ignore)');
  check.blockingColumns(raw.blockingRules, 'blockingRules', fields);
  check.blockingColumns(raw.trainingRules, 'trainingRules', fields);
  check.comparisons(raw.comparisons, fields);
  return check.issues;
}
