/**
 * The exit codes of the `mpi` command, one table (docs/exit-codes.md) that every
 * path out of the CLI keeps to: scripts tell a bad input from a bug from an
 * interrupted run by the code alone.
 */
import { CommanderError } from 'commander';
import { describeEngineError, engineErrorKind } from '@mpi/sql';
import { MpiError } from '../errors.js';

export const EXIT = {
  /** Success. */
  ok: 0,
  /** Usage, settings or input error; nothing was written. */
  usage: 2,
  /** `evaluate`: the groups fail conservation (records missing, unexpected or duplicated). */
  conservation: 3,
  /** Internal error: a bug, or a run that failed for a reason other than its input (memory ran out, a worker died). Nothing was written. */
  internal: 70,
  /** An output could not be written (disk full, file too large, I/O error); previous outputs are left as they were. */
  output: 74,
  /** Interrupted by SIGINT; no output is left half written. */
  sigint: 130,
  /** Interrupted by SIGTERM; no output is left half written. */
  sigterm: 143,
} as const;

/**
 * The MpiError codes that are not the fault of the input, settings or
 * arguments. Every other MpiError, of any package, is (exit 2): the packages
 * throw MpiError on purpose for what the caller gave them, and anything else
 * that reaches the CLI is a bug (exit 70).
 */
const NOT_THE_INPUT: Readonly<Record<string, number>> = {
  OUTPUT_WRITE_FAILED: EXIT.output,
  // Memory ran out, or a comparison worker threw or died: the same command may
  // pass with more memory free or fewer threads, so the input is not shown to be wrong.
  OUT_OF_MEMORY: EXIT.internal,
  WORKER_FAILED: EXIT.internal,
  // A statement failed inside the SQL engine (DuckDB): not shown to be the input's fault.
  SQL_ENGINE_FAILED: EXIT.internal,
};

/** The exit code for an error that ended a command. */
export function exitCodeFor(error: unknown): number {
  // Commander's own exits: help and --version are successes; anything else is a usage error.
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (error instanceof MpiError) return NOT_THE_INPUT[error.code] ?? EXIT.usage;
  return EXIT.internal;
}

/**
 * The line printed on stderr for an error that ended a command. An MpiError's
 * message says what went wrong and what to do; anything else is a bug, said so.
 */
export function errorLine(error: unknown): string {
  if (error instanceof MpiError) return `mpi: ${error.message}\n`;
  return `mpi: internal error: ${internalErrorText(error)}\n`;
}

/**
 * What is said of an error that is not ours: its message, but for an error of
 * the SQL engine that no code path wrapped, only what it is safe to say
 * (summarizeEngineError): DuckDB's messages quote the values they fail on.
 */
export function internalErrorText(error: unknown): string {
  if (engineErrorKind(error) === undefined) return (error as Error)?.message ?? String(error);
  return `the SQL engine failed (${describeEngineError(error)})`;
}
