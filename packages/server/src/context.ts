// What the route plugins share: the index, its lock, and how resources are named.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IdentityIndex } from '@mpi/index';
import type { SourceSystem } from './fhir/golden-patient.js';
import type { IndexLock } from './index-lock.js';

export interface RouteContext {
  readonly index: IdentityIndex;
  readonly lock: IndexLock;
  /** The source that created Patients join, and whose columns $match queries are read as. */
  readonly source: string;
  readonly sourceSystem: SourceSystem;
  /** Most candidates one $match returns. */
  readonly maxCount: number;
  /** The server's public base URL (for fullUrl); default: from the request's host. */
  readonly baseUrl?: string;
}

/** The absolute URL of an identity's Patient resource. */
export function patientUrl(context: RouteContext, request: FastifyRequest, id: string): string {
  const base = context.baseUrl ?? `${request.protocol}://${request.host}`;
  return `${base.replace(/\/$/, '')}/Patient/${encodeURIComponent(id)}`;
}

/** Sends a FHIR resource as application/fhir+json. */
export function sendResource(reply: FastifyReply, resource: unknown, status = 200): FastifyReply {
  return reply.code(status).type('application/fhir+json; charset=utf-8').send(resource);
}
