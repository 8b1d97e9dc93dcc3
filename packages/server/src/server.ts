// The FHIR server: Fastify with one plugin per concern (errors, auth, audit,
// rate limit) and one per route group (match, patient, history, metadata),
// a thin layer over the identity index's public API.
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { IdentityIndex } from '@mpi/index';
import type { AuditSink } from './audit-log.js';
import { defaultSourceSystem, type SourceSystem } from './fhir/golden-patient.js';
import { IndexLock } from './index-lock.js';
import { sourceRecord } from './fhir/query-record.js';
import { auditPlugin } from './plugins/audit.js';
import { authPlugin } from './plugins/auth.js';
import { errorsPlugin } from './plugins/errors.js';
import { historyRoutes } from './routes/history.js';
import { matchRoutes } from './routes/match.js';
import { metadataRoutes } from './routes/metadata.js';
import { patientRoutes } from './routes/patient.js';
import { TokenVerifier, type ApiToken } from './tokens.js';
import type { RouteContext } from './context.js';

/** Request size and rate limits; every one has a default. */
export interface ServerLimits {
  /** Largest request body in bytes (default 256 KiB: a Patient is a few KiB); larger ones answer 413. */
  readonly bodyBytes?: number;
  /** Requests per minute per caller (token), default 6,000 (100 a second); more answer 429. */
  readonly requestsPerMinute?: number;
  /** Most candidates one $match returns, whatever its count (default 50). */
  readonly matchCount?: number;
}

/** The defaults of {@link ServerLimits}. */
export const DEFAULT_LIMITS: Required<ServerLimits> = { bodyBytes: 256 * 1024, requestsPerMinute: 6000, matchCount: 50 };

/** What createFhirServer serves and how: the index, the credentials, the audit sink, limits and naming. */
export interface FhirServerOptions {
  /** The open index the server answers from (the caller closes it after the server). */
  readonly index: IdentityIndex;
  /** Accepted bearer tokens (at least one: see loadTokens). */
  readonly tokens: readonly ApiToken[];
  /** Where one audit event per request goes (e.g. a JsonlAuditLog; the caller closes it). */
  readonly audit: AuditSink;
  readonly limits?: ServerLimits;
  /** The index source created Patients join and $match queries are read as (default `fhir`). */
  readonly source?: string;
  /** The identifier system of each source's record ids in Patient views (default `urn:mpi:source:<name>`). */
  readonly sourceSystem?: SourceSystem;
  /** Public base URL for fullUrl and Location (default: the request's protocol and host). */
  readonly baseUrl?: string;
  /**
   * Fastify's logger (pino) options, e.g. `{ level: 'info' }` or with a
   * `stream`; false for none. Request bodies are never logged, the
   * Authorization header is redacted, and URLs are logged without their query.
   */
  readonly logger?: false | { readonly level?: string; readonly stream?: NodeJS.WritableStream };
  /** TLS key and certificate (PEM): served over HTTPS by Node itself. */
  readonly https?: { readonly key: string | Buffer; readonly cert: string | Buffer };
}

/** Pino options that keep PHI and credentials out of the server log. */
function loggerOptions(logger: FhirServerOptions['logger']): FastifyServerOptions['logger'] {
  if (logger === false) return false;
  return {
    level: logger?.level ?? 'info',
    ...(logger?.stream !== undefined ? { stream: logger.stream } : {}),
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
    serializers: {
      req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, url: req.url.split('?')[0], remoteAddress: req.ip }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
}

/**
 * A Fastify instance serving the index as FHIR R4 (not yet listening: call
 * `listen({ port, host })`, and `close()` to stop). Routes: POST
 * /Patient/$match, POST /Patient, GET /Patient/{id}, GET
 * /Patient/{id}/$history, GET /metadata; every one needs a bearer token, and
 * every request is an audit event. `ready()` (and so `listen()`) waits for the
 * index's first match, which reads its blocking keys. Throws NO_API_TOKEN without tokens.
 */
export function createFhirServer(options: FhirServerOptions): FastifyInstance {
  const verifier = new TokenVerifier(options.tokens);
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const app = Fastify({
    logger: loggerOptions(options.logger),
    bodyLimit: limits.bodyBytes,
    ...(options.https !== undefined ? { https: { key: options.https.key, cert: options.https.cert } } : {}),
  }) as unknown as FastifyInstance;
  // FHIR's media type is JSON: parsed by Fastify's own JSON parser (prototype-poisoning checks included).
  app.addContentTypeParser('application/fhir+json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
  const context: RouteContext = {
    index: options.index,
    lock: new IndexLock(),
    source: options.source ?? 'fhir',
    sourceSystem: options.sourceSystem ?? defaultSourceSystem,
    maxCount: limits.matchCount,
    baseUrl: options.baseUrl,
  };
  // The index reads its records' table and blocking keys from its file on its first match (several
  // seconds at 1M records; over a minute for a file whose table is not stored yet): done before the
  // server listens, not on the first caller's request.
  app.addHook('onReady', async () => {
    await context.lock.read(() => options.index.match({ source: context.source, record: sourceRecord({ id: 'warm-up', byKey: new Map() }, options.index.settings, context.source) }));
  });
  void app.register(errorsPlugin);
  void app.register(authPlugin, { verifier });
  void app.register(auditPlugin, { sink: options.audit });
  // After auth: callers are told apart by their token's name (behind a proxy, every caller has its address).
  void app.register(rateLimit, { max: limits.requestsPerMinute, timeWindow: 60_000, keyGenerator: (request) => request.who ?? request.ip });
  void app.register(async (routes) => {
    await matchRoutes(routes, context);
    await patientRoutes(routes, context);
    await historyRoutes(routes, context);
    await metadataRoutes(routes);
  });
  return app;
}
