// Step 6 of the streamed read: term frequencies counted in SQL as
// termFrequencyInputs counts them in process, divided by frequenciesOfCounts.
import { appendColumns } from '@mpi/sql';
import type { Comparison } from '@mpi/scoring';
import { frequenciesOfKind } from '../explain.js';
import { demographicPartner } from '../../read/placeholder-values.js';
import type { StagedRecords } from './stage.js';
import { eachChunk, numberOf, type Connection } from './sql.js';

/**
 * For each term-frequency adjusted comparison c, a table `tf_c` (column, id,
 * tf): the term frequency of each dictionary id of each of its value columns
 * (the field, then its further value columns). Values are counted per person
 * (distinct live partner values: the birth date, or the given name for the
 * birth date; at least 1), or per record without a partner field, over every
 * value column in one count (a value held in the second column is as common
 * as in the first), as termFrequencyInputs does (frequenciesOfKind: identifier or household
 * frequencies by the field's kind). Returns which comparisons have one.
 */
export async function termFrequenciesInSql(connection: Connection, staged: StagedRecords, comparisons: readonly Comparison[]): Promise<boolean[]> {
  const k = new Map(staged.columns.map((column, i) => [column, i]));
  const present = Object.fromEntries(staged.columns.map((column) => [column, true]));
  const made: boolean[] = [];
  for (const [c, comparison] of comparisons.entries()) {
    if (!comparison.levels.some((level) => level.tfAdjustment)) {
      made.push(false);
      continue;
    }
    const columns = [comparison.column, ...(comparison.valueColumns ?? [])].map((name) => k.get(name)!);
    const partner = demographicPartner(comparison.column, present);
    const who = partner === undefined ? 'NULL' : `r.c${k.get(partner)}`;
    const entries = columns.map((i) => `SELECT d."value" AS v, ${who} AS p FROM rid r JOIN dictv_${i} d ON d.id = r.c${i}`).join(' UNION ALL ');
    const count = partner === undefined ? 'count(*)' : 'greatest(count(DISTINCT p), 1)';
    await connection.run(`CREATE OR REPLACE TEMP TABLE tf_counts AS SELECT CAST(row_number() OVER (ORDER BY v) AS UINTEGER) AS key, v, ${count} AS n FROM (${entries}) GROUP BY v`);
    const counts = new Float64Array((await numberOf(connection, 'SELECT count(*) FROM tf_counts')) + 1);
    await eachChunk(connection, 'SELECT key, n FROM tf_counts', ([key, n]) => {
      for (let j = 0; j < key.length; j++) counts[key[j] as number] = Number(n[j]);
    });
    const tf = frequenciesOfKind(staged.fieldKinds, comparison, counts);
    await connection.run('CREATE OR REPLACE TEMP TABLE tf_values (key UINTEGER, tf DOUBLE)');
    const appender = await connection.createAppender('tf_values');
    appendColumns(appender, tf.length - 1, (cell, row) => (cell === 0 ? row + 1 : tf[row + 1]));
    appender.closeSync();
    const slots = columns.map((i, slot) => `SELECT ${slot} AS slot, d.id, f.tf FROM dictv_${i} d JOIN tf_counts t ON t.v = d."value" JOIN tf_values f ON f.key = t.key`);
    await connection.run(`CREATE OR REPLACE TABLE tf_${c} AS ${slots.join(' UNION ALL ')}`);
    await connection.run('DROP TABLE tf_counts');
    await connection.run('DROP TABLE tf_values');
    made.push(true);
  }
  return made;
}
