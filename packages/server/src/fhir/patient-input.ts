// A Patient from a request body, read as a record of an index source; a
// resource that cannot be read answers 422 naming the path inside it, never a value.
import type { PlainRecord, Settings } from '@mpi/core';
import { ResourceProblem } from '@mpi/core/advanced';
import { FhirError } from './outcome.js';
import { bestSource, patientValues, sourceRecord, type PatientValues } from './query-record.js';
import { sourceSystemName } from './golden-patient.js';

function valuesOf(resource: unknown, where: string): PatientValues {
  try {
    return patientValues(resource);
  } catch (error) {
    if (error instanceof ResourceProblem) {
      const issue = error.path.endsWith('resourceType') ? 'a Patient resource is required' : `the Patient cannot be read at ${error.path}: ${error.problem}`;
      throw new FhirError(422, 'processing', `${where}: ${issue}`);
    }
    throw error;
  }
}

/** A $match query: the Patient as a record of the source whose columns hold most of its values. */
export function matchInput(resource: unknown, settings: Settings, preferred: string): { source: string; record: PlainRecord } {
  const values = valuesOf(resource, 'Parameters.parameter resource');
  const source = bestSource(values, settings, preferred);
  return { source, record: sourceRecord(values, settings, source) };
}

/**
 * A created Patient: a record of the source its `meta.source` names
 * (`urn:mpi:source:<name>`, a source the settings map), else of `fallback`.
 */
export function createInput(resource: unknown, settings: Settings, fallback: string): { source: string; recordId: string; record: PlainRecord } {
  const values = valuesOf(resource, 'Patient');
  const meta = (resource as { meta?: { source?: unknown } }).meta;
  let source = fallback;
  if (meta !== undefined && meta !== null && typeof meta === 'object' && meta.source !== undefined) {
    const named = typeof meta.source === 'string' ? sourceSystemName(meta.source) : undefined;
    if (named === undefined || (named !== fallback && settings.sources?.[named] === undefined)) {
      throw new FhirError(422, 'value', 'Patient meta.source: expected urn:mpi:source:<name> of a source the index maps');
    }
    source = named;
  }
  return { source, recordId: values.id, record: sourceRecord(values, settings, source) };
}
