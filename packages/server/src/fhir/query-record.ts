// A FHIR Patient as a record of one of the index's sources: patientRecord
// flattens it (name1.given, phone2, `mrn <system> #1`...), and each value goes
// to the source's column of the same meaning, in order, so a Patient matches an
// index built from FHIR files and one built from CSV files with settings alike.
import type { PlainRecord, Settings } from '@mpi/core';
import { fhirColumnSpec, patientRecord } from '@mpi/core/advanced';
import { fieldKey, sourceColumns } from './field-keys.js';

/** A Patient's id and its values by field key, in the order patientRecord writes them. */
export interface PatientValues {
  readonly id: string;
  readonly byKey: ReadonlyMap<string, readonly string[]>;
}

/** A FHIR date (YYYY, YYYY-MM or YYYY-MM-DD) written in a column's date format, when the format is made of YYYY, YY, MM, M, DD, D and separators. */
export function writeDate(iso: string, format: string | undefined): string {
  const full = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (full === null || format === undefined || format === 'auto' || !/^(YYYY|YY|MM|M|DD|D|[^A-Za-z])+$/.test(format)) return iso;
  const [, year, month, day] = full;
  const parts: Record<string, string> = { YYYY: year, YY: year.slice(2), MM: month, M: String(Number(month)), DD: day, D: String(Number(day)) };
  return format.replace(/YYYY|YY|MM|M|DD|D/g, (token) => parts[token]);
}

/** The field key of each FHIR column seen (a few dozen names), so a request matches no patterns. */
const columnKeys = new Map<string, string | undefined>();

function keyOfColumn(column: string): string | undefined {
  if (!columnKeys.has(column)) {
    const spec = fhirColumnSpec(column);
    columnKeys.set(column, spec === undefined ? undefined : fieldKey(column, typeof spec === 'string' ? { kind: spec } : spec));
  }
  return columnKeys.get(column);
}

/**
 * The values of a Patient resource by meaning. Throws core's ResourceProblem
 * (a path and what was expected, never a value) for a resource that is not a
 * Patient with an id, or an element of the wrong type.
 */
export function patientValues(resource: unknown): PatientValues {
  const flat = patientRecord(resource);
  const byKey = new Map<string, string[]>();
  for (const [column, value] of Object.entries(flat)) {
    const key = keyOfColumn(column);
    if (key === undefined || typeof value !== 'string') continue;
    let list = byKey.get(key);
    if (list === undefined) byKey.set(key, (list = []));
    list.push(value);
  }
  return { id: String(flat.id), byKey };
}

/** How many of the values a source's columns can hold. */
function coverage(values: PatientValues, settings: Settings, source: string): number {
  let held = 0;
  for (const [key, targets] of sourceColumns(settings, source).byKey) held += Math.min(targets.length, values.byKey.get(key)?.length ?? 0);
  return held;
}

/**
 * The record of `source` that carries the values (record id: Patient.id).
 * Values beyond a source's columns of that meaning (a third phone where the
 * source has two) are left out.
 */
export function sourceRecord(values: PatientValues, settings: Settings, source: string): PlainRecord {
  const columns = sourceColumns(settings, source);
  const record: Record<string, string> = { [columns.recordId]: values.id };
  for (const [key, targets] of columns.byKey) {
    const given = values.byKey.get(key) ?? [];
    targets.forEach(({ column, options }, i) => {
      const value = given[i] ?? '';
      record[column] = options.kind === 'birth_date' ? writeDate(value, options.format) : value;
    });
  }
  return record;
}

/** `resource` as a record of `source` (see patientValues and sourceRecord). */
export function queryRecord(resource: unknown, settings: Settings, source: string): PlainRecord {
  return sourceRecord(patientValues(resource), settings, source);
}

/**
 * For a match, which nothing writes: the source, of `preferred` and those the
 * settings name, whose columns hold most of the values (ties: `preferred`,
 * then the settings' order). A FHIR-built index maps the columns only some
 * files fill (names given or as text, identifiers) under those sources.
 */
export function bestSource(values: PatientValues, settings: Settings, preferred: string): string {
  let best = preferred;
  let most = coverage(values, settings, preferred);
  for (const source of Object.keys(settings.sources ?? {})) {
    const held = coverage(values, settings, source);
    if (held > most) [best, most] = [source, held];
  }
  return best;
}
