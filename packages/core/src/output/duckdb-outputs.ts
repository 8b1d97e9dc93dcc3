// groups.csv and pairs.csv of a DuckDB link, written by DuckDB from its own
// tables (who each record is never comes into our process): each line is
// composed in SQL, byte for byte the line stageGroupsCsv and stagePairBatches
// write (test/duckdb-outputs.test.ts), into a temporary file beside the target
// that the caller publishes with the other outputs (atomic-file.ts).
import { csvFieldSql, DUCKDB, matchProbabilitySql, NO_SPACE_LEFT, spreadsheetSafeSql, sqlString, SqlEngineError, toFixed4Sql, toPrecision6Sql } from '@mpi/sql';
import { thresholdWeight } from '../cluster/cluster.js';
import type { RecordsInDuckDb } from '../pipeline/link-sql.js';
import { OutputWriteError, stageFileAt, type AtomicFile } from './atomic-file.js';
import type { CsvOutputOptions, PairsCsvOptions } from './write-results.js';

/** A text column as a CSV field, spreadsheet-safe if asked (csvField, spreadsheetSafe). */
function field(column: string, options: CsvOutputOptions): string {
  return csvFieldSql(options.spreadsheetSafe ? spreadsheetSafeSql(column) : column);
}

/** The header, then `lines` (their first columns: the order keys, then the line) in order. */
function withHeader(header: readonly string[], lines: string, order: readonly string[]): string {
  const keys = order.map((key) => `NULL AS ${key}`).join(', ');
  return `SELECT line FROM (SELECT ${keys}, ${sqlString(header.join(','))} AS line UNION ALL ${lines}) ORDER BY ${order.map((key) => `${key} NULLS FIRST`).join(', ')}`;
}

/** Writes lines by DuckDB into a temporary file beside `path`; DuckDB's I/O failures (a full disk) become OutputWriteErrors. */
function stageLines(records: RecordsInDuckDb, path: string, label: string, query: string): Promise<AtomicFile> {
  return stageFileAt(path, label, async (temporary) => {
    try {
      await records.executor.writeLines(label, query, temporary);
    } catch (error) {
      if (error instanceof SqlEngineError && error.kind === 'IO Error') throw new OutputWriteError(label, error.detail === NO_SPACE_LEFT ? 'ENOSPC' : 'EIO', error);
      throw error;
    }
  });
}

/**
 * groups.csv from DuckDB: `source,record_id,identity_id`, one row per record in
 * canonical order. A record without an identity group fails the write (every
 * record is in exactly one group), and the temporary file is removed.
 */
export function stageGroupsInDuckDb(records: RecordsInDuckDb, path: string, options: CsvOutputOptions = {}): Promise<AtomicFile> {
  const lines = `SELECT w."row", CASE WHEN i.identity_id IS NULL THEN error('a record has no identity group') ELSE ${field('s.name', options)} || ',' || ${field('w.record_id', options)} || ',' || i.identity_id END
    FROM who w JOIN source_names s ON s."source" = w."source" LEFT JOIN identity_groups g ON g."row" = w."row" LEFT JOIN identity_ids i ON i.grp = g.grp`;
  return stageLines(records, path, options.label ?? 'groups file', withHeader(['source', 'record_id', 'identity_id'], lines, ['"row"']));
}

/**
 * pairs.csv from DuckDB: the scored pairs at or above the minimum probability
 * (default: the link threshold), ordered by (left row, right row), with the
 * match weight and probability printed as stagePairBatches prints them.
 */
export function stagePairsInDuckDb(records: RecordsInDuckDb, path: string, options: PairsCsvOptions = {}): Promise<AtomicFile> {
  const minProbability = options.minProbability ?? records.threshold;
  const minWeight = thresholdWeight(minProbability);
  const pairs = `SELECT left_row, right_row, match_weight, ${matchProbabilitySql('match_weight')} AS probability FROM scored_pairs${minWeight === -Infinity ? '' : ` WHERE match_weight >= ${DUCKDB.double(minWeight)}`}`;
  const text = (side: 'l' | 'r') => `${field(`s${side}.name`, options)} || ',' || ${field(`w${side}.record_id`, options)}`;
  const lines = `SELECT p.left_row, p.right_row, ${text('l')} || ',' || ${text('r')} || ',' || ${toFixed4Sql('p.match_weight')} || ',' || ${toPrecision6Sql('p.probability')}
    FROM (${pairs}) p
    JOIN who wl ON wl."row" = p.left_row JOIN source_names sl ON sl."source" = wl."source"
    JOIN who wr ON wr."row" = p.right_row JOIN source_names sr ON sr."source" = wr."source"
    WHERE p.probability >= ${DUCKDB.double(minProbability)}`;
  const header = ['source_l', 'record_id_l', 'source_r', 'record_id_r', 'match_weight', 'match_probability'];
  return stageLines(records, path, options.label ?? 'pairs file', withHeader(header, lines, ['left_row', 'right_row']));
}
