import { MpiError } from '@mpi/types';

/** A comparison that cannot be compiled against the table; names the comparison, never a value. Code `INVALID_COMPARISON`. */
export class InvalidComparisonError extends MpiError {
  constructor(
    readonly comparison: string,
    problem: string,
  ) {
    super('INVALID_COMPARISON', `Comparison "${comparison}": ${problem}`);
  }
}
