/**
 * @mpi/core: link patient records from many sources into identity groups.
 * The public entry point; see README for a guided example.
 */
export { link } from './link.js';
export type { LinkOptions, LinkResult, IdentityGroup, RecordRef, ProgressEvent, Stage, StageTiming, BlockingSummary } from './link.js';
export { validateSettings, defaultUSampleSize, FIELD_KINDS, DEFAULTS } from './settings.js';
export type { Settings, FieldKind, FieldSpec, FieldOptions, SourceSettings } from './settings.js';
export type { SourceInput, PlainRecord } from './sources.js';
export { buildRecordTable, MAX_FIELD_LENGTH, type ReadOptions } from './record-table.js';
export type { RecordTable, ValueFlag } from './record-table.js';
export { clusterPairs, identityId, thresholdWeight } from './cluster.js';
export { termFrequencyInputs } from './explain.js';
export { writeGroupsCsv, writePairsCsv } from './write-results.js';
export { HOUSEHOLD_SHARE, householdShare, withoutHouseholdGroup } from './households.js';
export type { ClusterOptions, Clustering, ClusteringMethod } from './cluster.js';
export { Evaluation, evaluate } from './evaluate.js';
export type { EvaluationReport, Membership } from './evaluate.js';
export {
  broadBlockingRules,
  defaultBlockingRules,
  defaultComparisons,
  tighterBlockingRule,
  BASE_RULE_PAIRS_PER_RECORD,
  BROAD_RULE_MIN_PAIRS,
  BROAD_RULE_PAIRS_PER_RECORD,
} from './field-kinds.js';
export * from './errors.js';
export * from './normalize/index.js';
export type { BlockingRule, CandidatePairs, LinkMode } from '@mpi/blocking';
export type { Comparison, ComparisonLevel, FellegiSunterModel, MatchExplanation } from '@mpi/scoring';
export { parseModel, serializeModel, formatModelReport, modelReport, matchProbability } from '@mpi/scoring';
