import { MpiError } from '@mpi/types';

/**
 * A statement of the job failed in the SQL engine. The message names the step
 * and the engine's kind of error only: an engine's own message may quote the
 * values it could not handle (patient data stays out of errors); the original
 * error is the `cause`, for a debugger, never printed by the CLI.
 */
export class SqlEngineError extends MpiError {
  constructor(
    readonly step: string,
    cause: unknown,
  ) {
    const kind = /^([A-Za-z ]+Error):/.exec(String((cause as Error)?.message ?? ''))?.[1] ?? 'error';
    super('SQL_ENGINE_FAILED', `the SQL engine failed at step "${step}" (${kind})`, { cause });
  }
}

/**
 * A table the cluster exported (cluster_labels, troubled_pairs, training_counts)
 * cannot be used: a column is absent, a value is not of its type, a row names
 * no record of the job or repeats an earlier one. Names the file, the 1-based
 * row within it and the column; never the value. Code `BAD_CLUSTER_EXPORT`.
 */
export class ClusterExportError extends MpiError {
  constructor(
    readonly file: string,
    readonly row: number | undefined,
    readonly column: string | undefined,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    const at = [`cluster export ${file}`, ...(row !== undefined ? [`row ${row}`] : []), ...(column !== undefined ? [`column "${column}"`] : [])];
    super('BAD_CLUSTER_EXPORT', `${at.join(', ')}: ${detail}`, options);
  }
}
