// POST /Patient/$match: the identities a Patient may be, ranked, as a searchset
// Bundle (FHIR R4 Patient-match operation). Nothing is written to the index.
import type { FastifyInstance } from 'fastify';
import type { IdentityView, MatchCandidate } from '@mpi/index';
import { patientUrl, sendResource, type RouteContext } from '../context.js';
import { goldenPatient } from '../fhir/golden-patient.js';
import { FhirError } from '../fhir/outcome.js';
import { matchInput } from '../fhir/patient-input.js';

/** The extension FHIR defines for how sure a $match candidate is. */
export const MATCH_GRADE_URL = 'http://hl7.org/fhir/StructureDefinition/match-grade';

/** The operation's input parameters, checked. */
export interface MatchParameters {
  readonly resource: unknown;
  readonly onlyCertainMatches: boolean;
  readonly count: number | undefined;
}

/** Reads a Parameters resource (resource, onlyCertainMatches, count); 400 for anything else, 422 when `resource` is not a Patient. */
export function matchParameters(body: unknown): MatchParameters {
  const parameters = body as { resourceType?: unknown; parameter?: unknown } | null;
  if (parameters === null || typeof parameters !== 'object' || parameters.resourceType !== 'Parameters') {
    throw new FhirError(400, 'invalid', 'Patient/$match takes a Parameters resource');
  }
  if (!Array.isArray(parameters.parameter)) throw new FhirError(400, 'required', 'Parameters.parameter: expected an array');
  let resource: unknown;
  let onlyCertainMatches = false;
  let count: number | undefined;
  parameters.parameter.forEach((raw: unknown, i: number) => {
    const parameter = raw as Record<string, unknown> | null;
    if (parameter === null || typeof parameter !== 'object') throw new FhirError(400, 'structure', `Parameters.parameter[${i}]: expected an object`);
    switch (parameter.name) {
      case 'resource':
        resource = parameter.resource;
        break;
      case 'onlyCertainMatches':
        if (typeof parameter.valueBoolean !== 'boolean') throw new FhirError(400, 'value', `Parameters.parameter[${i}] onlyCertainMatches: expected valueBoolean`);
        onlyCertainMatches = parameter.valueBoolean;
        break;
      case 'count':
        if (!Number.isInteger(parameter.valueInteger) || (parameter.valueInteger as number) < 1) {
          throw new FhirError(400, 'value', `Parameters.parameter[${i}] count: expected a positive valueInteger`);
        }
        count = parameter.valueInteger as number;
        break;
      default:
        throw new FhirError(400, 'not-supported', `Parameters.parameter[${i}]: unknown parameter (known: resource, onlyCertainMatches, count)`);
    }
  });
  if (resource === undefined) throw new FhirError(400, 'required', 'Patient/$match needs the parameter "resource"');
  return { resource, onlyCertainMatches, count };
}

export async function matchRoutes(app: FastifyInstance, context: RouteContext): Promise<void> {
  app.post('/Patient/$match', { config: { operation: 'Patient/$match' } }, async (request, reply) => {
    const { resource, onlyCertainMatches, count } = matchParameters(request.body);
    // $match queries need no id; the mapping reads Patient.id as the record id.
    const withId = resource !== null && typeof resource === 'object' && !('id' in resource) ? { ...resource, id: 'match-query' } : resource;
    const { index } = context;
    const query = matchInput(withId, index.settings, context.source);
    // The golden views are read under the same lock, so an add cannot move a member in between.
    const found = await context.lock.read(async () => {
      const candidates = await index.match(query, { count: Math.min(count ?? 5, context.maxCount), minProbability: index.thresholds.review });
      const kept = onlyCertainMatches ? candidates.filter((c) => c.grade === 'certain') : candidates;
      return kept.map((candidate) => ({ candidate, view: index.identity(candidate.identityId)! }));
    });
    request.auditIdentities = found.map(({ candidate }) => candidate.identityId);
    const entry = found.map(({ candidate, view }: { candidate: MatchCandidate; view: IdentityView }) => ({
      fullUrl: patientUrl(context, request, candidate.identityId),
      resource: goldenPatient(view, index.settings, context.sourceSystem),
      search: { extension: [{ url: MATCH_GRADE_URL, valueCode: candidate.grade }], mode: 'match', score: candidate.matchProbability },
    }));
    return sendResource(reply, { resourceType: 'Bundle', type: 'searchset', total: entry.length, entry });
  });
}
