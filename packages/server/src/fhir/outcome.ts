// Errors as FHIR OperationOutcome resources. Diagnostics are written here and in
// the routes, never taken from a parser's message (which can quote the body).
import { MpiError } from '@mpi/core';

/** An OperationOutcome issue type (FHIR R4 issue-type value set). */
export type IssueType = 'invalid' | 'structure' | 'required' | 'value' | 'processing' | 'not-found' | 'deleted' | 'login' | 'too-long' | 'throttled' | 'not-supported' | 'conflict' | 'exception';

/** An error the server answers with an OperationOutcome and this HTTP status. */
export class FhirError extends MpiError {
  constructor(
    readonly status: number,
    readonly issue: IssueType,
    diagnostics: string,
  ) {
    super('FHIR_REQUEST', diagnostics);
  }
}

/** A FHIR R4 OperationOutcome with one error issue. */
export function operationOutcome(issue: IssueType, diagnostics: string): Record<string, unknown> {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: issue, diagnostics }] };
}
