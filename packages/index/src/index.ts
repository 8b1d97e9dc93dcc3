/**
 * @mpi/index: a persistent identity index (Master Patient Index) over the
 * linkage pipeline of @mpi/core. One SQLite file holds the raw records, the
 * trained model with its term-frequency tables, the identities with stable
 * ids, the reviewers' decisions and an audit log of every change.
 *
 * Build with createIndex (the same groups as link()), then add, remove, match,
 * review, decide, refresh the model (refreshModel, or automatically on an add
 * of a new source or after growth) and read an identity's history. See docs/index.md.
 */
export { createIndex, buildIndex, openIndex, IdentityIndex, DEFAULT_REVIEW_THRESHOLD } from './identity-index.js';
export { gradeOf } from './match.js';
export type {
  ChangeSummary,
  CreateIndexOptions,
  Decision,
  EventKind,
  IdentityView,
  ModelRefinement,
  ModelRefresh,
  IndexedIdentity,
  IndexedRecordData,
  IndexEvent,
  IndexInput,
  MatchCandidate,
  MatchGrade,
  MatchOptions,
  MatchQuery,
  OpenIndexOptions,
  RecordRef,
  ReviewPair,
} from './types.js';
