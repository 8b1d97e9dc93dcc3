/**
 * Settings inferred from the sources themselves: which column is the record id
 * and which field kind each other column holds, from its header name first
 * (settings/infer/header-kinds.ts) and, where the name says nothing, from the
 * shape of its first values (settings/infer/value-kinds.ts); a birth date's
 * format from its values. Kinds only: blocking, comparisons and the rest keep
 * their defaults. Deterministic: the same files give the same settings. A
 * column it cannot place is left out and reported, never guessed.
 */
import type { LinkMode } from '@mpi/blocking';
import { MpiError } from '../errors.js';
import type { FieldKind } from '../defaults/field-kind-names.js';
import { validateSettings, type FieldSpec, type Settings, type SourceSettings } from '../settings/settings.js';
import { guessDateFormat, type DateFormatGuess } from '../settings/infer/date-format.js';
import { kindFromHeader } from '../settings/infer/header-kinds.js';
import { kindFromValues } from '../settings/infer/value-kinds.js';
import { fhirInference } from './fhir/fhir-settings.js';
import { sampleSource, type SourceSample } from './source-sample.js';
import { sourceFormat } from './sources.js';
import type { SourceInput } from './source-input.js';

/** Data rows read from the start of each source to infer its settings. */
export const INFERENCE_SAMPLE_ROWS = 2000;

/** What inference decided for a column it placed. */
export interface InferredColumn {
  readonly column: string;
  readonly kind: FieldKind;
  /** A birth date's format, when its values show one. */
  readonly format?: string;
  /** The field the column feeds when it is not the kind's own (a FHIR identifier's system: docs/fhir.md). */
  readonly field?: string;
  /** Whether the header name or the values decided the kind. */
  readonly by: 'header' | 'values';
  /** For a birth date without a format: why none was declared (its values are then read in the automatic forms). */
  readonly formatNote?: Exclude<DateFormatGuess, { format: string }>['reason'];
}

/**
 * Why a column was left out: its name and values name no kind (`unknown`),
 * it is blank in the sample (`blank`), its name is repeated in the header
 * (`repeated`), it names a record id but another column is the record id
 * (`another-id`), or it holds dates but no header says which is the birth date (`which-date`).
 */
export interface UnplacedColumn {
  readonly column: string;
  readonly reason: 'unknown' | 'blank' | 'repeated' | 'another-id' | 'which-date';
}

/** What inference decided for one source. */
export interface SourceInference {
  readonly source: string;
  readonly recordId: { readonly column: string; readonly by: 'header' | 'values' };
  readonly columns: readonly InferredColumn[];
  readonly unplaced: readonly UnplacedColumn[];
  /** The delimiter of a CSV source (declared or detected). */
  readonly delimiter?: string;
}

/** Settings inferred from sources, and what was decided per source and column (names and kinds, never values). */
export interface InferredSettings {
  readonly settings: Settings;
  readonly sources: readonly SourceInference[];
}

/** Options of {@link inferSettings}. */
export interface InferSettingsOptions {
  /** The link mode to write into the settings (default: none, i.e. the engine's default, dedupe). */
  readonly mode?: LinkMode;
  /** Data rows read per source (default INFERENCE_SAMPLE_ROWS). */
  readonly sampleRows?: number;
}

const isBlank = (value: string) => value.trim() === '';

/** The record id column: the first whose header names one, else the first unplaced column whose sampled values are all filled and distinct. */
function recordIdOf(source: string, sample: SourceSample, byHeader: readonly (string | undefined)[]): SourceInference['recordId'] {
  const named = byHeader.indexOf('record_id');
  if (named >= 0) return { column: sample.columns[named], by: 'header' };
  for (let c = 0; c < sample.columns.length; c++) {
    if (byHeader[c] !== undefined || sample.rows.length === 0) continue;
    const values = sample.rows.map((row) => row[c]);
    if (!values.some(isBlank) && new Set(values).size === values.length) return { column: sample.columns[c], by: 'values' };
  }
  throw new MpiError(
    'CANNOT_INFER_SETTINGS',
    `source "${source}": no column is named like a record id (id, rec_id, mrn, patient_id...) or holds distinct values in every row; write settings naming it (recordId)`,
  );
}

/** The kinds of one source's columns from their sample. */
function inferSource(name: string, sample: SourceSample): SourceInference {
  const byHeader = sample.columns.map(kindFromHeader);
  const recordId = recordIdOf(name, sample, byHeader);
  const valuesOf = (c: number) => sample.rows.map((row) => row[c]).filter((v) => !isBlank(v));
  const byValues = sample.columns.map((column, c) => (byHeader[c] === undefined && column !== recordId.column ? kindFromValues(valuesOf(c)) : undefined));
  // A date column without a telling name is a birth date only when it is the one date column and no header names a birth date.
  const oneDate = !byHeader.includes('birth_date') && byValues.filter((kind) => kind === 'birth_date').length === 1;
  const columns: InferredColumn[] = [];
  const unplaced: UnplacedColumn[] = sample.repeated.map((column) => ({ column, reason: 'repeated' as const }));
  sample.columns.forEach((column, c) => {
    if (column === recordId.column) return;
    const header = byHeader[c];
    const values = byValues[c];
    let kind: FieldKind;
    let by: InferredColumn['by'];
    if (header === 'record_id') return void unplaced.push({ column, reason: 'another-id' });
    if (header !== undefined) [kind, by] = [header, 'header'];
    else if (values === 'birth_date' && !oneDate) return void unplaced.push({ column, reason: 'which-date' });
    else if (values !== undefined) [kind, by] = [values, 'values'];
    else return void unplaced.push({ column, reason: valuesOf(c).length === 0 ? 'blank' : 'unknown' });
    if (kind !== 'birth_date') return void columns.push({ column, kind, by });
    const guess = guessDateFormat(valuesOf(c));
    columns.push(guess.format !== undefined ? { column, kind, by, format: guess.format } : { column, kind, by, formatNote: guess.reason });
  });
  return { source: name, recordId, columns, unplaced, ...(sample.delimiter === undefined ? {} : { delimiter: sample.delimiter }) };
}

const specOf = (column: InferredColumn): FieldSpec =>
  column.format === undefined && column.field === undefined
    ? column.kind
    : { kind: column.kind, ...(column.format === undefined ? {} : { format: column.format }), ...(column.field === undefined ? {} : { field: column.field }) };
const sameSpec = (a: FieldSpec, b: FieldSpec) => JSON.stringify(a) === JSON.stringify(b);

/**
 * One settings object for all the sources: the record id and the columns every
 * source has, as the first source declares them, at the top; what a source
 * declares otherwise (another record id, another date format, columns of its
 * own) in its entry under `sources`.
 */
function combine(inferred: readonly SourceInference[], mode: LinkMode | undefined): Settings {
  const [first] = inferred;
  const specs = inferred.map((source) => new Map(source.columns.map((column) => [column.column, specOf(column)])));
  const fields: Record<string, FieldSpec> = {};
  for (const column of first.columns) if (specs.every((s) => s.has(column.column))) fields[column.column] = specs[0].get(column.column)!;
  const sources: Record<string, SourceSettings> = {};
  inferred.forEach((source, s) => {
    const own: Record<string, FieldSpec> = {};
    for (const [column, spec] of specs[s]) if (fields[column] === undefined || !sameSpec(fields[column], spec)) own[column] = spec;
    const recordId = source.recordId.column === first.recordId.column ? {} : { recordId: source.recordId.column };
    if (Object.keys(own).length > 0 || 'recordId' in recordId) sources[source.source] = { ...recordId, ...(Object.keys(own).length > 0 ? { fields: own } : {}) };
  });
  return {
    recordId: first.recordId.column,
    ...(mode === undefined ? {} : { mode }),
    fields,
    ...(Object.keys(sources).length > 0 ? { sources } : {}),
  };
}

/**
 * Infers kinds-only settings from the sources' headers and first rows: the
 * record id column, each column's field kind (header names in many spellings
 * first, then the shape of the values), and birth date formats. Returns the
 * settings with what was decided per source and column, including the columns
 * left out and why. Reads each source's first `sampleRows` rows with the
 * readers' rules (encoding, delimiter) and throws their typed errors; in-memory
 * records must be an array, as they are read again by link().
 */
export async function inferSettings(sources: readonly SourceInput[], options: InferSettingsOptions = {}): Promise<InferredSettings> {
  if (sources.length === 0) throw new MpiError('CANNOT_INFER_SETTINGS', 'no sources to infer settings from');
  const rows = options.sampleRows ?? INFERENCE_SAMPLE_ROWS;
  const inferred: SourceInference[] = [];
  // A FHIR Patient file's columns have known kinds (its mapping): read, not guessed.
  for (const input of sources) inferred.push('path' in input && (await sourceFormat(input)) === 'fhir' ? await fhirInference(input) : inferSource(input.name, await sampleSource(input, rows)));
  const empty = inferred.filter((source) => source.columns.length === 0).map((source) => `"${source.source}"`);
  if (empty.length > 0) {
    throw new MpiError('CANNOT_INFER_SETTINGS', `source ${empty.join(', source ')}: no column's name or values show a field kind to match on; write settings naming the kinds`);
  }
  // Checked as any settings are, so what is written or linked with is valid settings.
  return { settings: validateSettings(combine(inferred, options.mode), { sources: sources.map((s) => s.name) }), sources: inferred };
}
