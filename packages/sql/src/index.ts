/**
 * @mpi/sql: the trained model as SQL. An engine-neutral plan of the pipeline
 * (blocking, comparison levels, weights, threshold, clustering) built from the
 * same definitions the in-process engine runs, rendered for a dialect
 * (DuckDB, Spark SQL, Trino), and executed in embedded DuckDB.
 *
 * @packageDocumentation
 */
export type { Comparator, Expr, Feature, PlanFunction, Side } from './plan/expression.js';
export { PRECOMPUTED_FEATURES } from './plan/expression.js';
export type { LinkagePlan, PlanBlockingRule, PlanColumn, PlanComparison, PlanInteraction, PlanKeyPart, PlanLevel, PlanVeto } from './plan/plan.js';
export { featureColumn, keyColumn } from './plan/plan.js';
export { crossColumnCondition, valueCondition } from './plan/level-conditions.js';
export { buildLinkagePlan, tfColumn, type PlanInput } from './plan/build-plan.js';
export { DIALECTS, DUCKDB, SPARK, TRINO, type Dialect, type DialectName } from './dialects.js';
export { jobScript, renderExpr, renderJob, trainingCountsSql, trainingJobScript, type HouseholdColumns, type SqlJob, type SqlStatement, type TrainingCountsOptions } from './render-sql.js';
export { valueFeature, valueKey } from './record-features.js';
export { DEFAULT_MEMORY_SHARE, DuckDbExecutor, interruptOpenExecutors, tfSlots, type BlockProgress, type DictionaryWriter, type DuckDbOptions, type ScoredPairRows, type SqlRunSummary, type TermFrequencyColumns } from './duckdb/executor.js';
export { csvFieldSql, identityIdSql, matchProbabilitySql, spreadsheetSafeSql, sqlString, toFixed4Sql, toPrecision6Sql } from './duckdb/csv-lines.js';
export { appendColumns, CHUNK_ROWS, type Cell } from './duckdb/chunk-append.js';
export type { StatementProfile } from './duckdb/statement-profile.js';
export { openParquetRows, type ParquetRows } from './duckdb/parquet-source.js';
export { completeChunks, eachChunk, INCOMPLETE_RESULT, type CompleteStreamOptions } from './duckdb/complete-stream.js';
export { causeWithoutValues, ClusterExportError, describeEngineError, engineErrorKind, EngineErrorSummary, MEMORY_FULL, NO_SPACE_LEFT, SPILL_FULL, SqlEngineError, summarizeEngineError, WorkDatabaseError } from './errors.js';
export { RunProgress, RUN_PROGRESS_TABLE } from './duckdb/run-progress.js';
export { statementRole } from './duckdb/guarded-connection.js';
export { exportFiles, readExports, type ExportColumn, type ExportFile } from './cluster-exports.js';
export { readRecordIds, writeRecordIds, type JobRecordIds } from './record-ids-file.js';
