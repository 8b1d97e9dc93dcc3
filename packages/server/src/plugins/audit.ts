// One audit event per request, answered or refused, written when the response
// has been sent: who (the token's name), what, the status and the identity ids
// returned. Routes name the identities with request.audit(ids).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { AuditSink } from '../audit-log.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Identity ids the response names, for the audit event. */
    auditIdentities: string[] | null;
  }
  interface FastifyContextConfig {
    /** The operation's name in audit events. */
    operation?: string;
  }
}

function operationOf(request: FastifyRequest): string {
  return request.routeOptions.config?.operation ?? 'unknown';
}

export const auditPlugin = fp(
  async (app: FastifyInstance, options: { readonly sink: AuditSink }) => {
    app.decorateRequest('auditIdentities', null);
    app.addHook('onResponse', async (request, reply) => {
      options.sink.write({
        time: new Date().toISOString(),
        who: request.who,
        operation: operationOf(request),
        method: request.method,
        status: reply.statusCode,
        identities: request.auditIdentities ?? [],
        remoteAddress: request.ip,
        ms: Math.round(reply.elapsedTime * 1000) / 1000,
      });
    });
  },
  { name: 'mpi-audit', dependencies: ['mpi-auth'] },
);
