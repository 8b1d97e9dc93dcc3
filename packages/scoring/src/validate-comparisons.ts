import { InvalidComparisonError } from './invalid-comparison-error.js';
import type { Comparison, LevelTest, ScoringTable } from './types.js';

/** Most levels a comparison may have: level indices are stored in a byte. */
export const MAX_LEVELS = 255;

/**
 * Checks comparisons against the table before anything is compiled.
 * @throws InvalidComparisonError naming the first comparison at fault.
 */
export function validateComparisons(table: ScoringTable, comparisons: readonly Comparison[]): void {
  const names = new Set<string>();
  for (const comparison of comparisons) {
    const fail = (problem: string): never => {
      throw new InvalidComparisonError(comparison.name, problem);
    };
    if (names.has(comparison.name)) fail('duplicate comparison name');
    names.add(comparison.name);
    if (!Object.hasOwn(table.columns, comparison.column)) fail(`column "${comparison.column}" is not in the table`);
    for (const column of comparison.valueColumns ?? []) if (!Object.hasOwn(table.columns, column)) fail(`value column "${column}" is not in the table`);
    const levels = comparison.levels;
    if (levels.length < 2) fail('needs at least a null and an else level');
    if (levels.length > MAX_LEVELS) fail(`has ${levels.length} levels, at most ${MAX_LEVELS} allowed`);
    if (levels[0].test.type !== 'null') fail('levels[0] must be the null level');
    if (levels[levels.length - 1].test.type !== 'else') fail('the last level must be the else level');
    // Runs on every compile (an index compiles per match query): the message is written only on a failure.
    for (let index = 0; index < levels.length; index++) {
      const level = levels[index];
      let problem: string | undefined;
      if (index > 0 && level.test.type === 'null') problem = 'only levels[0] may be the null level';
      else if (index < levels.length - 1 && level.test.type === 'else') problem = 'only the last level may be the else level';
      else problem = parameterProblem(level.test, table);
      if (problem !== undefined) fail(`level ${index} ("${level.label}"): ${problem}`);
    }
  }
}

function parameterProblem(test: LevelTest, table: ScoringTable): string | undefined {
  switch (test.type) {
    case 'jaroWinkler':
    case 'tokenOverlap':
      return test.threshold >= 0 && test.threshold <= 1 ? undefined : 'threshold must be within [0, 1]';
    case 'levenshtein':
    case 'damerauLevenshtein':
      return Number.isInteger(test.maxDistance) && test.maxDistance >= 0
        ? undefined
        : 'maxDistance must be a non-negative integer';
    case 'dateWithinDays':
      return test.days >= 0 ? undefined : 'days must be non-negative';
    case 'prefix':
      return Number.isInteger(test.length) && test.length > 0 ? undefined : 'length must be a positive integer';
    case 'swapped':
    case 'crossMatch':
      if (!Object.hasOwn(table.columns, test.other)) return `swapped column "${test.other}" is not in the table`;
      if (test.threshold !== undefined && !(test.threshold > 0 && test.threshold <= 1)) {
        return 'threshold must be in (0, 1]';
      }
      return undefined;
    case 'null':
    case 'else':
    case 'exact':
    case 'nickname':
    case 'doubleMetaphone':
    case 'initial':
    case 'dateTransposed':
    case 'dateYearOffByOne':
    case 'dateOneDigit':
      return undefined;
    default:
      return `unknown level test "${(test as { type: unknown }).type}"`;
  }
}
