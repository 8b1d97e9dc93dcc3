// Bearer-token authentication: no request is served without a valid token.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { FhirError } from '../fhir/outcome.js';
import type { TokenVerifier } from '../tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The name of the caller's token, once authenticated (null before, or when refused). */
    who: string | null;
  }
}

export const authPlugin = fp(
  async (app: FastifyInstance, options: { readonly verifier: TokenVerifier }) => {
    app.decorateRequest('who', null);
    app.addHook('onRequest', async (request) => {
      const header = request.headers.authorization;
      const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
      const who = match === null ? undefined : options.verifier.nameOf(match[1]);
      if (who === undefined) throw new FhirError(401, 'login', 'a valid bearer token is required (Authorization: Bearer <token>)');
      request.who = who;
    });
  },
  { name: 'mpi-auth' },
);
