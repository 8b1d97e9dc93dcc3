/**
 * The exit codes of the `mpi` command, one table (docs/exit-codes.md) that every
 * path out of the CLI keeps to: scripts tell a bad input from a bug from an
 * interrupted run by the code alone.
 */
import { CommanderError } from 'commander';
import { InvalidBlockingRuleError, PairBudgetExceededError, UnknownBlockingColumnError } from '@mpi/blocking';
import { InvalidComparisonError, InvalidModelError } from '@mpi/scoring';
import { OutputWriteError } from '../output/atomic-file.js';
import { MpiError } from '../errors.js';

export const EXIT = {
  /** Success. */
  ok: 0,
  /** Usage, settings or input error; nothing was written. */
  usage: 2,
  /** `evaluate`: the groups fail conservation (records missing, unexpected or duplicated). */
  conservation: 3,
  /** Internal error: a bug. Nothing was written. */
  internal: 70,
  /** An output could not be written (disk full, file too large, I/O error); previous outputs are left as they were. */
  output: 74,
  /** Interrupted by SIGINT; no output is left half written. */
  sigint: 130,
  /** Interrupted by SIGTERM; no output is left half written. */
  sigterm: 143,
} as const;

/**
 * Errors that mean "the input, settings or arguments are wrong", not "a bug".
 * @mpi/blocking and @mpi/scoring throw their own classes (not MpiError); a test
 * checks that every error class they export is listed here.
 */
export const INPUT_ERROR_CLASSES: readonly (abstract new (...args: never[]) => Error)[] = [
  MpiError,
  PairBudgetExceededError,
  UnknownBlockingColumnError,
  InvalidBlockingRuleError,
  InvalidComparisonError,
  InvalidModelError,
];

/** The exit code for an error that ended a command. */
export function exitCodeFor(error: unknown): number {
  // Commander's own exits: help and --version are successes; anything else is a usage error.
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (error instanceof OutputWriteError) return EXIT.output;
  return INPUT_ERROR_CLASSES.some((Class) => error instanceof Class) ? EXIT.usage : EXIT.internal;
}
