/** A comparison that cannot be compiled against the table; names the comparison, never a value. */
export class InvalidComparisonError extends Error {
  constructor(
    readonly comparison: string,
    problem: string,
  ) {
    super(`Comparison "${comparison}": ${problem}`);
    this.name = 'InvalidComparisonError';
  }
}
