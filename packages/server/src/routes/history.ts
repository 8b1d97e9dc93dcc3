// GET /Patient/{id}/$history: how an identity came to be, from the index's
// event log, as a Bundle of Provenance resources (one per event: created,
// merged, split, updated, removed, decided), oldest first. Not `_history`:
// FHIR's _history lists versions of a resource, and the index keeps events,
// not versions of a golden view.
import type { FastifyInstance } from 'fastify';
import type { IndexEvent } from '@mpi/index';
import { sendResource, type RouteContext } from '../context.js';
import type { SourceSystem } from '../fhir/golden-patient.js';
import { FhirError } from '../fhir/outcome.js';

/** An index event as a Provenance: the identities after it are the targets, those before and the records the entities. */
export function eventProvenance(event: IndexEvent, sourceSystem: SourceSystem): Record<string, unknown> {
  const targets = event.after.length > 0 ? event.after : event.before;
  return {
    resourceType: 'Provenance',
    id: `event-${event.seq}`,
    target: targets.map((id) => ({ reference: `Patient/${id}` })),
    recorded: event.time,
    activity: { text: event.kind },
    agent: [{ who: { display: 'identity index' } }],
    entity: [
      ...event.before.map((id) => ({ role: 'revision', what: { reference: `Patient/${id}` } })),
      ...event.records.map((ref) => ({ role: 'source', what: { identifier: { system: sourceSystem(ref.source), value: ref.recordId } } })),
    ],
  };
}

export async function historyRoutes(app: FastifyInstance, context: RouteContext): Promise<void> {
  app.get<{ Params: { id: string } }>('/Patient/:id/$history', { config: { operation: 'Patient.history' } }, async (request, reply) => {
    const { index } = context;
    const events = await context.lock.read(async () => (index.resolve(request.params.id) === undefined ? undefined : index.history(request.params.id)));
    if (events === undefined) throw new FhirError(404, 'not-found', 'no identity has this id');
    request.auditIdentities = [...new Set(events.flatMap((event) => [...event.before, ...event.after]))];
    const entry = events.map((event) => ({ resource: eventProvenance(event, context.sourceSystem) }));
    return sendResource(reply, { resourceType: 'Bundle', type: 'collection', entry });
  });
}
