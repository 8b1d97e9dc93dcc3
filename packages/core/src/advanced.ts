/**
 * @mpi/core/advanced: the parts of the engine under the public API, for tests,
 * benchmarks, fixtures and callers who compose the stages themselves.
 *
 * NOT COVERED BY SEMVER: any name here may change or go in a minor or patch
 * release. The stable surface is `@mpi/core` (src/index.ts).
 */

// Settings internals.
export { defaultUSampleSize, FIELD_KINDS, DEFAULTS } from './settings/settings.js';

// Reading.
export { MAX_FIELD_LENGTH } from './read/record-table.js';
export { FREQUENT_VALUE_RATIO, MANY_PEOPLE, markPlaceholders, typicalCount, type MarkedColumns, type PlaceholderMarks } from './read/placeholder-values.js';

// Defaults: field kinds, default blocking and comparisons, households.
export {
  broadBlockingRules,
  defaultBlockingRules,
  defaultComparisons,
  tighterBlockingRule,
  BASE_RULE_PAIRS_PER_RECORD,
  BROAD_RULE_MIN_PAIRS,
  BROAD_RULE_PAIRS_PER_RECORD,
} from './defaults/field-kinds.js';
export { HOUSEHOLD_SHARE, householdShare, withoutHouseholdGroup } from './defaults/households.js';

// Scoring inputs and clustering.
export { termFrequencyInputs, unseenValueFrequency } from './pipeline/explain.js';
export { clusterPairs, identityId, thresholdWeight } from './cluster/cluster.js';
export type { ClusterOptions, Clustering, ClusteringMethod } from './cluster/cluster.js';

// Normalizers.
export * from './normalize/index.js';

// Scoring helpers re-exported for convenience.
export { modelReport, matchProbability } from '@mpi/scoring';

// The HTML report's figures, and the report of pairs read back from a pairs file (mpi evaluate --report-html).
export { linkReportData, buildPairsReportHtml } from './report/build-report.js';
export type { PairsReportInput } from './report/build-report.js';
export type { ReportData } from './report/report-data.js';
// The same report of a link run in DuckDB, its figures counted by SQL (from linkInDuckDb's outputs).
export { buildReportHtmlInDuckDb, reportDataInDuckDb, type DuckDbReportOptions } from './report/duckdb-report.js';

// Reading raw rows and the per-source field plan (the identity index keeps the raw rows it re-reads).
export { readSource } from './read/sources.js';
export { sourceFieldPlan } from './settings/settings.js';
export { explainRows } from './pipeline/explain.js';
export { blockPairs } from './pipeline/block.js';

// FHIR Patient resources as flat records, and the kind of each of their columns (the FHIR server maps queries with them).
export { patientRecord, ResourceProblem, US_SSN_SYSTEM, identifierField } from './read/fhir/patient-record.js';
export { fhirColumnSpec } from './read/fhir/fhir-settings.js';

// The trained model run as SQL in embedded DuckDB (the plan and dialects live in @mpi/sql).
export { chooseBlockingRules, type ChosenRules } from './pipeline/block.js';
export { linkInDuckDb, type LinkedCounts, type LinkedInDuckDb, type LinkedRecords, type RecordsInDuckDb, type SqlLinkOptions, type SqlLinkResult, type SqlLinkSummary } from './pipeline/link-sql.js';
export { stagePairBatches, type PairBatch } from './output/write-results.js';
// The outputs of a DuckDB link written by DuckDB (linkInDuckDb's `outputs`), staged for publishAll.
export { stageGroupsInDuckDb, stagePairsInDuckDb } from './output/duckdb-outputs.js';
export { publishAll, stageFileAt, type AtomicFile } from './output/atomic-file.js';
export { readRecords } from './pipeline/read.js';
export { planFor, type PlannedRecords } from './pipeline/link-sql.js';
export { writeSqlJob, type SqlJobFiles } from './output/sql-job.js';
export { groupsFromCluster, type ClusterGroups, type ClusterGroupsInput } from './pipeline/cluster-exports.js';
export { trainFromClusterCounts, type ClusterTrainInput } from './pipeline/train-cluster.js';
