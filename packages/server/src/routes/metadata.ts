// GET /metadata: the CapabilityStatement (what this server does, and how it is secured).
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { sendResource } from '../context.js';

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The server's CapabilityStatement (FHIR R4, an instance). */
export function capabilityStatement(date: string): Record<string, unknown> {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date,
    kind: 'instance',
    software: { name: 'mpi', version },
    implementation: { description: 'Patient matching over an identity index (Master Patient Index)' },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        security: { description: 'Every request needs a bearer token (Authorization: Bearer <token>); terminate TLS in front of the server.' },
        resource: [
          {
            type: 'Patient',
            interaction: [{ code: 'read' }, { code: 'create' }],
            operation: [
              { name: 'match', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-match' },
            ],
          },
        ],
      },
    ],
  };
}

export async function metadataRoutes(app: FastifyInstance): Promise<void> {
  const started = new Date().toISOString();
  app.get('/metadata', { config: { operation: 'metadata' } }, async (_request, reply) => sendResource(reply, capabilityStatement(started)));
}
