// A FHIR R4 Patient resource as the flat record the readers take: one column per
// value of each mapped element (name1.given, name2.family, phone1, phone2...), so
// several names, addresses, phones and identifiers become the values of one field
// (docs/decisions/values-and-columns.md). Column names and the mapping: docs/fhir.md.
import type { PlainRecord } from '../source-input.js';

/** The system of a US Social Security number identifier: it feeds national_id. */
export const US_SSN_SYSTEM = 'http://hl7.org/fhir/sid/us-ssn';

/** Name uses that name the person, most authoritative first; temp and anonymous names are not mapped. */
const NAME_USES = ['official', 'usual', '', 'nickname', 'maiden', 'old'];

/** A resource that is not a Patient, or an element of the wrong type: where in the resource, and what was expected (never the value). */
export class ResourceProblem extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
  }
}

type Json = Record<string, unknown>;

function typeName(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

function object(value: unknown, path: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ResourceProblem(path, `expected an object, found ${typeName(value)}`);
  return value as Json;
}

/** An optional string element: '' when absent. */
function text(parent: Json, key: string, path: string): string {
  const value = parent[key];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new ResourceProblem(`${path}${key}`, `expected a string, found ${typeName(value)}`);
  return value.trim();
}

/** An optional array element: [] when absent. */
function list(parent: Json, key: string, path: string): unknown[] {
  const value = parent[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ResourceProblem(`${path}${key}`, `expected an array, found ${typeName(value)}`);
  return value;
}

/** An optional array of strings, checked element by element, blanks dropped. */
function strings(parent: Json, key: string, path: string): string[] {
  return list(parent, key, path)
    .map((value, i) => {
      if (value === null) return '';
      if (typeof value !== 'string') throw new ResourceProblem(`${path}${key}[${i}]`, `expected a string, found ${typeName(value)}`);
      return value.trim();
    })
    .filter((value) => value !== '');
}

/** The objects of an array element with their paths, e.g. name[1]. */
function objects(parent: Json, key: string, path: string): { item: Json; at: string }[] {
  return list(parent, key, path).map((value, i) => ({ item: object(value, `${path}${key}[${i}]`), at: `${path}${key}[${i}].` }));
}

/** Puts a value in the next numbered column of its kind (phone1, phone2...), unless the record holds it there already. */
function addValue(record: Record<string, string>, prefix: string, value: string): void {
  if (value === '') return;
  let n = 1;
  while (record[`${prefix}${n}`] !== undefined) {
    if (record[`${prefix}${n}`] === value) return;
    n++;
  }
  record[`${prefix}${n}`] = value;
}

/**
 * The field an identifier feeds: national_id for a US SSN; else, per system,
 * `mrn <system>` for a medical record number (type code MR) and
 * `identifier <system>` for any other, so an identifier only ever meets
 * identifiers of its own system.
 */
export function identifierField(system: string, medicalRecordNumber: boolean): string {
  if (system === US_SSN_SYSTEM) return 'national_id';
  const kind = medicalRecordNumber ? 'mrn' : 'identifier';
  return system === '' ? kind : `${kind} ${system}`;
}

function isMedicalRecordNumber(identifier: Json, at: string): boolean {
  if (identifier.type === undefined || identifier.type === null) return false;
  const type = object(identifier.type, `${at}type`);
  return objects(type, 'coding', `${at}type.`).some(({ item, at: codingAt }) => text(item, 'code', codingAt) === 'MR');
}

/**
 * Flattens one Patient resource into a record; `path` is where the resource
 * sits in its file ('' for a line of NDJSON, `entry[3].resource.` in a Bundle).
 * Throws a ResourceProblem for anything that is not a Patient with an id, or
 * an element of the wrong type. Columns (n from 1, in the order below):
 * `id`; `nameN.given` (given[0]), `nameN.middle` (the other given names),
 * `nameN.family`, `nameN.prefix`, `nameN.suffix`, `nameN.text` (only for a
 * name with neither given nor family); `birthDate`; `gender`;
 * `addressN.line1`, `addressN.line2` (the other lines), `addressN.city`,
 * `addressN.state`, `addressN.postalCode`, `addressN.country`; `phoneN`,
 * `emailN`; `<field> #N` for identifiers (see identifierField).
 */
export function patientRecord(resource: unknown, path = ''): PlainRecord {
  const patient = object(resource, path === '' ? '(resource)' : path.slice(0, -1));
  const type = patient.resourceType;
  if (type !== 'Patient') throw new ResourceProblem(`${path}resourceType`, typeof type === 'string' ? 'resource is not a Patient' : 'resourceType is missing or not a string');
  const id = text(patient, 'id', path);
  if (id === '') throw new ResourceProblem(`${path}id`, 'Patient without id');
  const record: Record<string, string> = { id };
  // Names, most authoritative use first (file order within a use): blocking keys read the first value.
  const names = objects(patient, 'name', path)
    .map(({ item, at }) => ({ item, at, rank: NAME_USES.indexOf(text(item, 'use', at)) }))
    .filter(({ rank }) => rank >= 0)
    .sort((a, b) => a.rank - b.rank);
  names.forEach(({ item, at }, i) => {
    const n = `name${i + 1}.`;
    const given = strings(item, 'given', at);
    const family = text(item, 'family', at);
    const put = (column: string, value: string) => value !== '' && (record[n + column] = value);
    put('given', given[0] ?? '');
    put('middle', given.slice(1).join(' '));
    put('family', family);
    put('prefix', strings(item, 'prefix', at).join(' '));
    put('suffix', strings(item, 'suffix', at).join(' '));
    const whole = text(item, 'text', at);
    if (given.length === 0 && family === '') put('text', whole);
  });
  const birthDate = text(patient, 'birthDate', path);
  if (birthDate !== '') record.birthDate = birthDate;
  const gender = text(patient, 'gender', path);
  if (gender !== '') record.gender = gender;
  objects(patient, 'address', path).forEach(({ item, at }, i) => {
    const n = `address${i + 1}.`;
    const lines = strings(item, 'line', at);
    const parts: [string, string][] = [
      ['line1', lines[0] ?? ''],
      ['line2', lines.slice(1).join(' ')],
      ['city', text(item, 'city', at)],
      ['state', text(item, 'state', at)],
      ['postalCode', text(item, 'postalCode', at)],
      ['country', text(item, 'country', at)],
    ];
    for (const [column, value] of parts) if (value !== '') record[n + column] = value;
  });
  for (const { item, at } of objects(patient, 'telecom', path)) {
    const system = text(item, 'system', at);
    if (system === 'phone' || system === 'sms') addValue(record, 'phone', text(item, 'value', at));
    else if (system === 'email') addValue(record, 'email', text(item, 'value', at));
  }
  for (const { item, at } of objects(patient, 'identifier', path)) {
    addValue(record, `${identifierField(text(item, 'system', at), isMedicalRecordNumber(item, at))} #`, text(item, 'value', at));
  }
  return record;
}
