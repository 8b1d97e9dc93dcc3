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
