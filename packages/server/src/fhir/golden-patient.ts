// The golden view of an identity as a FHIR Patient: the identity id as
// Patient.id, every member record's values by meaning (names, birth date,
// gender, addresses, telecoms, identifiers), and each member's own id as an
// identifier of its source, so a caller can find the records in their systems.
import type { Settings } from '@mpi/core';
import { normalizeDate, normalizeSex, US_SSN_SYSTEM } from '@mpi/core/advanced';
import type { IdentityView, IndexedRecordData } from '@mpi/index';
import { sourceColumns, type SourceColumns } from './field-keys.js';

type Json = Record<string, unknown>;

/** The identifier system of a source's record ids in golden views (default `urn:mpi:source:<name>`). */
export type SourceSystem = (source: string) => string;

const SOURCE_URN = 'urn:mpi:source:';

/** `urn:mpi:source:<name>`: the system of a source's record ids unless the server is told otherwise. */
export const defaultSourceSystem: SourceSystem = (source) => `${SOURCE_URN}${encodeURIComponent(source)}`;

/** The source name of a `urn:mpi:source:<name>` system, or undefined. */
export function sourceSystemName(system: string): string | undefined {
  if (!system.startsWith(SOURCE_URN)) return undefined;
  try {
    return decodeURIComponent(system.slice(SOURCE_URN.length));
  } catch {
    return undefined;
  }
}

/** The values of one record by field key, each key's columns in declaration order, blanks as ''. */
function valuesOf(record: IndexedRecordData, columns: SourceColumns): (key: string) => string[] {
  return (key) => (columns.byKey.get(key) ?? []).map(({ column }) => (record.data[column] ?? '').trim());
}

/** The value most records give (ties: the first seen), or undefined. */
function mostCommon(values: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  let best: string | undefined;
  for (const [value, n] of counts) if (best === undefined || n > counts.get(best)!) best = value;
  return best;
}

/** Adds an element unless an equal one is there already (same JSON). */
function addUnique(list: Json[], seen: Set<string>, element: Json): void {
  const key = JSON.stringify(element);
  if (seen.has(key)) return;
  seen.add(key);
  list.push(element);
}

/** Drops empty strings and empty arrays, so elements carry only what is known. */
function compact(element: Json): Json | undefined {
  const out: Json = {};
  for (const [key, value] of Object.entries(element)) {
    if (value === '' || value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    out[key] = value;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/** The identifier a field key's value becomes: SSN by its system, `mrn <system>` typed MR, `identifier <system>` by system. */
function identifierOf(key: string, value: string): Json {
  if (key === 'national_id') return { system: US_SSN_SYSTEM, value };
  const mr = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] };
  if (key === 'mrn') return { type: mr, value };
  if (key.startsWith('mrn ')) return { type: mr, system: key.slice(4), value };
  if (key.startsWith('identifier ')) return { system: key.slice(11), value };
  return { type: { text: key }, value };
}

const IDENTIFIER_KEYS = (key: string) => key === 'national_id' || key === 'identifier' || key === 'mrn' || key.startsWith('mrn ') || key.startsWith('identifier ');

/** A FHIR R4 Patient for an identity: its id, and its members' values merged. */
export function goldenPatient(view: IdentityView, settings: Settings, sourceSystem: SourceSystem = defaultSourceSystem): Json {
  const plans = new Map<string, SourceColumns>();
  const identifiers: Json[] = [];
  const names: Json[] = [];
  const addresses: Json[] = [];
  const telecoms: Json[] = [];
  const seen = { identifier: new Set<string>(), name: new Set<string>(), address: new Set<string>(), telecom: new Set<string>() };
  const births: string[] = [];
  const genders: string[] = [];
  for (const record of view.records) {
    let columns = plans.get(record.source);
    if (columns === undefined) plans.set(record.source, (columns = sourceColumns(settings, record.source)));
    const of = valuesOf(record, columns);
    addUnique(identifiers, seen.identifier, { use: 'secondary', system: sourceSystem(record.source), value: record.recordId });
    for (const key of columns.byKey.keys()) {
      if (IDENTIFIER_KEYS(key)) for (const value of of(key)) if (value !== '') addUnique(identifiers, seen.identifier, identifierOf(key, value));
    }
    const [given, middle, family, full] = [of('given_name'), of('middle_name'), of('family_name'), of('full_name')];
    for (let i = 0; i < Math.max(given.length, family.length); i++) {
      const name = compact({ family: family[i] ?? '', given: [given[i] ?? '', ...(middle[i] ?? '').split(/\s+/)].filter((g) => g !== '') });
      if (name !== undefined) addUnique(names, seen.name, name);
    }
    for (const text of full) if (text !== '') addUnique(names, seen.name, { text });
    const [street, line2, city, state, postcode] = [of('street_address'), of('address_line_2'), of('city'), of('state'), of('postcode')];
    for (let i = 0; i < Math.max(street.length, city.length, state.length, postcode.length); i++) {
      const address = compact({ line: [street[i] ?? '', line2[i] ?? ''].filter((l) => l !== ''), city: city[i] ?? '', state: state[i] ?? '', postalCode: postcode[i] ?? '' });
      if (address !== undefined) addUnique(addresses, seen.address, address);
    }
    for (const system of ['phone', 'email'] as const) for (const value of of(system)) if (value !== '') addUnique(telecoms, seen.telecom, { system, value });
    for (const { column, options } of columns.byKey.get('birth_date') ?? []) {
      const date = normalizeDate(record.data[column] ?? '', options.format);
      if (!('invalid' in date) && /^\d{8}$/.test(date.value)) births.push(`${date.value.slice(0, 4)}-${date.value.slice(4, 6)}-${date.value.slice(6)}`);
    }
    for (const value of of('sex')) {
      const sex = normalizeSex(value);
      if (!('invalid' in sex) && sex.value !== '') genders.push(sex.value);
    }
  }
  const birthDate = mostCommon(births);
  const gender = mostCommon(genders);
  return {
    resourceType: 'Patient',
    id: view.id,
    identifier: identifiers,
    active: view.status === 'active',
    ...(names.length > 0 ? { name: names } : {}),
    ...(telecoms.length > 0 ? { telecom: telecoms } : {}),
    ...(gender !== undefined ? { gender } : {}),
    ...(birthDate !== undefined ? { birthDate } : {}),
    ...(addresses.length > 0 ? { address: addresses } : {}),
  };
}
