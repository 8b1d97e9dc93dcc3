// Runs a job.sql written by `mpi link --engine sql --dialect duckdb` as a data
// team runs it on a cluster: the records table made from records.parquet, the
// statements in order, the marked label-propagation round repeated until its
// "changed rows" query returns 0; then tables exported to files.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { DuckDbExecutor } from '@mpi/sql';

type DuckDBConnection = DuckDbExecutor['connection'];

/** The statements of a part of job.sql (comment lines dropped). */
function statements(part: string): string[] {
  return part
    .split(/;\s*\n/)
    .map((text) =>
      text
        .split('\n')
        .filter((line) => !line.startsWith('--'))
        .join('\n')
        .trim(),
    )
    .filter((text) => text !== '' && text !== ';')
    .map((text) => text.replace(/;$/, ''));
}

/** A DuckDB connection holding every table the job made, for the test to export from. */
export async function runJobInDuckDb(jobDir: string): Promise<{ connection: DuckDBConnection; rounds: number; close(): void }> {
  const executor = await DuckDbExecutor.open({ threads: 1 });
  const connection = executor.connection;
  await connection.run(`CREATE TABLE records AS SELECT * FROM read_parquet('${join(jobDir, 'records.parquet')}')`);
  const script = readFileSync(join(jobDir, 'job.sql'), 'utf8');
  const repeat = script.indexOf('-- Repeat this round');
  if (repeat < 0) {
    // A training job: no clustering, its statements in order.
    for (const sql of statements(script)) await connection.run(sql);
    return { connection, rounds: 0, close: () => executor.close() };
  }
  const changedAt = script.indexOf('-- changed rows (stop when 0):');
  const before = statements(script.slice(0, repeat));
  const round = statements(script.slice(script.indexOf('\n', repeat) + 1, changedAt));
  const [changed, ...after] = statements(script.slice(script.indexOf('\n', changedAt) + 1));
  const swap = after.slice(0, 2);
  const finish = after.slice(2);
  for (const sql of before) await connection.run(sql);
  let rounds = 0;
  for (;;) {
    for (const sql of round) await connection.run(sql);
    rounds++;
    const count = Number((await connection.runAndReadAll(changed)).getRows()[0][0]);
    for (const sql of swap) await connection.run(sql);
    if (count === 0) break;
  }
  for (const sql of finish) await connection.run(sql);
  return {
    connection,
    rounds,
    close: () => executor.close(),
  };
}

/** Exports a table of the job to a file (Parquet or CSV by the extension), as the cluster would. */
export async function exportTable(connection: DuckDBConnection, table: string, path: string): Promise<string> {
  await connection.run(`COPY ${table} TO '${path}' (FORMAT ${path.endsWith('.csv') ? 'csv, HEADER' : 'parquet'})`);
  return path;
}

/** Runs the job and exports the named tables (table -> path), as the cluster would; returns the paths. */
export async function runAndExport(jobDir: string, exports: Readonly<Record<string, string>>): Promise<Record<string, string>> {
  const cluster = await runJobInDuckDb(jobDir);
  try {
    for (const [table, path] of Object.entries(exports)) await exportTable(cluster.connection, table, path);
  } finally {
    cluster.close();
  }
  return { ...exports };
}
