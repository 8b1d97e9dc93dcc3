// Errors name rules, columns and counts only: never a record value (PHI hygiene).
import { MpiError } from '@mpi/types';

/** A blocking rule refers to a column the record table does not have. Code `UNKNOWN_BLOCKING_COLUMN`. */
export class UnknownBlockingColumnError extends MpiError {
  readonly rule: string;
  readonly column: string;
  constructor(rule: string, column: string) {
    super('UNKNOWN_BLOCKING_COLUMN', `Blocking rule '${rule}' uses column '${column}', which is not in the record table`);
    this.rule = rule;
    this.column = column;
  }
}

/** A blocking rule is malformed: no key parts, an unknown transform, or a bad window. Code `INVALID_BLOCKING_RULE`. */
export class InvalidBlockingRuleError extends MpiError {
  readonly rule: string;
  constructor(rule: string, reason: string) {
    super('INVALID_BLOCKING_RULE', `Blocking rule '${rule}' is invalid: ${reason}`);
    this.rule = rule;
  }
}

/** The candidate pairs would exceed the configured pair budget (`maxPairs`). Code `PAIR_BUDGET_EXCEEDED`. */
export class PairBudgetExceededError extends MpiError {
  /** Name of the rule that alone, or together with the rules before it, goes over budget. */
  readonly rule: string;
  /** Pairs counted when the budget was found exceeded (the rule's own pairs, or the union so far). */
  readonly count: number;
  readonly maxPairs: number;
  /** Whether `count` is the union of this rule's pairs with the earlier rules' (else the rule's own pairs). */
  readonly cumulative: boolean;
  /**
   * @param basis what the budget is, for the message (e.g. the memory a default
   * budget was sized to); leave it out for a budget the caller set.
   */
  constructor(rule: string, count: number, maxPairs: number, cumulative: boolean, basis?: string) {
    const what = cumulative
      ? `brings the candidate pairs (together with the rules before it) to ${count}`
      : `produces ${count} candidate pairs`;
    super(
      'PAIR_BUDGET_EXCEEDED',
      `Blocking rule '${rule}' ${what}, over the budget of ${maxPairs} pairs${basis === undefined ? '' : ` (${basis})`}. ` +
        'Use a stricter blocking rule (more key parts, a finer transform, a smaller window) or raise the budget (maxPairs, --max-pairs).',
    );
    this.rule = rule;
    this.count = count;
    this.maxPairs = maxPairs;
    this.cumulative = cumulative;
  }
}
