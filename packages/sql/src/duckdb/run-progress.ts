import type { DuckDBConnection } from '@duckdb/node-api';
import { WorkDatabaseError } from '../errors.js';
import { sqlString } from './csv-lines.js';

/** The table a resumable run keeps its finished steps in, inside its work database. */
export const RUN_PROGRESS_TABLE = 'mpi_run_progress';

/** The step that names the run a work database belongs to. */
const RUN_STEP = 'run';

/**
 * The finished steps of a resumable run, kept in its work database next to
 * the tables they made: each step's record is written in the same transaction
 * as its work (DuckDbExecutor.checkpointed), so after a crash, a kill or the
 * machine going down, what the table says is done is exactly what the
 * database holds. A run that stops can then go on from its last finished step
 * instead of from the start (a 50M-record link is hours of work: one killed in
 * its comparison join lost 2.5 hours, docs/sql-engine.md).
 *
 * Values are JSON of counts, rule definitions and positions: never record values.
 */
export class RunProgress {
  private constructor(
    private readonly connection: DuckDBConnection,
    private readonly steps: Map<string, unknown>,
    /** The run was begun by an earlier process: its finished steps are skipped. */
    readonly resumed: boolean,
  ) {}

  /**
   * Opens the progress of the run `fingerprint` in the database of
   * `connection` (`path`: the file, for errors): a new database starts it; one
   * holding this run's progress resumes it. A database holding another run's
   * progress, or tables but no progress, is refused (WorkDatabaseError): it
   * is not this run's, and nothing in it is changed.
   */
  static async open(connection: DuckDBConnection, fingerprint: string, path: string): Promise<RunProgress> {
    const tables = await tableNames(connection);
    if (tables.length > 0 && !tables.includes(RUN_PROGRESS_TABLE)) throw new WorkDatabaseError(path, 'holds tables but no run progress: it is not the work database of a resumable run');
    await connection.run(`CREATE TABLE IF NOT EXISTS ${RUN_PROGRESS_TABLE} (step VARCHAR NOT NULL, "value" VARCHAR NOT NULL)`);
    const steps = new Map<string, unknown>();
    for (const [step, value] of (await connection.runAndReadAll(`SELECT step, "value" FROM ${RUN_PROGRESS_TABLE}`)).getRows()) steps.set(String(step), JSON.parse(String(value)));
    const run = steps.get(RUN_STEP) as { fingerprint?: string } | undefined;
    if (run === undefined) {
      if (steps.size > 0) throw new WorkDatabaseError(path, 'holds run progress without the run it belongs to');
      const progress = new RunProgress(connection, steps, false);
      await connection.run(progress.recordSql(RUN_STEP, { fingerprint }));
      steps.set(RUN_STEP, { fingerprint });
      return progress;
    }
    if (run.fingerprint !== fingerprint) throw new WorkDatabaseError(path, 'belongs to another run (other sources, settings, model or options, or a layout of another version): remove it to start over, or give another file');
    return new RunProgress(connection, steps, true);
  }

  /** What step `step` recorded when it finished (or got to), if it did. */
  get<T>(step: string): T | undefined {
    return this.steps.get(step) as T | undefined;
  }

  /** The steps recorded, but the run's name: what a resumed run skips. */
  recorded(): string[] {
    return [...this.steps.keys()].filter((step) => step !== RUN_STEP);
  }

  /** The statements that record `value` for `step` (to run in the transaction of the work it records). */
  recordSql(step: string, value: unknown): string {
    return `DELETE FROM ${RUN_PROGRESS_TABLE} WHERE step = ${sqlString(step)}; INSERT INTO ${RUN_PROGRESS_TABLE} VALUES (${sqlString(step)}, ${sqlString(JSON.stringify(value))})`;
  }

  /** Notes `value` for `step` once the transaction that recorded it has committed. */
  committed(step: string, value: unknown): void {
    this.steps.set(step, value);
  }

  /** Drops every view and table of the database but the progress (a run that had not finished its load starts over). */
  async dropWorkTables(): Promise<void> {
    const quoted = (name: unknown) => `"${String(name).replaceAll('"', '""')}"`;
    for (const [view] of (await this.connection.runAndReadAll('SELECT view_name FROM duckdb_views() WHERE NOT internal')).getRows()) await this.connection.run(`DROP VIEW IF EXISTS ${quoted(view)}`);
    for (const table of await tableNames(this.connection)) if (table !== RUN_PROGRESS_TABLE) await this.connection.run(`DROP TABLE IF EXISTS ${quoted(table)}`);
  }
}

/** The tables of the database. */
async function tableNames(connection: DuckDBConnection): Promise<string[]> {
  return (await connection.runAndReadAll('SELECT table_name FROM duckdb_tables()')).getRows().map(([name]) => String(name));
}
