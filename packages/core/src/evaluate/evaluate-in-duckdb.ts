// Scoring identity groups against a truth in embedded DuckDB, out of core: the
// in-process Evaluation keys every record in one Map, which V8 caps at 2^24
// entries (16,777,216), so a 50M-record run could not be scored. Here the two
// files' memberships are appended to DuckDB in batches and the contingency table
// of (group, person) is counted by SQL; our process holds one batch at a time.
import { DuckDbExecutor, type DuckDbOptions } from '@mpi/sql';
import { appendMemberships, type DuckDBConnection, type Memberships } from './append-memberships.js';
import { reportOfCounts, type ContingencyCounts, type EvaluationReport } from './evaluate.js';

export type { Memberships };

/** Where and how DuckDB runs: the link engine's options (memory limit, spill folder and cap, threads, a work database file). */
export type DuckDbEvaluationOptions = Pick<DuckDbOptions, 'path' | 'memoryLimit' | 'tempDirectory' | 'maxTempDirectorySize' | 'threads'>;

/**
 * Scores predicted identity groups against true persons in DuckDB, with the
 * same figures and rules as {@link evaluate}: a record the truth names twice
 * keeps its first person; a prediction of a record the truth lacks counts as
 * unexpected, a second prediction of a record as duplicated (its first group
 * kept); accuracy is over the records in both. Counts are exact; the B-cubed
 * sums may differ from the in-process ones in the last bits (another order of
 * summation).
 */
export async function evaluateInDuckDb(predicted: Memberships, truth: Memberships, options: DuckDbEvaluationOptions = {}): Promise<EvaluationReport> {
  const executor = await DuckDbExecutor.open(options);
  try {
    const c = executor.connection;
    await appendMemberships(c, 'eval_truth', 'label', truth);
    await appendMemberships(c, 'eval_predicted', 'label', predicted);
    return reportOfCounts(await contingencyCountsInSql(c));
  } finally {
    executor.close();
  }
}

/**
 * The counts of the report from the two tables. `eval_persons`: each record of
 * the truth once, with its first person; `eval_groups`: each predicted record
 * once, with its first group and how often it was given; `eval_cells`: the
 * contingency table of (group, person) over the records in both.
 */
async function contingencyCountsInSql(c: DuckDBConnection): Promise<ContingencyCounts> {
  await c.run(`CREATE OR REPLACE TABLE eval_persons AS SELECT "source", record_id, arg_min(label, seq) AS person FROM eval_truth GROUP BY "source", record_id`);
  await c.run('DROP TABLE eval_truth');
  await c.run(`CREATE OR REPLACE TABLE eval_groups AS SELECT "source", record_id, arg_min(label, seq) AS grp, count(*) AS given FROM eval_predicted GROUP BY "source", record_id`);
  await c.run('DROP TABLE eval_predicted');
  await c.run(
    `CREATE OR REPLACE TABLE eval_cells AS
     SELECT gr.grp, t.person, count(*)::BIGINT AS n FROM eval_persons t JOIN eval_groups gr USING ("source", record_id) GROUP BY gr.grp, t.person`,
  );
  const [truthRecords, unexpected, duplicated] = await one(
    c,
    `SELECT (SELECT count(*) FROM eval_persons),
            (SELECT coalesce(sum(given), 0) FROM eval_groups gr ANTI JOIN eval_persons t USING ("source", record_id)),
            (SELECT coalesce(sum(given - 1), 0) FROM eval_groups gr SEMI JOIN eval_persons t USING ("source", record_id))`,
  );
  await c.run(`CREATE OR REPLACE TABLE eval_group_sizes AS SELECT grp, sum(n)::BIGINT AS size, count(*) AS persons FROM eval_cells GROUP BY grp`);
  await c.run(`CREATE OR REPLACE TABLE eval_person_sizes AS SELECT person, sum(n)::BIGINT AS size, count(*) AS groups FROM eval_cells GROUP BY person`);
  const [records, truePositives, predictedPairs, truePairs, bPrecisionSum, bRecallSum, splitPersons, mixedGroups, groups, persons] = await one(
    c,
    `SELECT (SELECT coalesce(sum(n), 0) FROM eval_cells),
            (SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM eval_cells),
            (SELECT coalesce(sum(size * (size - 1) // 2), 0) FROM eval_group_sizes),
            (SELECT coalesce(sum(size * (size - 1) // 2), 0) FROM eval_person_sizes),
            (SELECT coalesce(fsum(c.n * c.n / g.size), 0) FROM eval_cells c JOIN eval_group_sizes g USING (grp)),
            (SELECT coalesce(fsum(c.n * c.n / p.size), 0) FROM eval_cells c JOIN eval_person_sizes p USING (person)),
            (SELECT count(*) FILTER (WHERE groups > 1) FROM eval_person_sizes),
            (SELECT count(*) FILTER (WHERE persons > 1) FROM eval_group_sizes),
            (SELECT count(*) FROM eval_group_sizes),
            (SELECT count(*) FROM eval_person_sizes)`,
  );
  for (const table of ['eval_group_sizes', 'eval_person_sizes', 'eval_cells', 'eval_groups', 'eval_persons']) await c.run(`DROP TABLE ${table}`);
  const missing = truthRecords - records;
  return { records, missing, unexpected, duplicated, truePositives, predictedPairs, truePairs, bPrecisionSum, bRecallSum, splitPersons, mixedGroups, groups, persons };
}

/** The one row of a query, each cell as a number (counts come back as BIGINT or HUGEINT; exact below 2^53). */
async function one(c: DuckDBConnection, sql: string): Promise<number[]> {
  const rows = (await c.runAndReadAll(sql)).getRows();
  return rows[0].map((cell) => Number(cell));
}
