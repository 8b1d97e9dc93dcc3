// Who each record is (source, record id) stays in DuckDB's `who` table for the
// outputs of a DuckDB link: our process keeps each record's identity group (4
// bytes a record) and hands it to DuckDB, where the identity ids are made in
// SQL, as identityId makes them (docs/sql-engine.md, "Outputs written by DuckDB").
import { appendColumns, identityIdSql, sqlString, type DuckDbExecutor } from '@mpi/sql';
import type { Clustering } from '../cluster/cluster.js';
import { eachChunk, type Connection } from './streamed/sql.js';

/** The source index of every row, in canonical order: what the trainer's u sample needs of who each record is (2 bytes a record). */
export async function sourceOfRows(connection: Connection, size: number): Promise<Uint16Array> {
  const source = new Uint16Array(size);
  await eachChunk(connection, 'SELECT "row", "source" FROM who', ([rows, sources]) => {
    for (let i = 0; i < rows.length; i++) source[rows[i] as number] = sources[i] as number;
  });
  return source;
}

/** Makes `source_names` ("source": the source index `who` holds, name). */
export async function sourceNamesInDuckDb(connection: Connection, sources: readonly string[]): Promise<void> {
  await connection.run('CREATE OR REPLACE TABLE source_names ("source" INTEGER, name VARCHAR)');
  if (sources.length > 0) await connection.run(`INSERT INTO source_names VALUES ${sources.map((name, s) => `(${s}, ${sqlString(name)})`).join(', ')}`);
}

/**
 * Makes the tables the outputs are written from, beside `who` (row, source,
 * src_row, record_id) and `scored_pairs`: `source_names` (source index, name),
 * `identity_groups` (row, group index: the clustering, appended from our
 * process) and `identity_ids` (group index, identity id: a function of the
 * group's first record, its smallest row, as identityIdsOf names it).
 */
export async function identitiesInDuckDb(executor: DuckDbExecutor, sources: readonly string[], clustering: Clustering): Promise<void> {
  const c = executor.connection;
  await sourceNamesInDuckDb(c, sources);
  await c.run('CREATE OR REPLACE TABLE identity_groups ("row" UINTEGER, grp UINTEGER)');
  const appender = await c.createAppender('identity_groups');
  appendColumns(appender, clustering.groupOf.length, (column, r) => (column === 0 ? r : clustering.groupOf[r]));
  appender.closeSync();
  await c.run(
    `CREATE OR REPLACE TABLE identity_ids AS SELECT f.grp, ${identityIdSql('s.name', 'w.record_id')} AS identity_id
     FROM (SELECT grp, min("row") AS first FROM identity_groups GROUP BY grp) f
     JOIN who w ON w."row" = f.first JOIN source_names s ON s."source" = w."source"`,
  );
}
