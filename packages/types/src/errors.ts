/**
 * Base class of every error the mpi packages throw on purpose (@mpi/core,
 * @mpi/blocking, @mpi/scoring): one type to catch, with a stable `code` per
 * kind of error for programs to branch on (the message is for people and may
 * change). Messages name sources, rows, columns, rules and counts, never a
 * record's value (patient data stays out of logs and error reports).
 */
export class MpiError extends Error {
  /** Stable identifier of the kind of error, e.g. `MISSING_COLUMN` or `PAIR_BUDGET_EXCEEDED`. */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}
