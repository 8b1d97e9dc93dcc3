import { DuckDBInstance } from '@duckdb/node-api';
import { ClusterExportError, SqlEngineError } from './errors.js';

/** Who each row of the job's records table is: the source and record id the groups file names it by. */
export interface JobRecordIds {
  readonly size: number;
  readonly sources: readonly string[];
  /** Source index of each row. */
  readonly source: Uint16Array;
  readonly recordIds: readonly string[];
}

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * Writes `record_ids.parquet` of a job: (row, source, record_id) in row order.
 * The job's records table holds the values and the source index only; the groups
 * file read back from the cluster names every record by its source and id.
 */
export async function writeRecordIds(ids: JobRecordIds, path: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    await connection.run('CREATE TABLE record_ids ("row" INTEGER, "source" VARCHAR, record_id VARCHAR)');
    const appender = await connection.createAppender('record_ids');
    for (let r = 0; r < ids.size; r++) {
      appender.appendInteger(r);
      appender.appendVarchar(ids.sources[ids.source[r]]);
      appender.appendVarchar(ids.recordIds[r]);
      appender.endRow();
    }
    appender.closeSync();
    await connection.run(`COPY (SELECT * FROM record_ids ORDER BY "row") TO ${quote(path)} (FORMAT parquet)`);
  } catch (error) {
    throw new SqlEngineError('writing record_ids.parquet', error);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Reads `record_ids.parquet` of a job back; its rows must be 0..size-1 in order (as writeRecordIds writes them). */
export async function readRecordIds(path: string): Promise<JobRecordIds> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    let columns: unknown[][];
    try {
      columns = (await connection.runAndReadAll(`SELECT "row", "source", record_id FROM read_parquet(${quote(path)}) ORDER BY "row"`)).getColumns();
    } catch (cause) {
      throw new ClusterExportError(path, undefined, undefined, 'is not the record_ids.parquet of a job written by mpi link --engine sql', { cause });
    }
    const [rows = [], names = [], recordIds = []] = columns;
    const sources: string[] = [];
    const index = new Map<string, number>();
    const source = new Uint16Array(rows.length);
    for (let r = 0; r < rows.length; r++) {
      if (Number(rows[r]) !== r) throw new ClusterExportError(path, r + 1, 'row', 'the rows are not numbered 0 to the number of records - 1');
      const name = String(names[r]);
      if (!index.has(name)) index.set(name, sources.push(name) - 1);
      source[r] = index.get(name)!;
    }
    return { size: rows.length, sources, source, recordIds: recordIds.map(String) };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
