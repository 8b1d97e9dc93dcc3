// What each comparison costs DuckDB in the comparison join: the candidate
// pairs of a job written for DuckDB are made once, then each comparison's
// level (its gamma column, as job.sql renders it) is computed alone over every
// candidate pair, in rounds that alternate the comparisons; the median of the
// rounds is printed, with the whole comparison-vector statement and the join
// alone (the floor every column pays) and the columns the statement reads
// gathered through the join without being compared (hashed).
// node bench/dist/sql-level-cost.js --job DIR [DIR2 ...] [--rounds 5] [--threads 1] [--left-rows N]
// DIR: written by `mpi link --engine sql --dialect duckdb --model model.json --out-sql DIR`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { DuckDbExecutor, sqlString } from '@mpi/sql';

const opts = new Command()
  .requiredOption('--job <dir...>', 'job folders written with --dialect duckdb (job.sql, records.parquet); two or more are timed against one another, round by round')
  .option('--rounds <n>', 'rounds; the median is printed', Number, 5)
  .option('--threads <n>', "DuckDB's threads", Number, 1)
  .option('--left-rows <n>', 'only the candidate pairs whose left row is below n (a block of a large job, as the comparison join cuts it)', Number)
  .parse()
  .opts();

/** The statements of a piece of job.sql, comment lines dropped. */
const statements = (text: string) =>
  text
    .split(/;\s*\n/)
    .map((part) => part.split('\n').filter((line) => !line.startsWith('--')).join('\n').trim())
    .filter((part) => part !== '');

/** A job's candidate pairs made in its own DuckDB, and the queries that time its levels. */
async function openJob(dir: string): Promise<{ dir: string; executor: DuckDbExecutor; pairs: number; queries: [string, string][] }> {
  const script = readFileSync(join(dir, 'job.sql'), 'utf8');
  const vectorsAt = script.indexOf('-- comparison vectors');
  if (vectorsAt < 0) throw new Error(`${dir}/job.sql has no comparison vectors statement: write a linkage job with --dialect duckdb`);
  const vectors = statements(script.slice(vectorsAt))[0];
  // One output column a line (render-sql.ts): the levels are the lines ending AS "gamma_<name>".
  const columns = vectors
    .split('\n')
    .map((line) => /^\s+(.*) AS "(gamma_[^"]+)",?$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ name: match[2], expr: match[1] }));
  const from = vectors.slice(vectors.indexOf('\nFROM candidate_pairs'));
  // Every record column the statement reads, on either side (l."x", r."x").
  const read = [...new Set(Array.from(vectors.matchAll(/\b[lr]\."(?:[^"]|"")+"/g), (match) => match[0]))];
  const queries: [string, string][] = [
    ['the join alone', `SELECT p.left_row, p.right_row${from}`],
    [`the ${read.length} columns it reads, gathered and hashed`, `SELECT p.left_row, p.right_row, hash(${read.join(', ')})${from}`],
    ...columns.map(({ name, expr }): [string, string] => [name, `SELECT p.left_row, p.right_row, ${expr}${from}`]),
    ['every column (the statement)', vectors.slice(vectors.indexOf('SELECT'))],
  ];
  const executor = await DuckDbExecutor.open({ threads: opts.threads });
  const c = executor.connection;
  await c.run(`CREATE TABLE records AS SELECT * FROM read_parquet(${sqlString(join(dir, 'records.parquet'))})`);
  for (const sql of statements(script.slice(0, vectorsAt))) await c.run(sql);
  if (opts.leftRows !== undefined) await c.run(`DELETE FROM candidate_pairs WHERE left_row >= ${Number(opts.leftRows)}`);
  const pairs = Number((await c.runAndReadAll('SELECT count(*) FROM candidate_pairs')).getRows()[0][0]);
  return { dir, executor, pairs, queries };
}

const jobs = [];
for (const dir of opts.job as string[]) jobs.push(await openJob(dir));
try {
  const times = jobs.map((job) => new Map<string, number[]>(job.queries.map(([name]) => [name, []])));
  for (let round = 0; round < opts.rounds; round++) {
    for (const [j, job] of jobs.entries()) {
      for (const [name, sql] of job.queries) {
        const started = performance.now();
        await job.executor.connection.run(`CREATE OR REPLACE TABLE level_cost AS ${sql}`);
        times[j].get(name)!.push(performance.now() - started);
      }
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const [j, job] of jobs.entries()) {
    process.stdout.write(`${job.dir}: ${job.pairs} candidate pairs, ${opts.threads} thread(s), median of ${opts.rounds} rounds\n`);
    for (const [name, xs] of times[j]) process.stdout.write(`${median(xs).toFixed(0).padStart(8)} ms  ${name}\n`);
  }
} finally {
  for (const job of jobs) job.executor.close();
}
