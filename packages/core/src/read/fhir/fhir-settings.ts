// Settings for FHIR Patient sources, from the mapping alone: a Patient's elements
// have fixed meanings, so the kind of every column patient-record.ts writes is
// known; only which columns a file fills (how many names, phones, identifier
// systems) is read from it.
import type { LinkMode } from '@mpi/blocking';
import { MpiError } from '../../errors.js';
import type { FieldSpec, Settings, SourceSettings } from '../../settings/settings.js';
import { validateSettings } from '../../settings/settings.js';
import type { InferredColumn, SourceInference } from '../infer-settings.js';
import type { SourceInput } from '../source-input.js';
import { patientColumns, sourceFormat } from './fhir-source.js';
import { sourceEncoding } from '../source-text.js';

/** The kind of each element column, in the order the fields are declared (and so compared). */
const ELEMENT_KINDS: readonly [RegExp, (match: RegExpExecArray) => FieldSpec][] = [
  [/^name(\d+)\.given$/, () => 'given_name'],
  [/^name(\d+)\.middle$/, () => 'middle_name'],
  [/^name(\d+)\.family$/, () => 'family_name'],
  [/^name(\d+)\.text$/, () => 'full_name'],
  [/^birthDate$/, () => ({ kind: 'birth_date', format: 'YYYY-MM-DD' })],
  [/^gender$/, () => 'sex'],
  [/^address(\d+)\.line1$/, () => 'street_address'],
  [/^address(\d+)\.line2$/, () => 'address_line_2'],
  [/^address(\d+)\.city$/, () => 'city'],
  [/^address(\d+)\.state$/, () => 'state'],
  [/^address(\d+)\.postalCode$/, () => 'postcode'],
  [/^phone(\d+)$/, () => 'phone'],
  [/^email(\d+)$/, () => 'email'],
  [/^national_id #(\d+)$/, () => 'national_id'],
  [/^(.+) #(\d+)$/, (m) => ({ kind: 'identifier', field: m[1] })],
];

/** A column's place in the declaration order (element, then value number, then name) and its spec; undefined for columns not matched on (prefix, suffix, country). */
function specOf(column: string): { order: number; n: number; spec: FieldSpec } | undefined {
  for (let k = 0; k < ELEMENT_KINDS.length; k++) {
    const match = ELEMENT_KINDS[k][0].exec(column);
    if (match !== null) return { order: k, n: Number(match[match.length - 1] ?? 0) || 0, spec: ELEMENT_KINDS[k][1](match) };
  }
  return undefined;
}

/** The field spec (kind, and field for identifiers) of a column patientRecord writes; undefined for columns not matched on (prefix, suffix, country). */
export function fhirColumnSpec(column: string): FieldSpec | undefined {
  return specOf(column)?.spec;
}

/** The matched columns one FHIR source fills, in declaration order. */
async function sourceColumns(input: Extract<SourceInput, { readonly path: string }>): Promise<string[]> {
  const seen = await patientColumns(input.name, input.path, sourceEncoding(input.name, input.encoding));
  return [...seen]
    .map((column) => ({ column, at: specOf(column) }))
    .filter((c): c is { column: string; at: NonNullable<ReturnType<typeof specOf>> } => c.at !== undefined)
    .sort((a, b) => a.at.order - b.at.order || a.at.n - b.at.n || (a.column < b.column ? -1 : a.column > b.column ? 1 : 0))
    .map(({ column }) => column);
}

/**
 * Kinds-only settings for FHIR Patient sources: record id `Patient.id`, every
 * mapped element (docs/fhir.md) declared with its kind, several names,
 * addresses, phones and identifiers of one system as the values of one field.
 * The columns every source fills are declared at the top; a column only some
 * fill, under those sources. Reads each source once (a bad resource throws
 * InvalidResourceError naming the source, row and path). Blocking, comparisons
 * and the rest keep their defaults; settings written by hand still override.
 */
export async function fhirSettings(sources: readonly SourceInput[], options: { readonly mode?: LinkMode } = {}): Promise<Settings> {
  const columns: string[][] = [];
  for (const input of sources) {
    if (!('path' in input) || (await sourceFormat(input)) !== 'fhir') {
      throw new MpiError('CANNOT_INFER_SETTINGS', `source "${input.name}" is not a file of FHIR resources; FHIR settings are inferred for FHIR sources only`);
    }
    columns.push(await sourceColumns(input));
  }
  const everywhere = columns[0].filter((column) => columns.every((own) => own.includes(column)));
  const fields: Record<string, FieldSpec> = Object.fromEntries(everywhere.map((column) => [column, specOf(column)!.spec]));
  const perSource: Record<string, SourceSettings> = {};
  sources.forEach((input, s) => {
    const own = columns[s].filter((column) => !(column in fields));
    if (own.length > 0) perSource[input.name] = { fields: Object.fromEntries(own.map((column) => [column, specOf(column)!.spec])) };
  });
  const settings = {
    recordId: 'id',
    ...(options.mode === undefined ? {} : { mode: options.mode }),
    fields,
    ...(Object.keys(perSource).length > 0 ? { sources: perSource } : {}),
  };
  return validateSettings(settings, { sources: sources.map((input) => input.name) });
}

/** What settings inference decides for a FHIR Patient file: record id `id`, each column the file fills with its mapped kind (and field). */
export async function fhirInference(input: Extract<SourceInput, { readonly path: string }>): Promise<SourceInference> {
  const columns: InferredColumn[] = (await sourceColumns(input)).map((column) => {
    const spec = specOf(column)!.spec;
    return typeof spec === 'string' ? { column, kind: spec, by: 'header' } : { column, by: 'header', ...spec };
  });
  return { source: input.name, recordId: { column: 'id', by: 'header' }, columns, unplaced: [] };
}
