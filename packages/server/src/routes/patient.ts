// POST /Patient adds a record to the index and answers with the identity it
// joined; GET /Patient/{id} reads an identity's golden view. An id merged into
// another answers with the survivor's resource (its own id in the body, and
// Content-Location naming it), so stored ids keep working after merges.
import type { FastifyInstance } from 'fastify';
import { MpiError } from '@mpi/core';
import { patientUrl, sendResource, type RouteContext } from '../context.js';
import { goldenPatient } from '../fhir/golden-patient.js';
import { FhirError } from '../fhir/outcome.js';
import { createInput } from '../fhir/patient-input.js';

export async function patientRoutes(app: FastifyInstance, context: RouteContext): Promise<void> {
  const { index } = context;

  app.post('/Patient', { config: { operation: 'Patient.create' } }, async (request, reply) => {
    const { source, recordId, record } = createInput(request.body, index.settings, context.source);
    const { summary, view } = await context.lock.write(async () => {
      const summary = await index.add({ [source]: [record] }).catch((error: unknown) => {
        // Index errors name codes and sources, never values; another writer's commit is a conflict to retry.
        if (error instanceof MpiError && error.code === 'INDEX_CHANGED') throw new FhirError(409, 'conflict', 'the index changed under another writer; retry');
        if (error instanceof MpiError) throw new FhirError(422, 'processing', `the index cannot add this record (${error.code})`);
        throw error;
      });
      const id = index.identityOf({ source, recordId });
      return { summary, view: id === undefined ? undefined : index.identity(id) };
    });
    if (view === undefined) throw new FhirError(500, 'exception', 'the record was not indexed');
    request.auditIdentities = [view.id];
    const url = patientUrl(context, request, view.id);
    // 201 for a new record; 200 when the source's record was known (an update, or the same again).
    return sendResource(reply.header('location', url), goldenPatient(view, index.settings, context.sourceSystem), summary.added > 0 ? 201 : 200);
  });

  app.get<{ Params: { id: string } }>('/Patient/:id', { config: { operation: 'Patient.read' } }, async (request, reply) => {
    const view = await context.lock.read(async () => index.identity(request.params.id));
    if (view === undefined) throw new FhirError(404, 'not-found', 'no identity has this id');
    request.auditIdentities = [view.id];
    if (view.status === 'retired') throw new FhirError(410, 'deleted', 'every record of this identity was removed');
    if (view.id !== view.requested) void reply.header('content-location', patientUrl(context, request, view.id));
    return sendResource(reply, goldenPatient(view, index.settings, context.sourceSystem));
  });
}
