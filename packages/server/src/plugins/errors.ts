// Every error answers as an OperationOutcome with its HTTP status. Diagnostics
// come from FhirError (written without values) or from a fixed text per status:
// a JSON parser's own message can quote the request body, so it is never passed on.
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { FhirError, operationOutcome, type IssueType } from '../fhir/outcome.js';

const BY_STATUS: Readonly<Record<number, [IssueType, string]>> = {
  400: ['invalid', 'the request is not valid: a FHIR JSON resource was expected'],
  401: ['login', 'a valid bearer token is required'],
  404: ['not-found', 'no such resource or operation'],
  405: ['not-supported', 'method not supported here'],
  413: ['too-long', 'the request body is larger than the server accepts'],
  415: ['not-supported', 'the body must be application/fhir+json or application/json'],
  429: ['throttled', 'too many requests: slow down and retry later'],
};

function send(reply: FastifyReply, status: number, issue: IssueType, diagnostics: string): FastifyReply {
  return reply.code(status).type('application/fhir+json; charset=utf-8').send(operationOutcome(issue, diagnostics));
}

export const errorsPlugin = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (error instanceof FhirError) {
        if (error.status === 401) void reply.header('www-authenticate', 'Bearer');
        return send(reply, error.status, error.issue, error.message);
      }
      const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
      if (status === 500) {
        // The code and class only: an internal message could carry a value.
        request.log.error({ code: (error as { code?: unknown }).code, name: error.name }, 'request failed');
        return send(reply, 500, 'exception', 'internal error; the server log has its code');
      }
      const [issue, diagnostics] = BY_STATUS[status] ?? (['invalid', 'the request cannot be served'] as [IssueType, string]);
      return send(reply, status, issue, diagnostics);
    });
    app.setNotFoundHandler((_request, reply) => send(reply, 404, ...BY_STATUS[404]));
  },
  { name: 'mpi-errors' },
);
