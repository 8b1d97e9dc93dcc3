/**
 * @mpi/core: link patient records from many sources into identity groups.
 *
 * The public entry point, covered by semver: what a program needs to link
 * records, read the result, write it, keep the trained model and measure the
 * result against a truth. Everything else (stage functions, default rules,
 * clustering, normalizers) is at `@mpi/core/advanced`, which is not covered by
 * semver. See README for a guided example and docs/decisions/core-layout.md for
 * how the source is laid out.
 */

// Linking.
/** Links records from one or more sources into identity groups: read, block, compare, train, score, cluster. */
export { link } from './pipeline/link.js';
export type { LinkOptions, LinkResult, IdentityGroup, RecordRef, ProgressEvent, Stage, StageTiming, BlockingSummary } from './pipeline/types.js';
export type { Clustering, ClusteringMethod } from './cluster/cluster.js';

// Settings.
/** Checks raw settings (parsed JSON or an object) against the schema and its rules, and fills in the defaults. */
export { validateSettings } from './settings/settings.js';
export type { Settings, FieldKind, FieldSpec, FieldOptions, SourceSettings, SettingsCheckOptions } from './settings/settings.js';
/** Kinds-only settings inferred from the sources' header names and first values, with what was decided per column. */
export { inferSettings } from './read/infer-settings.js';
export type { InferredSettings, InferSettingsOptions, SourceInference, InferredColumn, UnplacedColumn } from './read/infer-settings.js';

// Reading.
/** Reads and normalizes sources into the column table that blocking and scoring work on. */
export { buildRecordTable } from './read/record-table.js';
export type { ColumnWarning, PlaceholderMarks, RecordTable, ReadOptions, ValueFlag } from './read/record-table.js';
export type { SourceInput, PlainRecord, SourceEncoding } from './read/sources.js';

// Evaluation.
/** Pairwise precision, recall and F1 of predicted groups against true ones; Evaluation accumulates them row by row. */
export { Evaluation, evaluate } from './evaluate/evaluate.js';
export type { EvaluationReport, Membership } from './evaluate/evaluate.js';
export { evaluateInDuckDb, type DuckDbEvaluationOptions, type Memberships } from './evaluate/evaluate-in-duckdb.js';

// Output.
/** Writes the identity groups or the scored pairs of a result as CSV, atomically (no partial file on failure). */
export { writeGroupsCsv, writePairsCsv } from './output/write-results.js';
export type { GroupsOfRecords } from './output/write-results.js';
export type { CsvOutputOptions, PairsCsvOptions } from './output/write-results.js';

// The report for data teams.
/** One self-contained HTML page of charts and tables on a link result: match weights, m and u, blocking, estimated (and measured) precision/recall. */
export { buildReportHtml } from './report/build-report.js';
export type { ReportOptions } from './report/build-report.js';

// The trained model.
/** Model JSON in and out, and its human-readable report (m, u and weights by comparison level). */
export { parseModel, serializeModel, formatModelReport } from '@mpi/scoring';
export type { Comparison, ComparisonLevel, FellegiSunterModel, InteractionTerm, MatchExplanation } from '@mpi/scoring';
export type { BlockingRule, CandidatePairs, LinkMode } from '@mpi/blocking';

// Errors: every failure link(), validateSettings(), buildRecordTable() and the
// writers raise is an MpiError with a stable `code`; messages name files, rows,
// columns and counts, never a record's value.
/**
 * MpiError: the base class, with a stable `code`. SettingsError: settings that are not valid.
 * SourceError and its subclasses: a source that cannot be read as given (unreadable file,
 * missing or duplicate column, empty source, malformed row, duplicate record id, invalid
 * value, text not in the declared encoding).
 */
export {
  MpiError,
  SettingsError,
  SourceError,
  SourceUnreadableError,
  MissingColumnError,
  EmptySourceError,
  MalformedRowError,
  DuplicateRecordIdError,
  InvalidValueError,
  DuplicateColumnError,
  EncodingError,
  InvalidResourceError,
  type InputLocation,
} from './errors.js';
/** Settings that fail the schema or its rules, with every issue found (path, message, suggestion). */
export { InvalidSettingsError, type SettingsIssue, type SettingsIssueCode } from './settings/issues.js';
/** OutOfMemoryError: memory ran out in a stage, no result. WorkerFailedError: a comparison worker threw or died, no result. */
export { OutOfMemoryError, WorkerFailedError } from './pipeline/run-errors.js';
/** An output file could not be written; the destination keeps what it had before. */
export { OutputWriteError } from './output/atomic-file.js';
/** Blocking would produce more candidate pairs than the budget (maxPairs, or the memory free); raised before any pair is generated. */
export { PairBudgetExceededError, InvalidBlockingRuleError, UnknownBlockingColumnError } from '@mpi/blocking';
/** Model JSON that is not a model, or a comparison that is not valid. */
export { InvalidModelError, InvalidComparisonError } from '@mpi/scoring';

/** FHIR R4 Patient sources (docs/fhir.md): kinds-only settings from the mapping (inferSettings uses it for FHIR files). */
export { fhirSettings } from './read/fhir/fhir-settings.js';
