/**
 * @mpi/server: a FHIR R4 server over the identity index (@mpi/index).
 * `POST /Patient/$match` ranks the identities a Patient may be, `POST /Patient`
 * adds a record, `GET /Patient/{id}` reads an identity's golden view,
 * `GET /Patient/{id}/$history` its events. Bearer tokens, an audit event per
 * request, size and rate limits. See docs/server.md.
 */
export { createFhirServer, DEFAULT_LIMITS, type FhirServerOptions, type ServerLimits } from './server.js';
export { loadTokens, parseTokenFile, TokenVerifier, MIN_TOKEN_LENGTH, TOKEN_ENV, type ApiToken } from './tokens.js';
export { JsonlAuditLog, MemoryAuditLog, type AuditEvent, type AuditSink } from './audit-log.js';
export { goldenPatient, defaultSourceSystem, type SourceSystem } from './fhir/golden-patient.js';
export { queryRecord } from './fhir/query-record.js';
export { MATCH_GRADE_URL } from './routes/match.js';
