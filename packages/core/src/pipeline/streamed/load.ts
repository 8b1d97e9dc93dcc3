// The records table of a plan from the staged records: the dict_i tables and
// `records` that DuckDbExecutor.loadRecords makes from an in-memory table,
// made here from DuckDB's own tables, the distinct values streamed through our
// feature and key code in batches.
import { tfSlots, type DuckDbExecutor, type LinkagePlan } from '@mpi/sql';
import type { StagedRecords } from './stage.js';
import { eachChunk, type Connection } from './sql.js';

/**
 * Loads `records` for the plan: per plan column its dictionary table (each
 * distinct value's features, derived keys and the term frequencies of the
 * `tf_c` tables), then the records' value ids joined to them. `writer`
 * appends while `executor.connection` streams the values.
 */
export async function loadStaged(executor: DuckDbExecutor, writer: Connection, staged: StagedRecords, plan: LinkagePlan): Promise<void> {
  const connection = executor.connection;
  const k = new Map(staged.columns.map((column, i) => [column, i]));
  for (const [i, column] of plan.columns.entries()) {
    const dictionary = k.get(column.name)!;
    const tfs = tfSlots(plan, column.name);
    const writes = await executor.dictionaryWriter(plan, i, writer);
    const select = ['d.id', 'd."value"', ...tfs.map((_, t) => `t${t}.tf`)];
    const joins = tfs.map(({ comparison, slot }, t) => `LEFT JOIN tf_${comparison} t${t} ON t${t}.slot = ${slot} AND t${t}.id = d.id`);
    await eachChunk(connection, `SELECT ${select.join(', ')} FROM dictv_${dictionary} d ${joins.join(' ')}`, ([ids, values, ...tf]) => {
      writes.append(ids.length, (row) => ids[row] as number, (row) => values[row] as string, (t, row) => tf[t][row] as number | null);
    });
    writes.close();
  }
  // Typed as loadRecords types them: the statements subtract rows.
  const ids = plan.columns.map((column, i) => `, CAST(c${k.get(column.name)} AS INTEGER) AS c${i}`);
  await connection.run(`CREATE OR REPLACE TABLE record_ids AS SELECT CAST("row" AS INTEGER) AS "row", CAST("source" AS INTEGER) AS "source"${ids.join('')} FROM rid`);
  await executor.joinRecords(plan);
}
